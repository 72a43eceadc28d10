import { describe, expect, it } from "vitest";
import { dynamoDbAuthorizations, type KeySchema } from "./dynamodb-request-context.ts";

const ARN = "arn:aws:dynamodb:us-east-1:123456789012:table";
const schemas: Record<string, KeySchema> = {
  Purchases: { partitionKey: "tenantId", globalIndexes: { byUser: "userId" } },
  Revocations: { partitionKey: "jti", globalIndexes: {} },
};
const options = { region: "us-east-1", accountId: "123456789012", keySchema: async (name: string) => schemas[name] };
const S = (value: string) => ({ S: value });

describe("dynamoDbAuthorizations", () => {
  it.each([
    {
      name: "Query: the key condition's partition value, through a name placeholder",
      operation: "Query",
      body: {
        TableName: "Purchases",
        KeyConditionExpression: "#t = :t AND begins_with(purchaseId, :p)",
        ExpressionAttributeNames: { "#t": "tenantId" },
        ExpressionAttributeValues: { ":t": S("acme"), ":p": S("2024") },
      },
      expected: [
        {
          tableName: "Purchases",
          context: {
            action: "dynamodb:Query",
            resource: `${ARN}/Purchases`,
            leadingKeys: ["acme"],
            leadingKeysKnown: true,
          },
        },
      ],
    },
    {
      name: "Query: value first, and a BETWEEN on the sort key",
      operation: "Query",
      body: {
        TableName: "Purchases",
        KeyConditionExpression: ":t = tenantId and purchaseId BETWEEN :a AND :b",
        ExpressionAttributeValues: { ":t": S("acme"), ":a": S("1"), ":b": S("2") },
      },
      leadingKeys: ["acme"],
    },
    {
      name: "Query: legacy KeyConditions",
      operation: "Query",
      body: {
        TableName: "Purchases",
        KeyConditions: { tenantId: { ComparisonOperator: "EQ", AttributeValueList: [S("globex")] } },
      },
      leadingKeys: ["globex"],
    },
    {
      name: "Query on a global secondary index: the leading keys are not told",
      operation: "Query",
      body: {
        TableName: "Purchases",
        IndexName: "byUser",
        KeyConditionExpression: "userId = :u",
        ExpressionAttributeValues: { ":u": S("alice") },
      },
      expected: [
        {
          tableName: "Purchases",
          context: {
            action: "dynamodb:Query",
            resource: `${ARN}/Purchases/index/byUser`,
            leadingKeys: undefined,
            leadingKeysKnown: false,
          },
        },
      ],
    },
    {
      name: "GetItem: the Key's partition attribute",
      operation: "GetItem",
      body: { TableName: "Purchases", Key: { tenantId: S("acme"), purchaseId: S("1") } },
      leadingKeys: ["acme"],
    },
    {
      name: "PutItem: the Item's partition attribute",
      operation: "PutItem",
      body: { TableName: `${ARN}/Purchases`, Item: { tenantId: S("acme"), purchaseId: S("1") } },
      leadingKeys: ["acme"],
    },
    {
      name: "Scan: no leading keys, and that is known",
      operation: "Scan",
      body: { TableName: "Purchases" },
      expected: [
        {
          tableName: "Purchases",
          context: {
            action: "dynamodb:Scan",
            resource: `${ARN}/Purchases`,
            leadingKeys: undefined,
            leadingKeysKnown: true,
          },
        },
      ],
    },
    {
      name: "an unknown table: the leading keys are not told",
      operation: "GetItem",
      body: { TableName: "Nope", Key: { id: S("1") } },
      leadingKeys: undefined,
    },
  ])("$name", async ({ operation, body, expected, leadingKeys }) => {
    const checks = await dynamoDbAuthorizations({ operation, body }, options);
    if (expected) expect(checks).toEqual(expected);
    else expect(checks.map((check) => check.context.leadingKeys)).toEqual([leadingKeys]);
  });

  it("BatchWriteItem: one check per table, with every put and delete key", async () => {
    const checks = await dynamoDbAuthorizations(
      {
        operation: "BatchWriteItem",
        body: {
          RequestItems: {
            Purchases: [
              { PutRequest: { Item: { tenantId: S("acme"), purchaseId: S("1") } } },
              { DeleteRequest: { Key: { tenantId: S("globex"), purchaseId: S("2") } } },
            ],
            Revocations: [{ PutRequest: { Item: { jti: S("j1") } } }],
          },
        },
      },
      options,
    );
    expect(checks.map(({ tableName, context }) => [tableName, context.resource, context.leadingKeys])).toEqual([
      ["Purchases", `${ARN}/Purchases`, ["acme", "globex"]],
      ["Revocations", `${ARN}/Revocations`, ["j1"]],
    ]);
  });

  it("an account-level call has the resource *", async () => {
    const [check] = await dynamoDbAuthorizations({ operation: "ListTables", body: {} }, options);
    expect(check?.context).toEqual({ action: "dynamodb:ListTables", resource: "*", leadingKeysKnown: true });
  });
});
