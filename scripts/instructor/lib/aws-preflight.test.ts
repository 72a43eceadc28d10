/** Every way the credentials, the Region or the network can fail, as the one sentence the scripts print. */
import { describe, expect, it } from "vitest";
import { describeAwsFailure, errorCode, regionFromEnv } from "./aws-preflight.ts";

/** An error shaped like the SDK's: named after its code, with `$metadata` when AWS answered. */
function sdkError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}
const answered = (code: string, message = "refused") => sdkError(code, message, { $metadata: { httpStatusCode: 403 } });

describe("where the Region comes from", () => {
  it("AWS_REGION first, then AWS_DEFAULT_REGION, then the profile", () => {
    const both = { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "us-east-2" };
    expect(regionFromEnv(both)).toEqual({ region: "eu-west-1", source: "AWS_REGION" });
    const fallback = { region: "us-east-2", source: "AWS_DEFAULT_REGION" };
    expect(regionFromEnv({ AWS_DEFAULT_REGION: "us-east-2" })).toEqual(fallback);
    expect(regionFromEnv({ AWS_PROFILE: "workshop" })).toEqual({ source: "profile workshop" });
    expect(regionFromEnv({})).toEqual({ source: "your default profile" });
  });
});

describe("errors as one sentence", () => {
  const noCredentials = sdkError("CredentialsProviderError", "Could not load credentials from any providers");

  it("no credentials anywhere, or none for the profile in AWS_PROFILE", () => {
    expect(describeAwsFailure(noCredentials, {})).toBe(
      "No AWS credentials found: configure a profile (aws configure / aws sso login) or set AWS_ACCESS_KEY_ID " +
        "and AWS_SECRET_ACCESS_KEY — see docs/instructor-guide.md.",
    );
    const sentence = describeAwsFailure(noCredentials, { profile: "ghost" });
    expect(sentence).toContain('No AWS credentials found for profile "ghost"');
    expect(sentence).toContain("aws sso login --profile ghost");
  });

  it.each([
    "The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login.",
    "Value not present for 'clientId' in SSO Token. Cannot refresh. To refresh this SSO session run 'aws sso login'.",
  ])("an SSO session that has ended: %s", (message) => {
    expect(describeAwsFailure(sdkError("CredentialsProviderError", message), { profile: "sso" })).toBe(
      "Your AWS credentials have expired: your SSO session has ended, run `aws sso login --profile sso` and try again.",
    );
  });

  it("a console sign-in (aws login) session that has ended", () => {
    const error = sdkError("CredentialsProviderError", "Failed to load a token, re-authenticate using aws login");
    expect(describeAwsFailure(error, {})).toMatch(/^Your AWS credentials have expired: .*run `aws login`/);
  });

  it.each(["ExpiredToken", "ExpiredTokenException"])("expired temporary credentials (%s)", (code) => {
    expect(errorCode(answered(code))).toBe(code);
    expect(describeAwsFailure(answered(code), {})).toMatch(/^Your AWS credentials have expired: /);
  });

  it("wrong keys, no permission", () => {
    expect(describeAwsFailure(answered("InvalidClientTokenId"), { region: "eu-south-2" })).toMatch(
      /^AWS rejected your credentials in eu-south-2 \(InvalidClientTokenId\): .*Region is not enabled/,
    );
    expect(describeAwsFailure(answered("AccessDeniedException"), {})).toMatch(/^Your AWS identity may not do this/);
  });

  it.each([
    [Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), "h:1", "h:1: ECONNREFUSED"],
    [new TypeError("fetch", { cause: Object.assign(new Error("dns"), { code: "EAI_AGAIN" }) }), undefined, "EAI_AGAIN"],
    [sdkError("TimeoutError", "Socket timed out"), "sts.example", "sts.example: no answer within 5 s"],
  ])("no network: %s", (error, host, inBrackets) => {
    expect(describeAwsFailure(error, { host })).toBe(`Cannot reach AWS (${inBrackets}): check your network.`);
  });

  it("anything else keeps AWS's code and words", () => {
    const sentence = describeAwsFailure(answered("Throttling", "Rate exceeded"), {});
    expect(sentence).toBe("AWS answered Throttling: Rate exceeded");
  });
});
