/**
 * Removing what `npm run demo` leaves behind, and nothing else: the demo's
 * users (scripts/lib/demo-cast.ts) from the user pool, and every purchase of
 * the demo's tenants from the table, one tenant's partition at a time (Query,
 * never Scan: the same rule the purchases Lambda follows). The demo replaces
 * its users with it; `npm run cleanup` removes both.
 */
import { AdminDeleteUserCommand, type CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { PURCHASES_TABLE_KEYS } from "../../solutions/05-tenant-scoped-lambda/purchases-table-schema.ts";
import { DEMO_USERS } from "./demo-cast.ts";

/** The demo's tenants, each once. */
export function demoTenants(): string[] {
  return [...new Set(Object.values(DEMO_USERS).map((user) => user.tenantId))];
}

export function demoEmails(): string[] {
  return Object.values(DEMO_USERS).map((user) => user.email);
}

/** Deletes the user; false when there is no such user (already cleaned up). */
export async function deleteUser(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  email: string,
): Promise<boolean> {
  try {
    await cognito.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: email }));
    return true;
  } catch (error) {
    if ((error as Error).name === "UserNotFoundException") return false;
    throw error;
  }
}

const BATCH_SIZE = 25; // BatchWriteItem's limit
const MAX_BATCH_ATTEMPTS = 8;

/** Deletes every purchase in the tenant's partition; resolves with how many. */
export async function deleteTenantPurchases(
  db: DynamoDBDocumentClient,
  tableName: string,
  tenantId: string,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<number> {
  const { partitionKey, sortKey } = PURCHASES_TABLE_KEYS;
  let deleted = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "#pk = :tenant",
        ExpressionAttributeNames: { "#pk": partitionKey, "#sk": sortKey },
        ExpressionAttributeValues: { ":tenant": tenantId },
        ProjectionExpression: "#pk, #sk",
        ExclusiveStartKey: startKey,
      }),
    );
    const keys = (page.Items ?? []).map((item) => ({ [partitionKey]: item[partitionKey], [sortKey]: item[sortKey] }));
    for (let i = 0; i < keys.length; i += BATCH_SIZE) {
      let requests: { DeleteRequest: { Key: Record<string, unknown> } }[] = keys
        .slice(i, i + BATCH_SIZE)
        .map((Key) => ({ DeleteRequest: { Key } }));
      for (let attempt = 1; requests.length > 0; attempt += 1) {
        if (attempt > MAX_BATCH_ATTEMPTS) {
          throw new Error(
            `DynamoDB kept ${requests.length} deletes of tenant ${tenantId} unprocessed: run \`npm run cleanup\` again in a minute.`,
          );
        }
        if (attempt > 1) await sleep(Math.min(2000, 50 * 2 ** attempt));
        const result = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        const unprocessed = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
        deleted += requests.length - unprocessed.length;
        requests = unprocessed;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return deleted;
}
