/**
 * Before `npm run deploy | destroy | cleanup -- --target aws` touch anything:
 * which credentials, which account, which Region, and can we reach AWS at all.
 * Every way this can fail ends in one sentence that says what to do
 * ({@link PreflightError}), never a stack trace, and never a hang: the network
 * check has a short timeout.
 *
 * The decisions (where the Region comes from, which error means what) are pure
 * functions; the SDK's credential chain and the AWS calls are injected, so the
 * tests run offline.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { AwsNetworkError, AwsServiceError, createAwsApi, formatSeconds, type AwsApi } from "./aws-api.ts";
import type { AwsCredentials } from "./aws-api.ts";

/** An expected failure: its message is the one sentence the script prints. */
export class PreflightError extends Error {
  override name = "PreflightError";
}

export const DOCS = "docs/instructor-guide.md";
/** How long the first call to AWS may take before we call the network down. */
export const NETWORK_TIMEOUT_MS = 5_000;
/** The SDK's chain may refresh an SSO token or assume a role: bounded too. */
export const CREDENTIALS_TIMEOUT_MS = 20_000;

/** The CDK's default bootstrap qualifier and what this app's synthesizer requires. */
export const BOOTSTRAP_VERSION_PARAMETER = "/cdk-bootstrap/hnb659fds/version";
export const BOOTSTRAP_STACK = "CDKToolkit";
export const MIN_BOOTSTRAP_VERSION = 6;

export interface AwsEnvironment {
  account: string;
  /** Who the credentials belong to (a user, or an assumed role's session). */
  arn: string;
  region: string;
  /** Where the Region came from, for the plan text. */
  regionSource: string;
  profile?: string;
  credentials: AwsCredentials;
  api: AwsApi;
}

export interface PreflightDeps {
  env?: NodeJS.ProcessEnv;
  /** The SDK's default credential chain (env, SSO, profiles, process, container, instance). */
  resolveCredentials?: () => Promise<AwsCredentials>;
  /** The Region of the profile in ~/.aws/config, as the SDK resolves it. */
  resolveProfileRegion?: () => Promise<string | undefined>;
  createApi?: (options: { credentials: AwsCredentials; region: string; timeoutMs: number }) => AwsApi;
  timeoutMs?: number;
}

/** Credentials, Region and account; throws a {@link PreflightError} that says what to fix. */
export async function preflight(options: PreflightDeps & { region?: string } = {}): Promise<AwsEnvironment> {
  const env = options.env ?? process.env;
  const profile = env.AWS_PROFILE || undefined;
  const timeoutMs = options.timeoutMs ?? NETWORK_TIMEOUT_MS;
  const context: FailureContext = { profile, timeoutMs };

  let credentials: AwsCredentials;
  try {
    credentials = await withTimeout((options.resolveCredentials ?? sdkCredentials)(), CREDENTIALS_TIMEOUT_MS, "resolving credentials");
  } catch (error) {
    throw new PreflightError(describeAwsFailure(error, context));
  }

  let region: string | undefined;
  let regionSource: string;
  if (options.region) {
    ({ region, regionSource } = { region: options.region, regionSource: "the outputs file" });
  } else {
    ({ region, source: regionSource } = regionFromEnv(env, profile));
    if (!region) {
      try {
        region = await (options.resolveProfileRegion ?? sdkProfileRegion)();
      } catch {
        region = undefined;
      }
    }
  }
  if (!region) throw new PreflightError(describeAwsFailure(new Error("Region is missing"), context));
  if (!isRegionName(region)) {
    throw new PreflightError(`"${region}" (from ${regionSource}) is not an AWS Region name like eu-west-1: check AWS_REGION or your profile's region.`);
  }
  context.region = region;

  const api = (options.createApi ?? createAwsApi)({ credentials, region, timeoutMs });
  try {
    const identity = await api.getCallerIdentity();
    return { ...identity, region, regionSource, profile, credentials, api };
  } catch (error) {
    throw new PreflightError(describeAwsFailure(error, context));
  }
}

/** AWS_REGION, then AWS_DEFAULT_REGION (the CLI's and the CDK's order); else the profile's. */
export function regionFromEnv(env: NodeJS.ProcessEnv, profile = env.AWS_PROFILE): { region?: string; source: string } {
  if (env.AWS_REGION) return { region: env.AWS_REGION, source: "AWS_REGION" };
  if (env.AWS_DEFAULT_REGION) return { region: env.AWS_DEFAULT_REGION, source: "AWS_DEFAULT_REGION" };
  return { source: profile ? `profile ${profile}` : "your default profile" };
}

export function isRegionName(region: string): boolean {
  return /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region);
}

export interface FailureContext {
  profile?: string;
  region?: string;
  timeoutMs: number;
}

/**
 * Any error of the credential chain or of a call to AWS, as one sentence a
 * person can act on. Unknown errors keep their own message.
 */
export function describeAwsFailure(error: unknown, context: FailureContext): string {
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : "";
  const code = errorCode(error);
  const login = context.profile ? `aws sso login --profile ${context.profile}` : "aws sso login";
  const where = context.region ? ` in ${context.region}` : "";

  if (error instanceof PreflightError) return message;

  // The credential chain.
  if (/aws login/i.test(message) && !/sso login/i.test(message)) {
    return "Your AWS credentials have expired: your console sign-in session has ended, run `aws login` and try again.";
  }
  if (/SSO session|SSO Token|sso login|Token is expired/i.test(message)) {
    return `Your AWS credentials have expired: your SSO session has ended, run \`${login}\` and try again.`;
  }
  if (name === "CredentialsProviderError" || name === "TokenProviderError" || /Could not load credentials/i.test(message)) {
    if (context.profile) {
      return `No AWS credentials found for profile "${context.profile}" (from AWS_PROFILE): check its name with \`aws configure list-profiles\` or sign in with \`${login}\` — see ${DOCS}.`;
    }
    return `No AWS credentials found: configure a profile (aws configure / aws sso login) or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY — see ${DOCS}.`;
  }
  if (/^Region is missing/i.test(message)) {
    return "No AWS Region set: `export AWS_REGION=eu-west-1` (or the Region you want) or set one in your profile with `aws configure set region eu-west-1`.";
  }

  // AWS's answers.
  if (["ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired"].includes(code)) {
    return `Your AWS credentials have expired: run \`${login}\` or get new temporary keys (AWS_SESSION_TOKEN), then try again.`;
  }
  if (code === "RequestExpired" || /Signature expired/i.test(message)) {
    return "AWS refused the request as signed at the wrong time: your computer's clock is off, set it to the network time and try again.";
  }
  if (code === "InvalidClientTokenId" || code === "UnrecognizedClientException") {
    return `AWS rejected your credentials${where} (${code}): the access key is wrong or was deleted, or the Region is not enabled for your account; check AWS_ACCESS_KEY_ID or your profile.`;
  }
  if (code === "SignatureDoesNotMatch" || code === "InvalidSignatureException") {
    return `AWS rejected your credentials${where} (${code}): the secret access key does not belong to the access key; check AWS_SECRET_ACCESS_KEY or your profile.`;
  }
  if (code === "AccessDenied" || code === "AccessDeniedException") {
    return `Your AWS identity may not do this${where} (${code}: ${firstSentence(message).replace(/[.!?]$/, "")}); use a role with administrator access for the workshop — see ${DOCS}.`;
  }

  // No answer at all.
  if (error instanceof AwsNetworkError) return `Cannot reach AWS (${error.host}: ${error.reason}): check your network.`;
  if (error instanceof TimeoutError) return `Cannot reach AWS (${error.what} took more than ${formatSeconds(error.ms)}): check your network.`;
  if (NETWORK_CODES.has(code)) return `Cannot reach AWS (${code}): check your network.`;

  if (error instanceof AwsServiceError) return `AWS ${error.service.toUpperCase()} answered ${code}: ${firstSentence(message)}`;
  return message;
}

const NETWORK_CODES = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "UND_ERR_CONNECT_TIMEOUT",
  "TimeoutError",
  "RequestTimeout",
]);

/** The error code of an SDK exception, our own errors, or a Node network error (also as `cause`). */
export function errorCode(error: unknown): string {
  if (error instanceof AwsServiceError) return error.code;
  if (!(error instanceof Error)) return "";
  const own = error as Error & { code?: unknown; Code?: unknown; $metadata?: unknown };
  if (typeof own.code === "string") return own.code;
  if (typeof own.Code === "string") return own.Code;
  const cause = error.cause as { code?: unknown } | undefined;
  if (cause && typeof cause.code === "string") return cause.code;
  // SDK exceptions are named after their code.
  if (own.$metadata !== undefined || error.name === "TimeoutError") return error.name;
  return "";
}

function firstSentence(message: string): string {
  const text = message.trim().replace(/\s+/g, " ");
  const sentence = /^.*?[.!?](\s|$)/.exec(text)?.[0]?.trim() ?? text;
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

/**
 * Checks the CDK bootstrap stack (`CDKToolkit`) through its SSM parameter, as
 * `cdk deploy` itself does. Returns its version, or undefined when we may not
 * read it (then `cdk deploy` checks). Not bootstrapped: a PreflightError that
 * gives the exact `cdk bootstrap` command.
 */
export async function checkBootstrap(aws: Pick<AwsEnvironment, "account" | "region" | "api" | "profile">, timeoutMs = NETWORK_TIMEOUT_MS) {
  const command = `npx cdk bootstrap aws://${aws.account}/${aws.region}`;
  let value: string | undefined;
  try {
    value = await aws.api.getParameter(BOOTSTRAP_VERSION_PARAMETER);
  } catch (error) {
    if (error instanceof AwsServiceError && /AccessDenied/.test(error.code)) return undefined;
    throw new PreflightError(describeAwsFailure(error, { profile: aws.profile, region: aws.region, timeoutMs }));
  }
  if (value === undefined) {
    throw new PreflightError(
      `Account ${aws.account} is not bootstrapped for the CDK in ${aws.region} (no ${BOOTSTRAP_STACK} stack, no SSM parameter ${BOOTSTRAP_VERSION_PARAMETER}): run \`${command}\` once, then deploy again — see ${DOCS}.`,
    );
  }
  const version = Number(value);
  if (!Number.isInteger(version) || version < MIN_BOOTSTRAP_VERSION) {
    throw new PreflightError(
      `The CDK bootstrap stack in account ${aws.account}, ${aws.region} is version ${value}, older than the ${MIN_BOOTSTRAP_VERSION} this app needs: run \`${command}\` to update it, then deploy again.`,
    );
  }
  return version;
}

// ---- The SDK's default chain ------------------------------------------------

/** A client's `config.credentials()` is the SDK's default provider chain. */
async function sdkCredentials(): Promise<AwsCredentials> {
  const client = new DynamoDBClient({ region: "us-east-1" });
  try {
    const { accessKeyId, secretAccessKey, sessionToken } = await client.config.credentials();
    return { accessKeyId, secretAccessKey, sessionToken };
  } finally {
    client.destroy();
  }
}

async function sdkProfileRegion(): Promise<string | undefined> {
  const client = new DynamoDBClient({});
  try {
    return await client.config.region();
  } finally {
    client.destroy();
  }
}

class TimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what} took more than ${formatSeconds(ms)}`);
    this.name = "PreflightTimeout";
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
