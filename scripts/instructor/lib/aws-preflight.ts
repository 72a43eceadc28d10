/**
 * What `npm run deploy | destroy | cleanup -- --target aws` check before the CDK CLI or the SDK run, because their
 * own words for it are vague: whose credentials (and whether they expired), which Region, and the CDK bootstrap.
 * Every failure is one sentence that says what to do ({@link AwsCommandError}), and nothing hangs.
 */
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

/** An expected failure: its message is the one sentence the script prints. */
export class AwsCommandError extends Error {
  override name = "AwsCommandError";
}

export const DOCS = "docs/instructor-guide.md";
/** Each call to AWS gives up after this long, so no network is a sentence at once, not a long wait. */
export const NETWORK_TIMEOUT_MS = 5_000;
/** The SDK's chain may refresh an SSO token or assume a role first: bounded too. */
const CREDENTIALS_TIMEOUT_MS = 20_000;
/** The CDK's default bootstrap qualifier, and the version this app's synthesizer needs. */
export const BOOTSTRAP_VERSION_PARAMETER = "/cdk-bootstrap/hnb659fds/version";
const MIN_BOOTSTRAP_VERSION = 6;

export interface AwsEnvironment {
  account: string;
  /** Who the credentials belong to (a user, or an assumed role's session). */
  arn: string;
  region: string;
  /** Where the Region came from, said before anything happens. */
  regionSource: string;
  profile?: string;
}

/**
 * Credentials (the SDK's default chain, as the CDK CLI uses), Region and account, proved by STS GetCallerIdentity.
 * `region` pins it (cleanup takes the outputs file's); otherwise AWS_REGION, AWS_DEFAULT_REGION, the profile's.
 */
export async function preflight(options: { env?: NodeJS.ProcessEnv; region?: string } = {}): Promise<AwsEnvironment> {
  const env = options.env ?? process.env;
  const profile = env.AWS_PROFILE || undefined;
  // Credentials first, in any Region: "who am I" comes before "where".
  const chain = new STSClient({ region: "us-east-1" });
  const credentials = await call("sts", { profile, env }, CREDENTIALS_TIMEOUT_MS, chain.config.credentials());
  const found = options.region ? { region: options.region, source: "the outputs file" } : regionFromEnv(env);
  const region = found.region ?? (await new STSClient({}).config.region().catch(() => undefined));
  if (!region) {
    throw new AwsCommandError(
      "No AWS Region set: `export AWS_REGION=eu-west-1` (or the Region you want) " +
        "or set one in your profile with `aws configure set region eu-west-1`.",
    );
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new AwsCommandError(
      `"${region}" (from ${found.source}) is not an AWS Region name like eu-west-1: check AWS_REGION or your profile.`,
    );
  }
  const sts = new STSClient({ ...clientConfig(region), credentials });
  const asking = sts.send(new GetCallerIdentityCommand({}));
  const identity = await call("sts", { profile, region, env }, NETWORK_TIMEOUT_MS, asking);
  return { account: identity.Account ?? "", arn: identity.Arn ?? "", region, regionSource: found.source, profile };
}

/** AWS_REGION, then AWS_DEFAULT_REGION (the CLI's and the CDK's order); else the profile's, found by the SDK. */
export function regionFromEnv(env: NodeJS.ProcessEnv): { region?: string; source: string } {
  if (env.AWS_REGION) return { region: env.AWS_REGION, source: "AWS_REGION" };
  if (env.AWS_DEFAULT_REGION) return { region: env.AWS_DEFAULT_REGION, source: "AWS_DEFAULT_REGION" };
  return { source: env.AWS_PROFILE ? `profile ${env.AWS_PROFILE}` : "your default profile" };
}

/**
 * The CDK bootstrap, read where `cdk deploy` reads it, so a missing one is the exact `cdk bootstrap` command
 * with the account and Region filled in. No permission to read it: the CDK CLI checks it itself.
 */
export async function checkBootstrap(aws: AwsEnvironment, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const command = `npx cdk bootstrap aws://${aws.account}/${aws.region}`;
  const ssm = new SSMClient(clientConfig(aws.region));
  let value: string | undefined;
  try {
    const sending = ssm.send(new GetParameterCommand({ Name: BOOTSTRAP_VERSION_PARAMETER }));
    value = (await call("ssm", { ...aws, env }, NETWORK_TIMEOUT_MS, sending)).Parameter?.Value;
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    if (/AccessDenied/.test(code)) return;
    if (code !== "ParameterNotFound") throw error;
  }
  if (value === undefined) {
    throw new AwsCommandError(
      `Account ${aws.account} is not bootstrapped for the CDK in ${aws.region}: run \`${command}\` once, ` +
        `then deploy again — see ${DOCS}.`,
    );
  }
  if (!(Number(value) >= MIN_BOOTSTRAP_VERSION)) {
    throw new AwsCommandError(
      `The CDK bootstrap in account ${aws.account}, ${aws.region} is version ${value}, older than the ` +
        `${MIN_BOOTSTRAP_VERSION} this app needs: run \`${command}\` to update it, then deploy again.`,
    );
  }
}

/** One attempt, bounded: retries would turn a missing network into a minute of silence. */
const clientConfig = (region: string) => {
  const ms = NETWORK_TIMEOUT_MS;
  const requestHandler = { connectionTimeout: ms, requestTimeout: ms, throwOnRequestTimeout: true };
  return { region, maxAttempts: 1, requestHandler };
};

/** `host` and `ms`: the endpoint called and how long it had, for "Cannot reach AWS (host: no answer within 5 s)". */
type FailureContext = { profile?: string; region?: string; env?: NodeJS.ProcessEnv; host?: string; ms?: number };

/** Runs one SDK call, bounded; any failure (its credentials included) is a sentence that keeps the code. */
async function call<T>(service: string, context: FailureContext, ms: number, sending: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("timeout"), { name: "TimeoutError" })), ms);
  });
  try {
    return await Promise.race([sending, timeout]);
  } catch (error) {
    const sentence = describeAwsFailure(error, { ...context, host: endpointHost(service, context), ms });
    throw Object.assign(new AwsCommandError(sentence), { code: errorCode(error) });
  } finally {
    clearTimeout(timer);
  }
}

/** Where the SDK sends the call: `AWS_ENDPOINT_URL[_<SERVICE>]` (the tests' fake AWS) or AWS's regional host. */
function endpointHost(service: string, { env = process.env, region = "" }: FailureContext): string {
  const override = env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] ?? env.AWS_ENDPOINT_URL;
  return override ? new URL(override).host : `${service}.${region}.amazonaws.com`;
}

/** The code of an SDK exception (its name), or of a Node network error (also as `cause`). */
export function errorCode(error: unknown): string {
  if (!(error instanceof Error)) return "";
  const own = error as Error & { code?: unknown; $metadata?: unknown };
  if (typeof own.code === "string") return own.code;
  const cause = error.cause as { code?: unknown } | undefined;
  if (typeof cause?.code === "string") return cause.code;
  return own.$metadata !== undefined || TIMEOUT_CODES.test(error.name) ? error.name : "";
}

const TIMEOUT_CODES = /Timeout|AbortError/;
const NETWORK_CODES =
  /^(ENOTFOUND|EAI_AGAIN|ECONN(REFUSED|RESET)|ETIMEDOUT|E(HOST|NET)UNREACH|EPIPE)$|Timeout|AbortError/;

/** Any failure of the credential chain or of a call to AWS, as one sentence a person can act on. */
export function describeAwsFailure(error: unknown, context: FailureContext): string {
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : "";
  const code = errorCode(error);
  const login = context.profile ? `aws sso login --profile ${context.profile}` : "aws sso login";
  const where = context.region ? ` in ${context.region}` : "";
  if (error instanceof AwsCommandError) return message;

  // The credential chain, before any call.
  if (/SSO session|SSO Token|sso login|Token is expired/i.test(message)) {
    return `Your AWS credentials have expired: your SSO session has ended, run \`${login}\` and try again.`;
  }
  if (/aws login/i.test(message)) {
    return "Your AWS credentials have expired: your console sign-in session has ended, run `aws login` and try again.";
  }
  if (/CredentialsProviderError|TokenProviderError/.test(name) || /Could not load credentials/i.test(message)) {
    return context.profile
      ? `No AWS credentials found for profile "${context.profile}" (from AWS_PROFILE): check its name with ` +
          `\`aws configure list-profiles\` or sign in with \`${login}\` — see ${DOCS}.`
      : "No AWS credentials found: configure a profile (aws configure / aws sso login) or set " +
          `AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY — see ${DOCS}.`;
  }

  // AWS's answers.
  if (/^(ExpiredToken|ExpiredTokenException|TokenRefreshRequired)$/.test(code)) {
    return `Your AWS credentials have expired: run \`${login}\` or get new temporary keys, then try again.`;
  }
  if (/^(InvalidClientTokenId|UnrecognizedClientException|SignatureDoesNotMatch)$/.test(code)) {
    return (
      `AWS rejected your credentials${where} (${code}): the access key or its secret is wrong or deleted, ` +
      "or the Region is not enabled for your account; check AWS_ACCESS_KEY_ID or your profile."
    );
  }
  if (/^AccessDenied/.test(code)) {
    return `Your AWS identity may not do this${where} (${code}); use a role with administrator access — see ${DOCS}.`;
  }

  // No answer at all.
  const reason = TIMEOUT_CODES.test(code) ? `no answer within ${(context.ms ?? NETWORK_TIMEOUT_MS) / 1000} s` : code;
  if (NETWORK_CODES.test(code))
    return `Cannot reach AWS (${context.host ? `${context.host}: ` : ""}${reason}): check your network.`;
  return code ? `AWS answered ${code}: ${message}` : message;
}
