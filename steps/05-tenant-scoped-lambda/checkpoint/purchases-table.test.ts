/**
 * Step 05's checkpoint, part 2: your `TenantPurchasesTable` construct in a
 * small stack, next to a function granted `grantTenantDataAccess`, as
 * CloudFormation will see it.
 */
import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { describe, expect } from "vitest";
import { check } from "../../../shared/checkpoint/check.ts";
import { TenantPurchasesTable } from "../purchases-table.ts";

type CfnResource = { Type: string; Properties: Record<string, any> };

/** The table and a function (granted data access to it, when asked), synthesized. */
function synthesize({ grant }: { grant: boolean }) {
  // CloudFormation's own validation (2 s of WASM at its first use) is the stack tests' and `npm run synth`'s job.
  const stack = new Stack(new App({ builtinCloudFormationValidation: false }), "Step05", {
    env: { account: "123456789012", region: "eu-west-1" },
  });
  const purchases = new TenantPurchasesTable(stack, "Purchases");
  const fn = new lambda.Function(stack, "PurchasesFunction", {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: "index.handler",
    code: lambda.Code.fromInline("exports.handler = async () => ({ statusCode: 200, body: '' });"),
  });
  if (grant) purchases.grantTenantDataAccess(fn);
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const tableId = stack.getLogicalId(purchases.table.node.defaultChild as never);
  const roleId = stack.getLogicalId(fn.role!.node.defaultChild as never);
  return { template, resources, tableId, roleId };
}

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

describe("the table and its permissions (CDK)", () => {
  check(
    "TenantPurchasesTable: partition key tenantId, sort key purchaseId (strings), on-demand, point-in-time recovery",
    {
      hint: "the tenant must be the partition key and the purchase id the sort key, both strings, as PURCHASES_TABLE_KEYS names them",
      todo: "purchases-table.ts, TODO 6",
    },
    () => {
      const { template } = synthesize({ grant: false });
      template.resourceCountIs("AWS::DynamoDB::Table", 1);
      template.hasResourceProperties("AWS::DynamoDB::Table", {
        KeySchema: [
          { AttributeName: "tenantId", KeyType: "HASH" },
          { AttributeName: "purchaseId", KeyType: "RANGE" },
        ],
        AttributeDefinitions: [
          { AttributeName: "tenantId", AttributeType: "S" },
          { AttributeName: "purchaseId", AttributeType: "S" },
        ],
        BillingMode: "PAY_PER_REQUEST",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    },
  );

  check(
    "grantTenantDataAccess: Get, Put, Delete and Query on this table only; never Scan, never dynamodb:*",
    {
      hint: "the function's role must get Get, Put, Delete and Query on this table's ARN, and no other action or resource",
      todo: "purchases-table.ts, TODO 7",
    },
    () => {
      const { resources, tableId, roleId } = synthesize({ grant: true });
      const statements = Object.values(resources)
        .filter((r) => r.Type === "AWS::IAM::Policy")
        .filter((r) => asList(r.Properties.Roles).some((role: any) => role?.Ref === roleId))
        .flatMap((r) => asList(r.Properties.PolicyDocument.Statement as Record<string, any>[]));
      const dynamoStatements = statements.filter((s) =>
        asList<string>(s.Action).some((a) => a === "*" || a.startsWith("dynamodb:")),
      );
      expect(dynamoStatements.length, "the function's role has a statement for DynamoDB").toBeGreaterThan(0);

      const actions = dynamoStatements.flatMap((s) => asList<string>(s.Action));
      expect(actions).toEqual(
        expect.arrayContaining(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"]),
      );
      expect(actions).not.toContain("dynamodb:Scan");
      // No wildcard: dynamodb:*, dynamodb:S* and friends would all include Scan.
      expect(actions.filter((a) => a.includes("*"))).toEqual([]);
      expect(
        actions.filter((a) => /^dynamodb:(Batch|Transact|PartiQL|CreateTable|DeleteTable|UpdateTable)/.test(a)),
      ).toEqual([]);

      for (const statement of dynamoStatements) {
        expect(statement.Effect).toBe("Allow");
        expect(statement.NotResource, "no NotResource").toBeUndefined();
        // Only the table's own ARN: not "*", not another table, not its indexes.
        expect(asList(statement.Resource)).toEqual([{ "Fn::GetAtt": [tableId, "Arn"] }]);
      }
    },
  );
});
