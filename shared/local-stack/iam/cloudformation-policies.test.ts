import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AttributeType, Table } from "aws-cdk-lib/aws-dynamodb";
import { AccountRootPrincipal, Effect, PolicyStatement, Role } from "aws-cdk-lib/aws-iam";
import { describe, expect, it } from "vitest";
import {
  resolveIntrinsics,
  rolePolicyDocuments,
  staticResolver,
  type CloudFormationTemplate,
} from "./cloudformation-policies.ts";
import { evaluatePolicies } from "./policy-evaluation.ts";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";

/** A stack shaped like issue 13's: a table and a role that may read its own partition. */
function synthesize(): { template: CloudFormationTemplate; tableId: string; roleId: string } {
  const stack = new Stack(new App(), "PoliciesTest", { env: { region: REGION, account: ACCOUNT } });
  const table = new Table(stack, "Purchases", { partitionKey: { name: "pk", type: AttributeType.STRING } });
  const role = new Role(stack, "TenantRole", { assumedBy: new AccountRootPrincipal() });
  role.addToPolicy(
    new PolicyStatement({
      actions: ["dynamodb:Query", "dynamodb:GetItem"],
      resources: [table.tableArn, `${table.tableArn}/index/*`],
      conditions: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["${aws:PrincipalTag/tenantId}"] } },
    }),
  );
  role.addToPolicy(
    new PolicyStatement({ effect: Effect.DENY, actions: ["dynamodb:DeleteItem"], resources: [table.tableArn] }),
  );
  const template = Template.fromStack(stack).toJSON() as CloudFormationTemplate;
  const idOf = (type: string) => Object.entries(template.Resources ?? {}).find(([, r]) => r.Type === type)![0];
  return { template, tableId: idOf("AWS::DynamoDB::Table"), roleId: idOf("AWS::IAM::Role") };
}

describe("rolePolicyDocuments", () => {
  const { template, tableId, roleId } = synthesize();
  const resolver = staticResolver(template, {
    region: REGION,
    accountId: ACCOUNT,
    refs: { [tableId]: "Purchases-local" },
  });
  const tableArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/Purchases-local`;

  it("reads the role's synthesized policy with its intrinsics resolved", () => {
    const documents = rolePolicyDocuments(template, roleId, resolver);
    expect(JSON.stringify(documents)).not.toMatch(/Fn::|"Ref"/);
    expect(JSON.stringify(documents)).toContain(`${tableArn}/index/*`);
  });

  it("is what the local IAM check evaluates: own partition allowed, another refused, the Deny applies", () => {
    const policies = rolePolicyDocuments(template, roleId, resolver);
    const context = (action: string, leadingKey: string) => ({
      action,
      resource: tableArn,
      keys: { "dynamodb:LeadingKeys": [leadingKey], "aws:PrincipalTag/tenantId": "acme" },
    });
    expect(evaluatePolicies(policies, context("dynamodb:Query", "acme")).decision).toBe("allow");
    expect(evaluatePolicies(policies, context("dynamodb:Query", "globex")).decision).toBe("implicit-deny");
    expect(evaluatePolicies(policies, context("dynamodb:DeleteItem", "acme")).decision).toBe("explicit-deny");
  });

  it("refuses a resource that is not a role", () => {
    expect(() => rolePolicyDocuments(template, tableId, resolver)).toThrow(/is not an AWS::IAM::Role/);
  });
});

describe("resolveIntrinsics", () => {
  const resolver = {
    ref: (id: string) => ({ "AWS::Partition": "aws", "AWS::Region": REGION, Bucket: "my-bucket" })[id],
    getAtt: (id: string, attribute: string) => (id === "Table" && attribute === "Arn" ? "arn:table" : undefined),
  };

  it.each([
    [{ Ref: "Bucket" }, "my-bucket"],
    [{ "Fn::GetAtt": ["Table", "Arn"] }, "arn:table"],
    [{ "Fn::GetAtt": "Table.Arn" }, "arn:table"],
    [{ "Fn::Join": ["", [{ "Fn::GetAtt": ["Table", "Arn"] }, "/index/*"]] }, "arn:table/index/*"],
    [
      { "Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/${!aws:PrincipalTag/tenantId}/*" },
      "arn:aws:s3:::my-bucket/${aws:PrincipalTag/tenantId}/*",
    ],
    [{ "Fn::Sub": ["${Arn}/x", { Arn: { "Fn::GetAtt": ["Table", "Arn"] } }] }, "arn:table/x"],
    [{ "Fn::Select": [1, { "Fn::Split": [":", "a:b:c"] }] }, "b"],
    [
      ["x", { Ref: "AWS::NoValue" }, "y"],
      ["x", "y"],
    ],
    ["${aws:PrincipalTag/tenantId}", "${aws:PrincipalTag/tenantId}"],
  ])("%j resolves to %j", (value, expected) => {
    expect(resolveIntrinsics(value, resolver)).toEqual(expected);
  });

  it("throws, saying where, on what it cannot resolve", () => {
    expect(() => resolveIntrinsics({ Resource: { Ref: "Missing" } }, resolver)).toThrow(
      "cannot resolve Ref at $.Resource: no value for Missing",
    );
    expect(() => resolveIntrinsics({ "Fn::ImportValue": "x" }, resolver)).toThrow(/not supported/);
  });
});
