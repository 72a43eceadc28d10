/** The Lambda entry: configuration from the environment, clients created once per cold start. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createPurchasesHandler } from "./purchases-handler.ts";
import { requiredEnv } from "../../shared/runtime/env.ts";

export const handler = createPurchasesHandler({
  db: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  tableName: requiredEnv("TABLE_NAME"),
  corsAllowOrigin: process.env.CORS_ALLOW_ORIGIN,
});
