/**
 * The three AWS calls the deploy scripts make before handing over to the CDK
 * CLI: who am I (STS GetCallerIdentity), is the account bootstrapped (SSM
 * GetParameter) and does the stack exist (CloudFormation DescribeStacks), on
 * the AWS SDK's clients, each with a short timeout and no retries so that a
 * missing network is one clear sentence at once, not a long wait.
 *
 * Like the SDK and the CDK CLI, endpoints honour `AWS_ENDPOINT_URL_<SERVICE>`
 * and `AWS_ENDPOINT_URL` (the tests point them at a fake server).
 */
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
export interface CallerIdentity {
  account: string;
  arn: string;
}

export interface AwsApi {
  getCallerIdentity(): Promise<CallerIdentity>;
  /** The SSM parameter's value, or undefined when it does not exist. */
  getParameter(name: string): Promise<string | undefined>;
  /** The stack's status, or undefined when there is no such stack. */
  getStackStatus(stackName: string): Promise<string | undefined>;
}

/** AWS answered with an error (`code` is its error code, like `ExpiredToken`). */
export class AwsServiceError extends Error {
  constructor(
    readonly service: string,
    readonly code: string,
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
    this.name = "AwsServiceError";
  }
}

/** No answer from AWS: DNS, connection, TLS or timeout. */
export class AwsNetworkError extends Error {
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super(`Cannot reach ${host}: ${reason}`);
    this.name = "AwsNetworkError";
  }
}

export interface AwsApiOptions {
  credentials: AwsCredentials;
  region: string;
  /** Per request; a request that takes longer is a network failure. */
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

type Service = "sts" | "ssm" | "cloudformation";

/** The service endpoint: `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, or AWS's regional one. */
export function serviceEndpoint(service: Service, region: string, env: NodeJS.ProcessEnv = process.env): URL {
  const override = endpointOverride(service, env);
  if (override) return new URL(override);
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return new URL(`https://${service}.${region}.${suffix}/`);
}

function endpointOverride(service: Service, env: NodeJS.ProcessEnv): string | undefined {
  return env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] ?? env.AWS_ENDPOINT_URL;
}

export function createAwsApi(options: AwsApiOptions): AwsApi {
  const env = options.env ?? process.env;
  const config = (service: Service) => {
    const endpoint = endpointOverride(service, env);
    return { region: options.region, credentials: options.credentials, maxAttempts: 1, ...(endpoint ? { endpoint } : {}) };
  };
  const sts = new STSClient(config("sts"));
  const ssm = new SSMClient(config("ssm"));
  const cloudFormation = new CloudFormationClient(config("cloudformation"));

  /** Runs one call with the timeout; AWS's refusals become AwsServiceError, no answer AwsNetworkError. */
  async function call<T>(service: Service, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await send(AbortSignal.timeout(options.timeoutMs));
    } catch (error) {
      const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
      if (error instanceof Error && metadata?.httpStatusCode) {
        throw new AwsServiceError(service, error.name, error.message, metadata.httpStatusCode);
      }
      throw new AwsNetworkError(serviceEndpoint(service, options.region, env).host, networkReason(error, options.timeoutMs));
    }
  }

  return {
    async getCallerIdentity() {
      const out = await call("sts", (abortSignal) => sts.send(new GetCallerIdentityCommand({}), { abortSignal }));
      if (!out.Account) throw new AwsServiceError("sts", "InvalidResponse", "GetCallerIdentity answered without an account.", 200);
      return { account: out.Account, arn: out.Arn ?? "" };
    },

    async getParameter(name) {
      try {
        const out = await call("ssm", (abortSignal) => ssm.send(new GetParameterCommand({ Name: name }), { abortSignal }));
        return out.Parameter?.Value;
      } catch (error) {
        if (error instanceof AwsServiceError && error.code === "ParameterNotFound") return undefined;
        throw error;
      }
    },

    async getStackStatus(stackName) {
      try {
        const out = await call("cloudformation", (abortSignal) =>
          cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }), { abortSignal }),
        );
        return out.Stacks?.[0]?.StackStatus;
      } catch (error) {
        // CloudFormation's way of saying "no such stack".
        if (error instanceof AwsServiceError && error.code === "ValidationError" && /does not exist/.test(error.message)) return undefined;
        throw error;
      }
    },
  };
}

/** Why a call got no answer, in a few words: `ENOTFOUND`, `ECONNREFUSED`, `no answer within 5 s`. */
export function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no answer within ${formatSeconds(timeoutMs)}`;
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") return code;
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === "string") return cause.code;
  if (cause && typeof cause.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
