/**
 * The purchases table on the DynamoDB emulator, with the keys the CDK construct
 * gives it (a checkpoint passes the learner's keys instead).
 */
import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PURCHASES_TABLE_KEYS } from "../../solutions/05-tenant-scoped-lambda/purchases-table-schema.ts";

export async function createPurchasesTable(
  client: DynamoDBClient,
  tableName: string,
  keys: { partitionKey: string; sortKey: string } = PURCHASES_TABLE_KEYS,
): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: keys.partitionKey, AttributeType: "S" },
        { AttributeName: keys.sortKey, AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: keys.partitionKey, KeyType: "HASH" },
        { AttributeName: keys.sortKey, KeyType: "RANGE" },
      ],
    }),
  );
}
