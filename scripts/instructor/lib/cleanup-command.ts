/**
 * `npm run cleanup [-- --target local|aws] [--outputs FILE] [--profile NAME]`: removes the demo's users and their
 * tenants' purchases from the stack named by the outputs file, keeps the stack, and says what it removed.
 */
import { readFile } from "node:fs/promises";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { LOCAL_CREDENTIALS } from "../../../shared/local-stack/local-credentials.ts";
import { STACK_NAME, outputsFilePath } from "../../../shared/outputs-file.ts";
import type { StackOutputs, Target } from "../../../shared/outputs-file.ts";
import { isTarget, targetProblem } from "../../lib/cli-args.ts";
import { deleteTenantPurchases, deleteUser, demoEmails, demoTenants } from "../../lib/demo-cleanup.ts";
import { AwsCommandError, describeAwsFailure, errorCode, preflight, type AwsEnvironment } from "./aws-preflight.ts";
import { displayPath, parseStrict } from "./stack-commands.ts";

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
      help: { type: "boolean", short: "h" },
    },
    CLEANUP_USAGE,
  );
  const target = values.target;
  if (!isTarget(target)) throw new AwsCommandError(`${targetProblem(target)}: ${CLEANUP_USAGE}`);
  return {
    target,
    outputsFile: typeof values.outputs === "string" ? values.outputs : outputsFilePath(target),
    outputsGiven: typeof values.outputs === "string",
    profile: typeof values.profile === "string" && values.profile ? values.profile : undefined,
    help: values.help === true,
  };
}

/** The outputs, or one sentence: missing file, not JSON, no stack, wrong kind of stack for the target. */
export async function readCleanupOutputs(options: Omit<CleanupOptions, "help" | "profile">): Promise<StackOutputs> {
  const file = displayPath(options.outputsFile);
  let text: string;
  try {
    text = await readFile(options.outputsFile, "utf8");
  } catch {
    if (options.outputsGiven) throw new Error(`Cannot read the outputs file ${file}: check the path after --outputs.`);
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
    const again = "deploy or start the stack again";
    throw new Error(`${file} has no ${STACK_NAME} outputs (UserPoolId, TableName, Region): ${again}.`);
  }
  const local = Boolean(outputs.CognitoEndpoint && outputs.DynamoDbEndpoint);
  if (options.target === "local" && !local) {
    throw new Error(`${file} describes a deployed stack, not the local one (no local endpoints): use --target aws.`);
  }
  if (options.target === "aws" && local) throw new Error(`${file} describes the local stack: use --target local.`);
  return outputs;
}

export interface CleanupDeps {
  preflight: (options: { region: string }) => Promise<AwsEnvironment>;
  log: (line: string) => void;
}

const defaultDeps: CleanupDeps = { preflight: (options) => preflight(options), log: (line) => console.log(line) };

export async function runCleanup(argv: string[], deps: CleanupDeps = defaultDeps): Promise<number> {
  const options = parseCleanupArgs(argv);
  const { log } = deps;
  if (options.help) {
    log(
      `${CLEANUP_USAGE}\n\nRemoves the demo's users (${demoEmails().join(", ")}) and every purchase of its tenants ` +
        `(${demoTenants().join(", ")}) from the stack named by the outputs file.`,
    );
    return 0;
  }
  if (options.profile) process.env.AWS_PROFILE = options.profile;
  const outputs = await readCleanupOutputs(options);
  const file = displayPath(options.outputsFile);
  const local = options.target === "local";

  let where = `the local stack (${file})`;
  let aws: AwsEnvironment | undefined;
  if (!local) {
    log("Checking your AWS credentials…");
    aws = await deps.preflight({ region: outputs.Region });
    where = `AWS account ${aws.account}, ${outputs.Region} (${file})`;
  }
  log(`Cleaning up the demo on ${where}`);
  log(`  user pool ${outputs.UserPoolId}, table ${outputs.TableName}`);

  const explain = (error: unknown, what: string): Error => {
    const code = errorCode(error);
    if (local && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|TimeoutError)$/.test(code)) {
      const answer = `${code} from ${outputs.CognitoEndpoint}`;
      const stopped = `${file} is left from a stack that has stopped`;
      const start = "start it with `npm run local`";
      return new AwsCommandError(`The local stack does not answer (${answer}): ${start} (${stopped}).`);
    }
    if (code === "ResourceNotFoundException") {
      const gone = "the stack was destroyed or restarted, so there is nothing to clean up";
      return new AwsCommandError(`${what} no longer exists: ${gone} (${file} is stale).`);
    }
    return new AwsCommandError(describeAwsFailure(error, { profile: aws?.profile, region: outputs.Region }));
  };

  // Locally the emulators' fixed keys; on AWS the SDK's default chain, the one preflight proved.
  const common = { region: outputs.Region, ...(local ? { credentials: LOCAL_CREDENTIALS, maxAttempts: 2 } : {}) };
  const cognito = new CognitoIdentityProviderClient({ ...common, endpoint: outputs.CognitoEndpoint });
  const dynamo = new DynamoDBClient({ ...common, endpoint: outputs.DynamoDbEndpoint });
  const db = DynamoDBDocumentClient.from(dynamo);
  let users = 0;
  let purchases = 0;
  try {
    for (const email of demoEmails()) {
      const removed = await deleteUser(cognito, outputs.UserPoolId, email).catch((error: unknown) => {
        throw explain(error, `The user pool ${outputs.UserPoolId}`);
      });
      if (removed) users += 1;
      log(`  ${removed ? "removed  " : "not found"}  user ${email}`);
    }
    for (const tenantId of demoTenants()) {
      const count = await deleteTenantPurchases(db, outputs.TableName, tenantId).catch((error: unknown) => {
        throw /unprocessed/.test(String(error)) ? error : explain(error, `The table ${outputs.TableName}`);
      });
      purchases += count;
      log(`  removed    ${count} purchase${count === 1 ? "" : "s"} of tenant ${tenantId}`);
    }
  } finally {
    cognito.destroy();
    dynamo.destroy();
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  log(`Removed ${plural(users, "user")} and ${plural(purchases, "purchase")}.`);
  return 0;
}
