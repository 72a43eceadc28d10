/**
 * `npm run cleanup`: removes what the demo leaves behind, and nothing else:
 * the demo's users (scripts/lib/demo-cast.ts) from the user pool, and every
 * purchase of the demo's tenants from the table, one tenant's partition at a
 * time (Query, never Scan: the same rule the purchases Lambda follows).
 */
import { readFile } from "node:fs/promises";
import { AdminDeleteUserCommand, CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { LOCAL_CREDENTIALS } from "../../shared/local-stack/local-credentials.ts";
import { STACK_NAME, outputsFilePath, type StackOutputs, type Target } from "../../shared/local-stack/outputs-file.ts";
import { PURCHASES_TABLE_KEYS } from "../../solutions/05-tenant-scoped-lambda/purchases-table-schema.ts";
import { PreflightError, describeAwsFailure, errorCode, preflight, type AwsEnvironment } from "../instructor/lib/aws-preflight.ts";
import type { AwsCredentials } from "../instructor/lib/aws-api.ts";
import { DEMO_USERS } from "./demo-cast.ts";
import { displayPath, parseStrict } from "../instructor/lib/stack-commands.ts";

export const CLEANUP_USAGE = "Usage: npm run cleanup [-- --target local|aws] [--outputs FILE] [--profile NAME]";

export interface CleanupOptions {
  target: Target;
  outputsFile: string;
  /** Whether --outputs was given (the default file's messages say which command to run). */
  outputsGiven: boolean;
  profile?: string;
  help: boolean;
}

export function parseCleanupArgs(argv: string[]): CleanupOptions {
  const values = parseStrict(
    argv,
    {
      target: { type: "string", default: "local" },
      outputs: { type: "string" },
      profile: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    CLEANUP_USAGE,
  );
  const target = values.target;
  if (target !== "local" && target !== "aws") throw new Error(`--target must be "local" or "aws", not "${String(target)}": ${CLEANUP_USAGE}`);
  return {
    target,
    outputsFile: typeof values.outputs === "string" ? values.outputs : outputsFilePath(target),
    outputsGiven: typeof values.outputs === "string",
    profile: typeof values.profile === "string" && values.profile ? values.profile : undefined,
    help: values.help === true,
  };
}

/** The demo's tenants, each once. */
export function demoTenants(): string[] {
  return [...new Set(Object.values(DEMO_USERS).map((user) => user.tenantId))];
}

export function demoEmails(): string[] {
  return Object.values(DEMO_USERS).map((user) => user.email);
}

/** The outputs, or one sentence: missing file, not JSON, no stack, wrong kind of stack for the target. */
export async function readCleanupOutputs(options: Pick<CleanupOptions, "target" | "outputsFile" | "outputsGiven">): Promise<StackOutputs> {
  const file = displayPath(options.outputsFile);
  let text: string;
  try {
    text = await readFile(options.outputsFile, "utf8");
  } catch {
    if (options.outputsGiven) throw new Error(`Cannot read the outputs file ${file}: check the path given to --outputs.`);
    throw new Error(
      options.target === "aws"
        ? `No deployed stack found (${file} is missing): nothing to clean up, or run \`npm run deploy\` first.`
        : `No local stack found (${file} is missing): run \`npm run local\` in another terminal first.`,
    );
  }
  let outputs: StackOutputs | undefined;
  try {
    outputs = (JSON.parse(text) as Record<string, StackOutputs | undefined>)[STACK_NAME];
  } catch {
    throw new Error(`${file} is not JSON: deploy or start the stack again to rewrite it.`);
  }
  if (!outputs?.UserPoolId || !outputs.TableName || !outputs.Region) {
    throw new Error(`${file} has no ${STACK_NAME} outputs (UserPoolId, TableName, Region): deploy or start the stack again.`);
  }
  const local = Boolean(outputs.CognitoEndpoint && outputs.DynamoDbEndpoint);
  if (options.target === "local" && !local) {
    throw new Error(`${file} describes a deployed stack, not the local one (it has no local endpoints): use --target aws.`);
  }
  if (options.target === "aws" && local) throw new Error(`${file} describes the local stack: use --target local.`);
  return outputs;
}

export interface CleanupClients {
  cognito: CognitoIdentityProviderClient;
  db: DynamoDBDocumentClient;
  destroy(): void;
}

export function cleanupClients(outputs: StackOutputs, credentials: AwsCredentials): CleanupClients {
  const local = outputs.CognitoEndpoint !== undefined;
  const common = { region: outputs.Region, credentials, ...(local ? { maxAttempts: 2 } : {}) };
  const cognito = new CognitoIdentityProviderClient({ ...common, endpoint: outputs.CognitoEndpoint });
  const dynamo = new DynamoDBClient({ ...common, endpoint: outputs.DynamoDbEndpoint });
  return {
    cognito,
    db: DynamoDBDocumentClient.from(dynamo),
    destroy() {
      cognito.destroy();
      dynamo.destroy();
    },
  };
}

/** Deletes the user; false when there is no such user (already cleaned up). */
export async function deleteUser(cognito: CognitoIdentityProviderClient, userPoolId: string, email: string): Promise<boolean> {
  try {
    await cognito.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: email }));
    return true;
  } catch (error) {
    if (errorCode(error) === "UserNotFoundException") return false;
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
          throw new Error(`DynamoDB kept ${requests.length} deletes of tenant ${tenantId} unprocessed: run \`npm run cleanup\` again in a minute.`);
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

export interface CleanupDeps {
  preflight: (options: { region: string }) => Promise<AwsEnvironment>;
  log: (line: string) => void;
}

export async function runCleanup(
  argv: string[],
  deps: CleanupDeps = { preflight: (options) => preflight(options), log: (line) => console.log(line) },
): Promise<number> {
  const options = parseCleanupArgs(argv);
  const { log } = deps;
  if (options.help) {
    log(`${CLEANUP_USAGE}\n\nRemoves the demo's users (${demoEmails().join(", ")}) and every purchase of its tenants (${demoTenants().join(", ")}) from the stack named by the outputs file.`);
    return 0;
  }
  if (options.profile) process.env.AWS_PROFILE = options.profile;
  const outputs = await readCleanupOutputs(options);
  const file = displayPath(options.outputsFile);

  let credentials: AwsCredentials = LOCAL_CREDENTIALS;
  let where = `the local stack (${file})`;
  let aws: AwsEnvironment | undefined;
  if (options.target === "aws") {
    log("Checking your AWS credentials…");
    aws = await deps.preflight({ region: outputs.Region });
    credentials = aws.credentials;
    where = `AWS account ${aws.account}, ${outputs.Region} (${file})`;
  }
  log(`Cleaning up the demo on ${where}`);
  log(`  user pool ${outputs.UserPoolId}, table ${outputs.TableName}`);

  const explain = (error: unknown, what: string): Error => {
    const code = errorCode(error);
    if (options.target === "local" && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|TimeoutError)$/.test(code)) {
      return new PreflightError(
        `The local stack does not answer (${code} from ${outputs.CognitoEndpoint}): start it with \`npm run local\` (${file} is left from a stack that has stopped).`,
      );
    }
    if (code === "ResourceNotFoundException") {
      return new PreflightError(`${what} no longer exists: the stack was destroyed or restarted, so there is nothing to clean up (${file} is stale).`);
    }
    return new PreflightError(describeAwsFailure(error, { profile: aws?.profile, region: outputs.Region, timeoutMs: 0 }));
  };

  const clients = cleanupClients(outputs, credentials);
  let users = 0;
  let purchases = 0;
  try {
    for (const email of demoEmails()) {
      const removed = await deleteUser(clients.cognito, outputs.UserPoolId, email).catch((error: unknown) => {
        throw explain(error, `The user pool ${outputs.UserPoolId}`);
      });
      if (removed) users += 1;
      log(`  ${removed ? "removed  " : "not found"}  user ${email}`);
    }
    for (const tenantId of demoTenants()) {
      const count = await deleteTenantPurchases(clients.db, outputs.TableName, tenantId).catch((error: unknown) => {
        throw error instanceof PreflightError || /unprocessed/.test(String(error)) ? error : explain(error, `The table ${outputs.TableName}`);
      });
      purchases += count;
      log(`  removed    ${count} purchase${count === 1 ? "" : "s"} of tenant ${tenantId}`);
    }
  } finally {
    clients.destroy();
  }
  log(`Removed ${users} user${users === 1 ? "" : "s"} and ${purchases} purchase${purchases === 1 ? "" : "s"}.`);
  return 0;
}
