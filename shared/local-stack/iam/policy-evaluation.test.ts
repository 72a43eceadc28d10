import { describe, expect, it } from "vitest";
import { evaluatePolicies, type Decision, type RequestContext } from "./policy-evaluation.ts";

const TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Purchases";
const DYNAMODB_KEYS = ["dynamodb:LeadingKeys", "aws:PrincipalTag/*"];

/** The tenant-scoped role of issue 13: Query and GetItem on its own partition only. */
const tenantPolicy = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "OwnPartition",
      Effect: "Allow",
      Action: ["dynamodb:Query", "dynamodb:GetItem"],
      Resource: TABLE,
      Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["${aws:PrincipalTag/tenantId}"] } },
    },
  ],
};

/** The same condition on an Allow that also grants Scan: the mistake the docs warn about. */
const scanTooPolicy = {
  Version: "2012-10-17",
  Statement: {
    Effect: "Allow",
    Action: "dynamodb:*",
    Resource: TABLE,
    Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["${aws:PrincipalTag/tenantId}"] } },
  },
};

/** `tenant` null: the caller has no tenantId principal tag. */
function request(action: string, leadingKeys: readonly string[] | undefined, tenant: string | null = "acme") {
  return {
    action,
    resource: TABLE,
    keys: { "dynamodb:LeadingKeys": leadingKeys, "aws:PrincipalTag/tenantId": tenant ?? undefined },
    knownKeys: DYNAMODB_KEYS,
  } satisfies RequestContext;
}

describe("evaluatePolicies", () => {
  const cases: { name: string; policies: unknown[]; context: RequestContext; decision: Decision }[] = [
    {
      name: "Query of the caller's own partition",
      policies: [tenantPolicy],
      context: request("dynamodb:Query", ["acme"]),
      decision: "allow",
    },
    {
      name: "GetItem of the caller's own partition",
      policies: [tenantPolicy],
      context: request("dynamodb:GetItem", ["acme"]),
      decision: "allow",
    },
    {
      name: "Query of another tenant's partition",
      policies: [tenantPolicy],
      context: request("dynamodb:Query", ["globex"]),
      decision: "implicit-deny",
    },
    {
      name: "BatchGetItem naming the caller's and another partition",
      policies: [scanTooPolicy],
      context: request("dynamodb:BatchGetItem", ["acme", "globex"]),
      decision: "implicit-deny",
    },
    {
      name: "BatchGetItem naming only the caller's partition",
      policies: [scanTooPolicy],
      context: request("dynamodb:BatchGetItem", ["acme", "acme"]),
      decision: "allow",
    },
    // A Scan has no leading keys, so ForAllValues over them is vacuously true: the condition
    // does not protect a Scan. What refuses it is that Scan is not among the allowed actions.
    {
      name: "Scan when Scan is not an allowed action",
      policies: [tenantPolicy],
      context: request("dynamodb:Scan", undefined),
      decision: "implicit-deny",
    },
    {
      name: "Scan when the Allow grants dynamodb:* (ForAllValues on an absent key is true)",
      policies: [scanTooPolicy],
      context: request("dynamodb:Scan", undefined),
      decision: "allow",
    },
    {
      name: "PutItem, not an allowed action",
      policies: [tenantPolicy],
      context: request("dynamodb:PutItem", ["acme"]),
      decision: "implicit-deny",
    },
    {
      name: "a caller without the principal tag (unresolvable variable: the statement is invalid)",
      policies: [tenantPolicy],
      context: request("dynamodb:Query", ["acme"], null),
      decision: "implicit-deny",
    },
    {
      name: "another table",
      policies: [tenantPolicy],
      context: { ...request("dynamodb:Query", ["acme"]), resource: `${TABLE}2` },
      decision: "implicit-deny",
    },
    {
      name: "no policies at all",
      policies: [],
      context: request("dynamodb:Query", ["acme"]),
      decision: "implicit-deny",
    },
    {
      name: "action names are case-insensitive, with ? and * wildcards",
      policies: [
        {
          Version: "2012-10-17",
          Statement: { Effect: "Allow", Action: "DynamoDB:?uer*", Resource: "arn:aws:dynamodb:*:*:table/Purch*" },
        },
      ],
      context: request("dynamodb:Query", ["acme"]),
      decision: "allow",
    },
    {
      name: "resources are case-sensitive",
      policies: [
        {
          Version: "2012-10-17",
          Statement: { Effect: "Allow", Action: "dynamodb:Query", Resource: TABLE.toLowerCase() },
        },
      ],
      context: request("dynamodb:Query", ["acme"]),
      decision: "implicit-deny",
    },
    {
      name: "explicit deny wins over an allow",
      policies: [
        tenantPolicy,
        { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "dynamodb:*", Resource: "*" }] },
      ],
      context: request("dynamodb:Query", ["acme"]),
      decision: "explicit-deny",
    },
    {
      name: "NotAction: a Deny of everything but Query does not deny Query",
      policies: [
        tenantPolicy,
        { Version: "2012-10-17", Statement: { Effect: "Deny", NotAction: "dynamodb:Query", Resource: "*" } },
      ],
      context: request("dynamodb:Query", ["acme"]),
      decision: "allow",
    },
    {
      name: "NotAction: ...and does deny GetItem",
      policies: [
        tenantPolicy,
        { Version: "2012-10-17", Statement: { Effect: "Deny", NotAction: "dynamodb:Query", Resource: "*" } },
      ],
      context: request("dynamodb:GetItem", ["acme"]),
      decision: "explicit-deny",
    },
    {
      name: "a variable in Resource",
      policies: [
        {
          Version: "2012-10-17",
          Statement: {
            Effect: "Allow",
            Action: "dynamodb:Query",
            Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/${aws:PrincipalTag/tenantId}-*",
          },
        },
      ],
      context: {
        ...request("dynamodb:Query", ["x"]),
        resource: "arn:aws:dynamodb:us-east-1:123456789012:table/acme-orders",
      },
      decision: "allow",
    },
    {
      name: "variables are literal text without Version 2012-10-17",
      policies: [{ Statement: tenantPolicy.Statement }],
      context: request("dynamodb:Query", ["acme"]),
      decision: "implicit-deny",
    },
    {
      name: "a variable's default applies when the key is absent",
      policies: [
        {
          Version: "2012-10-17",
          Statement: {
            Effect: "Allow",
            Action: "dynamodb:Query",
            Resource: TABLE,
            Condition: {
              "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": "${aws:PrincipalTag/tenantId, 'public'}" },
            },
          },
        },
      ],
      context: request("dynamodb:Query", ["public"], null),
      decision: "allow",
    },
    {
      name: "StringLike with wildcards on a single-valued key",
      policies: [
        {
          Version: "2012-10-17",
          Statement: {
            Effect: "Allow",
            Action: "dynamodb:Query",
            Resource: TABLE,
            Condition: { StringLike: { "aws:PrincipalTag/tenantId": ["ac?e", "glob*"] } },
          },
        },
      ],
      context: request("dynamodb:Query", ["acme"]),
      decision: "allow",
    },
    {
      name: "StringEquals is case-sensitive",
      policies: [
        {
          Version: "2012-10-17",
          Statement: {
            Effect: "Allow",
            Action: "dynamodb:Query",
            Resource: TABLE,
            Condition: { StringEquals: { "aws:PrincipalTag/tenantId": "ACME" } },
          },
        },
      ],
      context: request("dynamodb:Query", ["acme"]),
      decision: "implicit-deny",
    },
    {
      name: "condition key names are case-insensitive",
      policies: [
        {
          Version: "2012-10-17",
          Statement: {
            Effect: "Allow",
            Action: "dynamodb:Query",
            Resource: TABLE,
            Condition: { StringEquals: { "AWS:principaltag/TENANTID": "acme" } },
          },
        },
      ],
      context: request("dynamodb:Query", ["acme"]),
      decision: "allow",
    },
    {
      name: "StringNotEquals on an absent key is true (a Deny unless tagged applies)",
      policies: [
        tenantPolicy,
        {
          Version: "2012-10-17",
          Statement: {
            Effect: "Deny",
            Action: "*",
            Resource: "*",
            Condition: { StringNotEquals: { "aws:PrincipalTag/tenantId": ["acme", "globex"] } },
          },
        },
      ],
      context: request("dynamodb:Query", ["acme"], null),
      decision: "explicit-deny",
    },
    {
      name: "StringNotEquals holds for a value none of the policy's values equal",
      policies: [
        {
          Version: "2012-10-17",
          Statement: {
            Effect: "Deny",
            Action: "*",
            Resource: "*",
            Condition: { StringNotEquals: { "aws:PrincipalTag/tenantId": ["acme", "globex"] } },
          },
        },
        tenantPolicy,
      ],
      context: request("dynamodb:Query", ["initech"], "initech"),
      decision: "explicit-deny",
    },
    {
      name: "StringNotEquals does not hold for a listed value",
      policies: [
        {
          Version: "2012-10-17",
          Statement: {
            Effect: "Deny",
            Action: "*",
            Resource: "*",
            Condition: { StringNotEquals: { "aws:PrincipalTag/tenantId": ["acme", "globex"] } },
          },
        },
        tenantPolicy,
      ],
      context: request("dynamodb:Query", ["acme"]),
      decision: "allow",
    },
    {
      name: "ForAnyValue on an absent key is false",
      policies: [
        {
          Version: "2012-10-17",
          Statement: {
            Effect: "Allow",
            Action: "dynamodb:*",
            Resource: TABLE,
            Condition: { "ForAnyValue:StringEquals": { "dynamodb:LeadingKeys": "acme" } },
          },
        },
      ],
      context: request("dynamodb:Scan", undefined),
      decision: "implicit-deny",
    },
    {
      name: "ForAnyValue is true when one value matches",
      policies: [
        {
          Version: "2012-10-17",
          Statement: {
            Effect: "Deny",
            Action: "dynamodb:*",
            Resource: TABLE,
            Condition: { "ForAnyValue:StringEquals": { "dynamodb:LeadingKeys": "globex" } },
          },
        },
        scanTooPolicy,
      ],
      context: request("dynamodb:BatchGetItem", ["acme", "globex"]),
      decision: "explicit-deny",
    },
    {
      name: "ForAllValues:StringLike",
      policies: [
        {
          Version: "2012-10-17",
          Statement: {
            Effect: "Allow",
            Action: "dynamodb:BatchGetItem",
            Resource: TABLE,
            Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": "${aws:PrincipalTag/tenantId}#*" } },
          },
        },
      ],
      context: request("dynamodb:BatchGetItem", ["acme#1", "acme#2"]),
      decision: "allow",
    },
    {
      name: "Null true: the standard guard that refuses a Scan under ForAllValues",
      policies: [
        {
          ...scanTooPolicy,
          Statement: {
            ...scanTooPolicy.Statement,
            Condition: { ...scanTooPolicy.Statement.Condition, Null: { "dynamodb:LeadingKeys": "false" } },
          },
        },
      ],
      context: request("dynamodb:Scan", undefined),
      decision: "implicit-deny",
    },
    {
      name: "Null false with the key present",
      policies: [
        {
          ...scanTooPolicy,
          Statement: {
            ...scanTooPolicy.Statement,
            Condition: { ...scanTooPolicy.Statement.Condition, Null: { "dynamodb:LeadingKeys": false } },
          },
        },
      ],
      context: request("dynamodb:Query", ["acme"]),
      decision: "allow",
    },
    {
      name: "a statement with a Principal is not valid in an identity-based policy",
      policies: [{ Version: "2012-10-17", Statement: { Effect: "Allow", Principal: "*", Action: "*", Resource: "*" } }],
      context: request("dynamodb:Query", ["acme"]),
      decision: "implicit-deny",
    },
    {
      name: "NotResource",
      policies: [
        {
          Version: "2012-10-17",
          Statement: { Effect: "Allow", Action: "dynamodb:Query", NotResource: `${TABLE}/index/*` },
        },
      ],
      context: request("dynamodb:Query", ["acme"]),
      decision: "allow",
    },
  ];

  it.each(cases)("$name: $decision", ({ policies, context, decision }) => {
    expect(evaluatePolicies(policies, context).decision).toBe(decision);
  });

  it("names the statement that decided", () => {
    expect(evaluatePolicies([tenantPolicy], request("dynamodb:Query", ["acme"]))).toMatchObject({
      decidedBy: { policy: 0, statement: 0, sid: "OwnPartition" },
      failedClosed: false,
      unsupported: [],
    });
  });
});

describe("what the local check does not evaluate fails closed", () => {
  const numeric = {
    Version: "2012-10-17",
    Statement: {
      Effect: "Allow",
      Action: "dynamodb:Query",
      Resource: TABLE,
      Condition: { NumericLessThan: { "dynamodb:ReturnConsumedCapacity": "1" } },
    },
  };

  it("an Allow with an unsupported operator does not allow, and says why", () => {
    const evaluation = evaluatePolicies([numeric], request("dynamodb:Query", ["acme"]));
    expect(evaluation).toMatchObject({ decision: "implicit-deny", failedClosed: true });
    expect(evaluation.unsupported).toEqual([
      "condition operator NumericLessThan is not supported by the local IAM check",
    ]);
    expect(evaluation.reason).toContain("condition operator NumericLessThan is not supported by the local IAM check");
  });

  it("another Allow the check can read still allows (the unreadable one could only have added access)", () => {
    expect(evaluatePolicies([numeric, tenantPolicy], request("dynamodb:Query", ["acme"])).decision).toBe("allow");
  });

  it("a Deny with an unsupported operator is taken to apply", () => {
    const deny = {
      Version: "2012-10-17",
      Statement: {
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: { DateGreaterThan: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } },
      },
    };
    const evaluation = evaluatePolicies([tenantPolicy, deny], request("dynamodb:Query", ["acme"]));
    expect(evaluation).toMatchObject({ decision: "explicit-deny", failedClosed: true });
    expect(evaluation.reason).toContain("condition operator DateGreaterThan is not supported by the local IAM check");
  });

  it.each([
    "StringEqualsIfExists",
    "StringEqualsIgnoreCase",
    "ArnLike",
    "Bool",
    "ForAllValues:Null",
    "ForSomeValues:StringEquals",
  ])("%s is not supported", (operator) => {
    const policy = {
      Version: "2012-10-17",
      Statement: {
        Effect: "Allow",
        Action: "*",
        Resource: "*",
        Condition: { [operator]: { "aws:PrincipalTag/tenantId": "acme" } },
      },
    };
    const evaluation = evaluatePolicies([policy], request("dynamodb:Query", ["acme"]));
    expect(evaluation.decision).toBe("implicit-deny");
    expect(evaluation.unsupported).toEqual([`condition operator ${operator} is not supported by the local IAM check`]);
  });

  it("a condition key the caller does not derive is not treated as absent", () => {
    // ForAllValues on an absent key would be true, and allow: AWS would check the attributes.
    const attributes = {
      Version: "2012-10-17",
      Statement: {
        Effect: "Allow",
        Action: "dynamodb:Query",
        Resource: TABLE,
        Condition: { "ForAllValues:StringEquals": { "dynamodb:Attributes": ["pk", "sk"] } },
      },
    };
    const evaluation = evaluatePolicies([attributes], request("dynamodb:Query", ["acme"]));
    expect(evaluation.decision).toBe("implicit-deny");
    expect(evaluation.unsupported).toEqual([
      "condition key dynamodb:Attributes is not supported by the local IAM check",
    ]);
  });

  it("a multivalued key without a set qualifier is not guessed at", () => {
    const plain = {
      Version: "2012-10-17",
      Statement: {
        Effect: "Allow",
        Action: "dynamodb:BatchGetItem",
        Resource: TABLE,
        Condition: { StringEquals: { "dynamodb:LeadingKeys": "acme" } },
      },
    };
    for (const leadingKeys of [["acme"], ["acme", "globex"]]) {
      const evaluation = evaluatePolicies([plain], request("dynamodb:BatchGetItem", leadingKeys));
      expect(evaluation.decision).toBe("implicit-deny");
      expect(evaluation.unsupported).toEqual([
        "condition key dynamodb:LeadingKeys is multivalued, and StringEquals without ForAllValues or ForAnyValue is not supported by the local IAM check",
      ]);
    }
  });

  it("a multivalued key is not a policy variable, even with one value", () => {
    const policy = {
      Version: "2012-10-17",
      Statement: {
        Effect: "Allow",
        Action: "dynamodb:Query",
        Resource: `${TABLE.replace("Purchases", "")}\${dynamodb:LeadingKeys}`,
      },
    };
    expect(evaluatePolicies([policy], { ...request("dynamodb:Query", ["Purchases"]) }).decision).toBe("implicit-deny");
  });

  it("an unsupported operator on a statement whose action does not match is not reported", () => {
    expect(evaluatePolicies([numeric, tenantPolicy], request("dynamodb:GetItem", ["acme"])).unsupported).toEqual([]);
  });
});
