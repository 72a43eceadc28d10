/**
 * Two Cognito emulators in one host's cognito-local process: each is a user
 * pool of its own, as if each had a process of its own. The same email in
 * both is two users; a code goes to the pool that mailed it; one's endpoint
 * does not reach the other's pool; one stopped leaves the other serving.
 */
import { AdminGetUserCommand, CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthClient } from "../../solutions/02-user-pool/auth-client.ts";
import { randomPassword } from "../random-password.ts";
import { decodeJwt } from "../test-helpers/token-factory.ts";
import { startCognitoEmulator, type CognitoEmulator } from "./cognito/cognito-emulator.ts";
import { startEmulatorHost, type EmulatorHost } from "./emulator-host.ts";
import { LOCAL_CREDENTIALS } from "./local-credentials.ts";

const EMAIL = "same-everywhere@example.test";
let host: EmulatorHost;
let a: CognitoEmulator;
let b: CognitoEmulator;
let authA: AuthClient;
let authB: AuthClient;

beforeAll(async () => {
  host = startEmulatorHost();
  [a, b] = await Promise.all([startCognitoEmulator({ host }), startCognitoEmulator({ host })]);
  authA = new AuthClient(a.authClientConfig);
  authB = new AuthClient(b.authClientConfig);
});

afterAll(async () => {
  authA?.destroy();
  authB?.destroy();
  await Promise.all([a?.stop(), b?.stop()]);
  await host?.close();
});

describe("stacks sharing an emulator host", () => {
  it("have pools, clients and endpoints of their own", () => {
    expect(a.userPoolId).not.toBe(b.userPoolId);
    expect(a.userPoolClientId).not.toBe(b.userPoolClientId);
    expect(a.endpoint).not.toBe(b.endpoint);
  });

  it("hold the same email as two users, each signed in by its own pool", async () => {
    const [passwordA, passwordB] = [randomPassword(), randomPassword()];
    await authA.addUserToTenant({ email: EMAIL, password: passwordA, tenantId: "tenant-a" });
    await expect(authB.signIn(EMAIL, passwordA)).rejects.toThrow();
    await authB.addUserToTenant({ email: EMAIL, password: passwordB, tenantId: "tenant-b" });
    const [tokenA, tokenB] = [
      (await authA.signIn(EMAIL, passwordA)).idToken,
      (await authB.signIn(EMAIL, passwordB)).idToken,
    ];
    expect(decodeJwt(tokenA).payload).toMatchObject({ "custom:tenantId": "tenant-a", aud: a.userPoolClientId });
    expect(decodeJwt(tokenB).payload).toMatchObject({ "custom:tenantId": "tenant-b", aud: b.userPoolClientId });
    await expect(authA.signIn(EMAIL, passwordB)).rejects.toThrow();
  });

  it("mail a code to the pool that sent it only", async () => {
    const email = "mailed-once@example.test";
    await authA.signUp(email, randomPassword());
    expect(await a.confirmationCode(email)).toMatch(/^\d+$/);
    await expect(b.confirmationCode(email)).rejects.toThrow(/No code was mailed/);
  });

  it("do not reach another stack's pool through their own endpoint", async () => {
    const cognito = new CognitoIdentityProviderClient({
      endpoint: a.endpoint,
      region: a.region,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      await expect(
        cognito.send(new AdminGetUserCommand({ UserPoolId: b.userPoolId, Username: EMAIL })),
      ).rejects.toThrow();
      const own = await cognito.send(new AdminGetUserCommand({ UserPoolId: a.userPoolId, Username: EMAIL }));
      expect(own.UserAttributes?.find((x) => x.Name === "custom:tenantId")?.Value).toBe("tenant-a");
    } finally {
      cognito.destroy();
    }
  });

  it("keep serving when another one stops", async () => {
    await a.stop();
    const password = randomPassword();
    await authB.addUserToTenant({ email: "after-a-stopped@example.test", password, tenantId: "tenant-b" });
    expect((await authB.signIn("after-a-stopped@example.test", password)).idToken).toBeTruthy();
  });
});
