/**
 * The tables on the DynamoDB emulator, with the keys the CDK constructs give
 * them (a checkpoint passes the learner's purchases keys instead).
 */
import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PURCHASES_TABLE_KEYS } from "../../solutions/05-tenant-scoped-lambda/purchases-table-schema.ts";
import { REVOCATION_KEY } from "../../solutions/07-sessions/revocations.ts";

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

/** Step 07's revocation records: one string key. (dynalite has no TTL: expired records stay until the stack stops.) */
export async function createRevocationsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: REVOCATION_KEY, AttributeType: "S" }],
      KeySchema: [{ AttributeName: REVOCATION_KEY, KeyType: "HASH" }],
    }),
  );
}
