/**
 * Starts the DynamoDB emulator once for step 05's checkpoint and creates the
 * purchases table from the keys of the code under test
 * (`purchases-table-schema.ts`), as the local stack and the CDK app do.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createPurchasesTable } from "../../../shared/local-stack/purchases-table-local.ts";
import type { TestProject } from "vitest/node";
import { startDynamoDbEmulator } from "../../../shared/local-stack/dynamodb-emulator.ts";
import { LOCAL_CREDENTIALS } from "../../../shared/local-stack/local-credentials.ts";
// Under --solution this resolves to solutions/: a globalSetup goes through the runner's Vite plugins too.
import { PURCHASES_TABLE_KEYS } from "../purchases-table-schema.ts";

declare module "vitest" {
  export interface ProvidedContext {
    step05: { dynamoDbEndpoint: string; tableName: string };
  }
}

const TABLE_NAME = "step05-purchases";

export default async function setup(project: TestProject) {
  const emulator = await startDynamoDbEmulator();
  const client = new DynamoDBClient({
    endpoint: emulator.endpoint,
    region: "us-east-1",
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    await createPurchasesTable(client, TABLE_NAME, PURCHASES_TABLE_KEYS);
  } catch (error) {
    await emulator.stop();
    throw error;
  } finally {
    client.destroy();
  }
  project.provide("step05", { dynamoDbEndpoint: emulator.endpoint, tableName: TABLE_NAME });
  return () => emulator.stop();
}
