/**
 * Starts the DynamoDB emulator once for step 05's checkpoint and creates the
 * purchases table from the keys of the code under test
 * (`purchases-table-schema.ts`), as the local stack and the CDK app do.
 */
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { TestProject } from "vitest/node";
import { importUnderTest } from "../../../shared/checkpoint/check.ts";
import { startDynamoDbEmulator } from "../../../shared/local-stack/dynamodb-emulator.ts";
import { LOCAL_CREDENTIALS } from "../../../shared/local-stack/local-credentials.ts";

declare module "vitest" {
  export interface ProvidedContext {
    step05: { dynamoDbEndpoint: string; tableName: string };
  }
}

const TABLE_NAME = "step05-purchases";

export default async function setup(project: TestProject) {
  const emulator = await startDynamoDbEmulator();
  const client = new DynamoDBClient({ endpoint: emulator.endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
  try {
    const { PURCHASES_TABLE_KEYS } = await importUnderTest<typeof import("../../../solutions/05-tenant-scoped-lambda/purchases-table-schema.ts")>(
      import.meta.url,
      "purchases-table-schema.ts",
    );
    await client.send(
      new CreateTableCommand({
        TableName: TABLE_NAME,
        KeySchema: [
          { AttributeName: PURCHASES_TABLE_KEYS.partitionKey, KeyType: "HASH" },
          { AttributeName: PURCHASES_TABLE_KEYS.sortKey, KeyType: "RANGE" },
        ],
        AttributeDefinitions: [
          { AttributeName: PURCHASES_TABLE_KEYS.partitionKey, AttributeType: "S" },
          { AttributeName: PURCHASES_TABLE_KEYS.sortKey, AttributeType: "S" },
        ],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  } catch (error) {
    await emulator.stop();
    throw error;
  } finally {
    client.destroy();
  }
  project.provide("step05", { dynamoDbEndpoint: emulator.endpoint, tableName: TABLE_NAME });
  return () => emulator.stop();
}
