/**
 * Signing-key rotation and kid floods, against the Cognito emulator and the
 * reference authorizer (its JWKS cache is aws-jwt-verify's own).
 */
import { randomUUID } from "node:crypto";
import type { APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthClient } from "../../../solutions/02-user-pool/auth-client.ts";
import { createAuthorizer, type TokenAuthorizer } from "../../../solutions/03-authorizer/authorizer.ts";
import { emulatorSigningKey } from "../../test-helpers/emulator-signing-key.ts";
import { decodeJwt, signJwt } from "../../test-helpers/token-factory.ts";
import { startCognitoEmulator, type CognitoEmulator } from "./cognito-emulator.ts";

const PASSWORD = "Rotation-test-1234!";
const methodArn = "arn:aws:execute-api:us-east-1:000000000000:local/prod/GET/purchases";
const event = (token: string): APIGatewayTokenAuthorizerEvent => ({
  type: "TOKEN",
  authorizationToken: `Bearer ${token}`,
  methodArn,
});

let cognito: CognitoEmulator;
let auth: AuthClient;
const rejections: string[] = [];

/** The authorizer as a fresh Lambda instance would be: hydrated at cold start. */
const coldStart = (): Promise<TokenAuthorizer> =>
  createAuthorizer({
    userPoolId: cognito.userPoolId,
    clientId: cognito.userPoolClientId,
    jwksUrl: cognito.jwksUrl,
    logRejection: (reason) => rejections.push(reason),
  });

const signIn = async () => (await auth.signIn("rotation@example.test", PASSWORD)).idToken;

/** A token valid in every way but its kid, which no JWKS publishes. */
function tokenWithUnknownKid(claimsFrom: string): string {
  return signJwt({
    key: emulatorSigningKey(),
    header: { kid: `made-up-${randomUUID()}` },
    payload: decodeJwt(claimsFrom).payload,
  });
}

beforeAll(async () => {
  cognito = await startCognitoEmulator();
  auth = new AuthClient(cognito.authClientConfig);
  await auth.addUserToTenant({
    email: "rotation@example.test",
    password: PASSWORD,
    tenantId: "rotation",
    role: "member",
  });
});

afterAll(async () => {
  auth?.destroy();
  await cognito?.stop();
});

describe("signing-key rotation", () => {
  it("tokens signed with a new key verify after the JWKS is fetched again; old tokens still verify", async () => {
    const authorizer = await coldStart();
    const before = await signIn();
    expect((await authorizer(event(before))).principalId).toBeTruthy();

    const { kid } = await cognito.rotateSigningKey();
    const after = await signIn();
    expect(decodeJwt(after).header.kid).toBe(kid);
    // The new kid is a cache miss: aws-jwt-verify downloads the JWKS again and finds it.
    expect((await authorizer(event(after))).context?.tenantId).toBe("rotation");
    expect((await authorizer(event(before))).context?.tenantId).toBe("rotation");
  });

  it("a flood of tokens with made-up kids is refused and does not stop valid tokens", async () => {
    const authorizer = await coldStart();
    const valid = await signIn();
    const flood = Array.from({ length: 50 }, () => tokenWithUnknownKid(valid));
    const results = await Promise.allSettled(flood.map((token) => authorizer(event(token))));
    expect(results.every((r) => r.status === "rejected" && (r.reason as Error).message === "Unauthorized")).toBe(true);
    // Valid tokens verify from the cached JWKS: no download needed, none blocked.
    for (let i = 0; i < 10; i += 1) {
      expect((await authorizer(event(valid))).context?.tenantId).toBe("rotation");
    }
  });

  it("right after a kid miss, a brand-new key is refused until the penalty box opens (up to 10 s)", async () => {
    const authorizer = await coldStart();
    const valid = await signIn();
    await expect(authorizer(event(tokenWithUnknownKid(valid)))).rejects.toThrow("Unauthorized");

    await cognito.rotateSigningKey();
    const signedWithNewKey = await signIn();
    rejections.length = 0;
    await expect(authorizer(event(signedWithNewKey))).rejects.toThrow("Unauthorized");
    // aws-jwt-verify's penalty box: one JWKS download per 10 s after a kid miss.
    expect(rejections.join("\n")).toMatch(/Not allowed to fetch JWKS yet/);
  });
});
