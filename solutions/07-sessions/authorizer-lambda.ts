/**
 * The deployed authorizer: step 03's token check, then step 07's session
 * check. Configuration from the environment; clients and the JWKS at cold start.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createAuthorizer } from "../03-authorizer/authorizer.ts";
import { requiredEnv } from "../../shared/runtime/env.ts";
import { RevocationTable } from "./revocations.ts";
import { withSessionCheck } from "./session-authorizer.ts";

const records = new RevocationTable(
  DynamoDBDocumentClient.from(new DynamoDBClient({})),
  requiredEnv("REVOCATIONS_TABLE_NAME"),
);

export const handler = withSessionCheck(
  await createAuthorizer({ userPoolId: requiredEnv("USER_POOL_ID"), clientId: requiredEnv("USER_POOL_CLIENT_ID") }),
  { records },
);
