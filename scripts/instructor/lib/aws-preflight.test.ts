import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsNetworkError, AwsServiceError, createAwsApi, serviceEndpoint, type AwsApi } from "./aws-api.ts";
import {
  PreflightError,
  checkBootstrap,
  describeAwsFailure,
  errorCode,
  isRegionName,
  preflight,
  regionFromEnv,
} from "./aws-preflight.ts";
import { FAKE_CREDENTIALS, startFakeAws, type FakeAws } from "./fake-aws-server.ts";

const context = { timeoutMs: 5000 };

/** An error shaped like the SDK's (name, message, optional fields). */
function sdkError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

describe("where the Region comes from", () => {
  it("AWS_REGION first, then AWS_DEFAULT_REGION, then the profile", () => {
    expect(regionFromEnv({ AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "us-east-2" })).toEqual({ region: "eu-west-1", source: "AWS_REGION" });
    expect(regionFromEnv({ AWS_DEFAULT_REGION: "us-east-2" })).toEqual({ region: "us-east-2", source: "AWS_DEFAULT_REGION" });
    expect(regionFromEnv({ AWS_PROFILE: "workshop" })).toEqual({ source: "profile workshop" });
    expect(regionFromEnv({})).toEqual({ source: "your default profile" });
  });

  it.each(["eu-west-1", "us-east-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1", "eu-central-2"])("%s is a Region name", (region) => {
    expect(isRegionName(region)).toBe(true);
  });

  it.each(["", "EU-WEST-1", "eu-west", "europe", "eu-west-1a", "https://eu-west-1"])("%j is not", (region) => {
    expect(isRegionName(region)).toBe(false);
  });
});

describe("errors as one sentence", () => {
  it("no credentials anywhere", () => {
    const sentence = describeAwsFailure(sdkError("CredentialsProviderError", "Could not load credentials from any providers"), context);
    expect(sentence).toBe(
      "No AWS credentials found: configure a profile (aws configure / aws sso login) or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY — see docs/instructor-guide.md.",
    );
  });

  it("no credentials for the profile named in AWS_PROFILE", () => {
    const sentence = describeAwsFailure(sdkError("CredentialsProviderError", "Could not load credentials from any providers"), { ...context, profile: "ghost" });
    expect(sentence).toContain('No AWS credentials found for profile "ghost"');
    expect(sentence).toContain("aws sso login --profile ghost");
  });

  it.each([
    "The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.",
    "The SSO session token associated with profile=sso was not found or is invalid. To refresh this SSO session run 'aws sso login' with the corresponding profile.",
    "Value not present for 'clientId' in SSO Token. Cannot refresh. To refresh this SSO session run 'aws sso login' with the corresponding profile.",
  ])("an SSO session that has ended: %s", (message) => {
    expect(describeAwsFailure(sdkError("CredentialsProviderError", message), { ...context, profile: "sso" })).toBe(
      "Your AWS credentials have expired: your SSO session has ended, run `aws sso login --profile sso` and try again.",
    );
  });

  it("a console sign-in (aws login) session that has ended", () => {
    const error = sdkError("CredentialsProviderError", "Failed to load a token for session abc, please re-authenticate using aws login");
    expect(describeAwsFailure(error, context)).toBe("Your AWS credentials have expired: your console sign-in session has ended, run `aws login` and try again.");
  });

  it.each(["ExpiredToken", "ExpiredTokenException"])("expired temporary credentials (%s)", (code) => {
    const sentence = describeAwsFailure(new AwsServiceError("sts", code, "The security token included in the request is expired", 403), context);
    expect(sentence).toMatch(/^Your AWS credentials have expired: /);
  });

  it("an SDK client's expired-token exception", () => {
    const error = sdkError("ExpiredTokenException", "The security token included in the request is expired", { $metadata: { httpStatusCode: 400 } });
    expect(errorCode(error)).toBe("ExpiredTokenException");
    expect(describeAwsFailure(error, context)).toMatch(/^Your AWS credentials have expired: /);
  });

  it("wrong keys, wrong secret, wrong clock", () => {
    expect(describeAwsFailure(new AwsServiceError("sts", "InvalidClientTokenId", "The security token included in the request is invalid.", 403), { ...context, region: "eu-south-2" })).toMatch(
      /^AWS rejected your credentials in eu-south-2 \(InvalidClientTokenId\): .*Region is not enabled/,
    );
    expect(describeAwsFailure(new AwsServiceError("sts", "SignatureDoesNotMatch", "The request signature we calculated does not match", 403), context)).toMatch(
      /secret access key/,
    );
    expect(describeAwsFailure(new AwsServiceError("sts", "RequestExpired", "Request has expired.", 400), context)).toMatch(/clock/);
  });

  it("no Region", () => {
    expect(describeAwsFailure(new Error("Region is missing"), context)).toMatch(/^No AWS Region set: `export AWS_REGION=/);
  });

  it.each([
    [new AwsNetworkError("sts.eu-west-1.amazonaws.com", "ENOTFOUND"), "Cannot reach AWS (sts.eu-west-1.amazonaws.com: ENOTFOUND): check your network."],
    [new AwsNetworkError("sts.eu-west-1.amazonaws.com", "no answer within 5 s"), "Cannot reach AWS (sts.eu-west-1.amazonaws.com: no answer within 5 s): check your network."],
    [Object.assign(new Error("connect ECONNREFUSED 1.2.3.4:443"), { code: "ECONNREFUSED" }), "Cannot reach AWS (ECONNREFUSED): check your network."],
    [new TypeError("fetch failed", { cause: Object.assign(new Error("getaddrinfo EAI_AGAIN"), { code: "EAI_AGAIN" }) }), "Cannot reach AWS (EAI_AGAIN): check your network."],
  ])("no network: %s", (error, sentence) => {
    expect(describeAwsFailure(error, context)).toBe(sentence);
  });

  it("access denied names the identity's problem and the guide", () => {
    const sentence = describeAwsFailure(new AwsServiceError("ssm", "AccessDeniedException", "User: arn:aws:iam::1:user/x is not authorized to perform: ssm:GetParameter.", 400), context);
    expect(sentence).toMatch(/^Your AWS identity may not do this \(AccessDeniedException: User: .* ssm:GetParameter\); use a role with administrator access/);
  });

  it("every sentence is one line", () => {
    const sentence = describeAwsFailure(new AwsServiceError("sts", "Weird", "line one\nline two", 500), context);
    expect(sentence).not.toContain("\n");
  });
});

describe("preflight", () => {
  const identity = { account: "123456789012", arn: "arn:aws:iam::123456789012:user/instructor" };
  const api = (overrides: Partial<AwsApi> = {}): AwsApi => ({
    getCallerIdentity: async () => identity,
    getParameter: async () => "30",
    getStackStatus: async () => undefined,
    ...overrides,
  });
  const credentials = async () => ({ accessKeyId: "AKIA", secretAccessKey: "s" });

  it("checks credentials before anything else: no Region and no network are not reached", async () => {
    let apiCreated = false;
    const failure = preflight({
      env: {},
      resolveCredentials: async () => {
        throw sdkError("CredentialsProviderError", "Could not load credentials from any providers");
      },
      createApi: () => {
        apiCreated = true;
        return api();
      },
    });
    await expect(failure).rejects.toThrow(PreflightError);
    await expect(failure).rejects.toThrow(/^No AWS credentials found: /);
    expect(apiCreated).toBe(false);
  });

  it("uses the profile's Region when the environment names none", async () => {
    const aws = await preflight({ env: { AWS_PROFILE: "w" }, resolveCredentials: credentials, resolveProfileRegion: async () => "eu-north-1", createApi: () => api() });
    expect(aws).toMatchObject({ account: "123456789012", region: "eu-north-1", regionSource: "profile w", profile: "w" });
  });

  it("a Region given by the caller (the outputs file) wins", async () => {
    const aws = await preflight({ env: { AWS_REGION: "us-east-1" }, region: "eu-west-3", resolveCredentials: credentials, createApi: () => api() });
    expect(aws.region).toBe("eu-west-3");
  });

  it("no Region at all", async () => {
    await expect(preflight({ env: {}, resolveCredentials: credentials, resolveProfileRegion: async () => undefined, createApi: () => api() })).rejects.toThrow(
      /^No AWS Region set/,
    );
  });

  it("a Region that is not one", async () => {
    await expect(preflight({ env: { AWS_REGION: "Frankfurt" }, resolveCredentials: credentials, createApi: () => api() })).rejects.toThrow(
      '"Frankfurt" (from AWS_REGION) is not an AWS Region name',
    );
  });

  it("STS proves the network and names the account", async () => {
    const failure = preflight({
      env: { AWS_REGION: "eu-west-1" },
      resolveCredentials: credentials,
      createApi: () =>
        api({
          getCallerIdentity: async () => {
            throw new AwsNetworkError("sts.eu-west-1.amazonaws.com", "ENOTFOUND");
          },
        }),
    });
    await expect(failure).rejects.toThrow("Cannot reach AWS (sts.eu-west-1.amazonaws.com: ENOTFOUND): check your network.");
  });
});

describe("checkBootstrap", () => {
  const aws = (getParameter: AwsApi["getParameter"]) => ({
    account: "123456789012",
    region: "eu-west-1",
    api: { getCallerIdentity: async () => ({ account: "", arn: "" }), getStackStatus: async () => undefined, getParameter },
  });

  it("returns the bootstrap version and reads the CDK's parameter", async () => {
    let asked = "";
    expect(await checkBootstrap(aws(async (name) => ((asked = name), "30")))).toBe(30);
    expect(asked).toBe("/cdk-bootstrap/hnb659fds/version");
  });

  it("not bootstrapped: gives the exact command", async () => {
    await expect(checkBootstrap(aws(async () => undefined))).rejects.toThrow(
      "Account 123456789012 is not bootstrapped for the CDK in eu-west-1 (no CDKToolkit stack, no SSM parameter /cdk-bootstrap/hnb659fds/version): run `npx cdk bootstrap aws://123456789012/eu-west-1` once, then deploy again — see docs/instructor-guide.md.",
    );
  });

  it("too old a bootstrap", async () => {
    await expect(checkBootstrap(aws(async () => "4"))).rejects.toThrow(/version 4, older than the 6 this app needs: run `npx cdk bootstrap aws:\/\/123456789012\/eu-west-1`/);
  });

  it("no permission to read it: leaves the check to cdk deploy", async () => {
    expect(
      await checkBootstrap(
        aws(async () => {
          throw new AwsServiceError("ssm", "AccessDeniedException", "no", 400);
        }),
      ),
    ).toBeUndefined();
  });
});

describe("the AWS calls, against a fake AWS", () => {
  let fake: FakeAws;
  beforeAll(async () => {
    fake = await startFakeAws();
  });
  afterAll(() => fake.close());

  const apiFor = (url: string, timeoutMs = 2000, sessionToken?: string) =>
    createAwsApi({ credentials: { ...FAKE_CREDENTIALS, sessionToken }, region: "eu-west-1", timeoutMs, env: { AWS_ENDPOINT_URL: url } });

  it("endpoints: AWS's regional ones, or the AWS_ENDPOINT_URL overrides", () => {
    expect(serviceEndpoint("sts", "eu-west-1", {}).href).toBe("https://sts.eu-west-1.amazonaws.com/");
    expect(serviceEndpoint("ssm", "cn-north-1", {}).href).toBe("https://ssm.cn-north-1.amazonaws.com.cn/");
    expect(serviceEndpoint("sts", "eu-west-1", { AWS_ENDPOINT_URL: "http://a:1", AWS_ENDPOINT_URL_STS: "http://b:2" }).href).toBe("http://b:2/");
    expect(serviceEndpoint("cloudformation", "eu-west-1", { AWS_ENDPOINT_URL: "http://a:1" }).href).toBe("http://a:1/");
  });

  it("GetCallerIdentity, GetParameter and DescribeStacks, each signed with the given credentials", async () => {
    Object.assign(fake.behaviour, { bootstrapVersion: "30", stackStatus: "UPDATE_COMPLETE" });
    const api = apiFor(fake.url, 2000, "session-token");
    expect(await api.getCallerIdentity()).toEqual({ account: "123456789012", arn: "arn:aws:sts::123456789012:assumed-role/WorkshopAdmin/instructor" });
    expect(await api.getParameter("/cdk-bootstrap/hnb659fds/version")).toBe("30");
    expect(await api.getStackStatus("AuthWorkshop")).toBe("UPDATE_COMPLETE");
    expect(fake.calls.slice(-3)).toEqual(["sts:GetCallerIdentity", "ssm:GetParameter", "cloudformation:DescribeStacks"]);
    expect(fake.badSignatures).toEqual([]);
  });

  it("not bootstrapped and no stack read as undefined", async () => {
    Object.assign(fake.behaviour, { bootstrapVersion: undefined, stackStatus: undefined });
    const api = apiFor(fake.url);
    expect(await api.getParameter("/cdk-bootstrap/hnb659fds/version")).toBeUndefined();
    expect(await api.getStackStatus("AuthWorkshop")).toBeUndefined();
  });

  it("AWS's errors keep their code", async () => {
    fake.behaviour.identity = { error: "ExpiredToken", message: "The security token included in the request is expired" };
    fake.behaviour.ssmError = "AccessDeniedException";
    try {
      const api = apiFor(fake.url);
      await expect(api.getCallerIdentity()).rejects.toMatchObject({ name: "AwsServiceError", code: "ExpiredToken", message: "The security token included in the request is expired" });
      await expect(api.getParameter("x")).rejects.toMatchObject({ code: "AccessDeniedException" });
    } finally {
      delete fake.behaviour.identity;
      delete fake.behaviour.ssmError;
    }
  });

  it("a closed port is a network error, at once", async () => {
    const port = await closedPort();
    await expect(apiFor(`http://127.0.0.1:${port}`).getCallerIdentity()).rejects.toMatchObject({ name: "AwsNetworkError", reason: "ECONNREFUSED" });
  });

  it("an endpoint that never answers is a network error after the timeout", async () => {
    const hanging = await startFakeAws({ hang: true });
    try {
      const error = await apiFor(hanging.url, 200)
        .getCallerIdentity()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AwsNetworkError);
      expect(describeAwsFailure(error, context)).toMatch(/^Cannot reach AWS \(127\.0\.0\.1:\d+: no answer within 0\.2 s\): check your network\.$/);
    } finally {
      await hanging.close();
    }
  });

});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
