/** The POST /sign-out Lambda entry: configuration from the environment, clients created once per cold start. */
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { requiredEnv } from "../../shared/runtime/env.ts";
import { cognitoSignOut } from "./cognito-sessions.ts";
import { RevocationTable } from "./revocations.ts";
import { createSignOutHandler } from "./sign-out-handler.ts";

export const handler = createSignOutHandler({
  revocations: new RevocationTable(
    DynamoDBDocumentClient.from(new DynamoDBClient({})),
    requiredEnv("REVOCATIONS_TABLE_NAME"),
  ),
  cognito: cognitoSignOut(
    new CognitoIdentityProviderClient({}),
    requiredEnv("USER_POOL_ID"),
    requiredEnv("USER_POOL_CLIENT_ID"),
  ),
  recordLifetimeSeconds: Number(requiredEnv("REVOCATION_RECORD_LIFETIME_SECONDS")),
  corsAllowOrigin: process.env.CORS_ALLOW_ORIGIN,
});
