import { describe, expect, it } from "vitest";
import type { APIGatewayAuthorizerResult } from "aws-lambda";
import type { Role } from "../../shared/api/purchases-api.ts";
import { buildTenantPolicy, roleFromGroups, stageArnOf } from "./tenant-policy.ts";
import type { TenantClaims } from "./tenant-policy.ts";

const API = "arn:aws:execute-api:us-east-1:123456789012:abc123";
const STAGE = `${API}/prod`;
const METHOD_ARN = `${STAGE}/GET/purchases`;

const claims = (overrides: Partial<TenantClaims> = {}): TenantClaims => ({
  sub: "11111111-2222-3333-4444-555555555555",
  email: "ada@tenant-a.test",
  "custom:tenantId": "tenant-a",
  ...overrides,
});

interface PlainStatement {
  Effect: string;
  Action: string | string[];
  Resource: string[];
}

/** The single statement of a policy, as the builder writes it. */
function onlyStatement(result: APIGatewayAuthorizerResult): PlainStatement {
  const statements = result.policyDocument.Statement;
  expect(statements).toHaveLength(1);
  const statement = statements[0] as unknown as PlainStatement;
  expect(Array.isArray(statement.Resource)).toBe(true);
  return statement;
}

describe("roleFromGroups", () => {
  it.each<[string, unknown, Role]>([
    ["no claim", undefined, "member"],
    ["null", null, "member"],
    ["empty list", [], "member"],
    ["not a list", "admin", "member"],
    ["a list of non-strings", [1, { admin: true }, null], "member"],
    ["only unknown groups", ["staff", "Admins", "ADMIN"], "member"],
    ["viewer", ["viewer"], "viewer"],
    ["member", ["member"], "member"],
    ["admin", ["admin"], "admin"],
    ["unknown groups ignored", ["staff", "viewer", "everyone"], "viewer"],
    ["viewer and member: member wins", ["viewer", "member"], "member"],
    ["viewer and admin: admin wins", ["viewer", "admin"], "admin"],
    ["order does not matter", ["admin", "viewer", "member"], "admin"],
    ["all three", ["member", "admin", "viewer"], "admin"],
  ])("%s -> %s", (_, groups, role) => {
    expect(roleFromGroups(groups)).toBe(role);
  });
});

describe("stageArnOf", () => {
  it.each([
    [`${STAGE}/GET/purchases`, STAGE],
    [`${STAGE}/DELETE/purchases/01HXABCDEF`, STAGE],
    [`${API}/dev/POST/purchases`, `${API}/dev`],
    [`${STAGE}/GET/`, STAGE],
  ])("%s -> %s", (methodArn, stage) => {
    expect(stageArnOf(methodArn)).toBe(stage);
  });

  it.each(["", "not-an-arn", "arn:aws:execute-api:us-east-1:123456789012:abc123", `${API}/`, "/abc123/prod/GET/purchases", "s3://bucket/prod/GET/x"])(
    "refuses %j",
    (methodArn) => {
      expect(() => stageArnOf(methodArn)).toThrow(/method ARN/);
    },
  );
});

describe("buildTenantPolicy", () => {
  const expectedResources: Record<Role, string[]> = {
    viewer: [`${STAGE}/GET/purchases`, `${STAGE}/GET/purchases/*`],
    member: [`${STAGE}/GET/purchases`, `${STAGE}/POST/purchases`, `${STAGE}/GET/purchases/*`],
    admin: [`${STAGE}/GET/purchases`, `${STAGE}/POST/purchases`, `${STAGE}/GET/purchases/*`, `${STAGE}/DELETE/purchases/*`],
  };

  it.each<[Role, string[] | undefined]>([
    ["viewer", ["viewer"]],
    ["member", ["member"]],
    ["member", undefined],
    ["admin", ["admin", "viewer"]],
  ])("a %s (groups %j) is allowed exactly its routes on the whole stage", (role, groups) => {
    const result = buildTenantPolicy(claims(groups ? { "cognito:groups": groups } : {}), METHOD_ARN);
    expect(result.policyDocument.Version).toBe("2012-10-17");
    const statement = onlyStatement(result);
    expect(statement.Effect).toBe("Allow");
    expect(statement.Action).toBe("execute-api:Invoke");
    expect([...statement.Resource].sort()).toEqual([...expectedResources[role]].sort());
    expect(result.context?.role).toBe(role);
  });

  it("lists the same stage-wide resources whatever route the request was for (the cache stays right)", () => {
    const c = claims({ "cognito:groups": ["admin"] });
    const fromList = onlyStatement(buildTenantPolicy(c, `${STAGE}/GET/purchases`)).Resource;
    const fromDelete = onlyStatement(buildTenantPolicy(c, `${STAGE}/DELETE/purchases/01HXABCDEFGHJKMNPQRSTVWXYZ`)).Resource;
    expect(fromDelete).toEqual(fromList);
    // Not just the method ARN of the first request.
    expect(fromList).not.toContain(`${STAGE}/DELETE/purchases/01HXABCDEFGHJKMNPQRSTVWXYZ`);
  });

  it("scopes the policy to the request's API and stage", () => {
    const statement = onlyStatement(buildTenantPolicy(claims(), "arn:aws:execute-api:eu-west-1:999999999999:xyz789/dev/GET/purchases"));
    for (const resource of statement.Resource) {
      expect(resource.startsWith("arn:aws:execute-api:eu-west-1:999999999999:xyz789/dev/")).toBe(true);
    }
  });

  it("a viewer's policy never allows POST or DELETE", () => {
    const statement = onlyStatement(buildTenantPolicy(claims({ "cognito:groups": ["viewer"] }), METHOD_ARN));
    expect(statement.Resource.some((r) => /\/(POST|DELETE|PUT|PATCH|\*)\//.test(r.slice(STAGE.length)))).toBe(false);
  });

  it("principalId is the user's sub", () => {
    expect(buildTenantPolicy(claims({ sub: "the-sub" }), METHOD_ARN).principalId).toBe("the-sub");
  });

  it("the context is flat, strings only: tenantId, userId, email, role", () => {
    const result = buildTenantPolicy(
      claims({ sub: "sub-1", email: "bob@tenant-b.test", "custom:tenantId": "tenant-b", "cognito:groups": ["member"] }),
      METHOD_ARN,
    );
    expect(result.context).toEqual({ tenantId: "tenant-b", userId: "sub-1", email: "bob@tenant-b.test", role: "member" });
    for (const value of Object.values(result.context ?? {})) expect(typeof value).toBe("string");
  });

  it("a non-string email becomes an empty string, never an object in the context", () => {
    const result = buildTenantPolicy(claims({ email: { nested: true } }), METHOD_ARN);
    expect(result.context?.email).toBe("");
    for (const value of Object.values(result.context ?? {})) expect(typeof value).toBe("string");
  });

  it("does not copy other claims (groups, custom attributes) into the context", () => {
    const result = buildTenantPolicy(
      { ...claims({ "cognito:groups": ["admin"] }), "custom:other": "x", iss: "https://example" } as TenantClaims,
      METHOD_ARN,
    );
    expect(Object.keys(result.context ?? {}).sort()).toEqual(["email", "role", "tenantId", "userId"]);
  });

  it.each<[string, unknown]>([
    ["missing", undefined],
    ["empty", ""],
    ["a number", 42],
    ["a list", ["tenant-a"]],
  ])("custom:tenantId %s -> explicit Deny on the whole stage, no context", (_, tenantId) => {
    const c = claims({ "cognito:groups": ["admin"] });
    if (tenantId === undefined) delete c["custom:tenantId"];
    else c["custom:tenantId"] = tenantId;
    const result = buildTenantPolicy(c, METHOD_ARN);
    const statement = onlyStatement(result);
    expect(statement.Effect).toBe("Deny");
    expect(statement.Action).toBe("execute-api:Invoke");
    expect(statement.Resource).toEqual([`${STAGE}/*`]);
    expect(result.context).toBeUndefined();
    expect(result.principalId).toBe(c.sub);
  });

  it("throws on a method ARN that is not one", () => {
    expect(() => buildTenantPolicy(claims(), "arn:aws:execute-api:us-east-1:123456789012:abc123")).toThrow();
    expect(() => buildTenantPolicy(claims(), "")).toThrow();
  });
});
