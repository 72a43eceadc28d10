import { describe, expect, it } from "vitest";
import { buildProxyEvent } from "../../shared/local-stack/api-gateway/index.ts";
import { proxyEvent } from "../../shared/test-helpers/proxy-events.ts";
import { createMeHandler } from "./me-handler.ts";

const me = createMeHandler({ corsAllowOrigin: "https://app.example.com" });

function eventWith(extra: Pick<Parameters<typeof buildProxyEvent>[0], "cognitoClaims" | "callerIdentity">) {
  return buildProxyEvent({
    resource: "/me",
    httpMethod: "GET",
    path: "/me",
    rawQuery: "",
    rawHeaders: ["Host", "abc123.execute-api.us-east-1.amazonaws.com"],
    body: "",
    rawPathParameters: {},
    stage: "prod",
    accountId: "123456789012",
    apiId: "abc123",
    sourceIp: "127.0.0.1",
    requestTimeEpoch: Date.now(),
    ...extra,
  });
}

describe("me handler", () => {
  it("behind the Lambda authorizer: its context and principal, without API Gateway's own keys", async () => {
    const result = await me(
      proxyEvent({
        method: "GET",
        resource: "/me",
        authorizer: { tenantId: "acme", userId: "u-1", role: "viewer", principalId: "u-1" },
        headers: { Authorization: "Bearer secret-token" },
      }),
    );
    expect(result.statusCode).toBe(200);
    expect(result.headers).toEqual({
      "Content-Type": "application/json",
      "Access-Control-Allow-Origin": "https://app.example.com",
    });
    expect(JSON.parse(result.body)).toEqual({
      authorizer: "lambda",
      principalId: "u-1",
      context: { tenantId: "acme", userId: "u-1", role: "viewer" },
    });
    expect(result.body).not.toContain("secret-token");
  });

  it("behind a Cognito user pool authorizer: the claims", async () => {
    const claims = { sub: "s-1", "custom:tenantId": "acme", token_use: "id" };
    const result = await me(eventWith({ cognitoClaims: claims }));
    expect(JSON.parse(result.body)).toEqual({ authorizer: "cognito-user-pools", claims });
  });

  it("behind IAM: who signed, from requestContext.identity", async () => {
    const identity = {
      accessKey: "ASIAEXAMPLE",
      accountId: "123456789012",
      caller: "AROAEXAMPLE:CognitoIdentityCredentials",
      user: "AROAEXAMPLE:CognitoIdentityCredentials",
      userArn: "arn:aws:sts::123456789012:assumed-role/Auth/CognitoIdentityCredentials",
      cognitoIdentityId: "us-east-1:id",
      cognitoIdentityPoolId: "us-east-1:pool",
      cognitoAuthenticationType: "authenticated",
      cognitoAuthenticationProvider: null,
    };
    const result = await me(eventWith({ callerIdentity: identity }));
    const { accountId: _account, user: _user, ...shown } = identity;
    expect(JSON.parse(result.body)).toEqual({ authorizer: "iam", identity: shown });
  });

  it("with no authorizer at all (a misdeployed method): 403, nothing to tell", async () => {
    const result = await me(proxyEvent({ method: "GET", resource: "/me" }));
    expect(result.statusCode).toBe(403);
  });
});
