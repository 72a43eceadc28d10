/**
 * A session's life on the Cognito emulator, as on AWS: global sign-out (the
 * user's and the operator's), a disabled user, TOTP MFA, a password reset.
 * Everything goes through the AWS SDK against the emulator's endpoint.
 */
import { createHmac, createPublicKey, verify, type JsonWebKey } from "node:crypto";
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminUserGlobalSignOutCommand,
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
  type AuthenticationResultType,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeJwt } from "../../test-helpers/token-factory.ts";
import { LOCAL_CREDENTIALS } from "../local-credentials.ts";
import { Challenges, EXPIRED_SESSION, INVALID_SESSION } from "./challenges.ts";
import { startCognitoEmulator, type CognitoEmulator, type Mail } from "./cognito-emulator.ts";

const PASSWORD = "Correct-Horse-42!";
let emulator: CognitoEmulator;
let cognito: CognitoIdentityProviderClient;
const mails: Mail[] = [];
let users = 0;
const newEmail = () => `life-${++users}-${Date.now()}@session.test`;

beforeAll(async () => {
  emulator = await startCognitoEmulator({ onMail: (mail) => mails.push(mail) });
  cognito = new CognitoIdentityProviderClient({
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: LOCAL_CREDENTIALS,
  });
});

afterAll(async () => {
  cognito?.destroy();
  await emulator?.stop();
});

async function refusal(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await call;
  } catch (error) {
    const { name, message } = error as Error;
    return { name, message };
  }
  throw new Error("the call succeeded; Cognito would have refused it");
}

const signIn = (email: string, password = PASSWORD) =>
  cognito.send(
    new InitiateAuthCommand({
      ClientId: emulator.userPoolClientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );

const tokens = async (email: string, password = PASSWORD) => (await signIn(email, password)).AuthenticationResult!;

const refresh = (result: AuthenticationResultType) =>
  cognito.send(
    new InitiateAuthCommand({
      ClientId: emulator.userPoolClientId,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: result.RefreshToken! },
    }),
  );

const getUser = (result: AuthenticationResultType) =>
  cognito.send(new GetUserCommand({ AccessToken: result.AccessToken }));

async function confirmedUser(): Promise<string> {
  const email = newEmail();
  await cognito.send(
    new SignUpCommand({
      ClientId: emulator.userPoolClientId,
      Username: email,
      Password: PASSWORD,
      UserAttributes: [{ Name: "email", Value: email }],
    }),
  );
  await cognito.send(
    new ConfirmSignUpCommand({
      ClientId: emulator.userPoolClientId,
      Username: email,
      ConfirmationCode: await emulator.confirmationCode(email),
    }),
  );
  return email;
}

const ACCESS_REVOKED = { name: "NotAuthorizedException", message: "Access Token has been revoked" };
const REFRESH_REVOKED = { name: "NotAuthorizedException", message: "Refresh Token has been revoked" };
const USER_DISABLED = { name: "NotAuthorizedException", message: "User is disabled." };
const INCORRECT = { name: "NotAuthorizedException", message: "Incorrect username or password." };

/** Whether a JWT library would still accept the token: its RS256 signature against the pool's JWKS, and its expiry. */
async function verifiesAgainstJwks(token: string): Promise<boolean> {
  const { header, payload } = decodeJwt(token);
  const { keys } = (await (await fetch(emulator.jwksUrl)).json()) as { keys: (JsonWebKey & { kid: string })[] };
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) return false;
  const [h, p, signature] = token.split(".");
  const key = createPublicKey({ key: jwk, format: "jwk" });
  const signed = verify("RSA-SHA256", Buffer.from(`${h}.${p}`), key, Buffer.from(signature!, "base64url"));
  return signed && Number(payload.exp) * 1000 > Date.now();
}

/** Every access and refresh token of these sessions is refused; the ID tokens still verify. */
async function expectSignedOut(...signedOut: AuthenticationResultType[]) {
  for (const session of signedOut) {
    expect(await refusal(getUser(session))).toEqual(ACCESS_REVOKED);
    expect(await refusal(refresh(session))).toEqual(REFRESH_REVOKED);
    expect(await verifiesAgainstJwks(session.IdToken!), "a JWT library still accepts the ID token").toBe(true);
  }
}

async function expectWorking(session: AuthenticationResultType) {
  expect((await getUser(session)).Username).toBeTruthy();
  expect((await refresh(session)).AuthenticationResult?.AccessToken).toBeTruthy();
}

describe("GlobalSignOut: the user signs out everywhere", () => {
  it("revokes every session's access and refresh tokens; a session started afterwards works", async () => {
    const email = await confirmedUser();
    const [a, b] = [await tokens(email), await tokens(email)];
    const other = await tokens(await confirmedUser());

    expect(await cognito.send(new GlobalSignOutCommand({ AccessToken: a.AccessToken }))).not.toHaveProperty("Username");
    await expectSignedOut(a, b);
    await expectWorking(await tokens(email));
    await expectWorking(other);
  });

  it("a revoked access token cannot sign out again", async () => {
    const session = await tokens(await confirmedUser());
    await cognito.send(new GlobalSignOutCommand({ AccessToken: session.AccessToken }));
    expect(await refusal(cognito.send(new GlobalSignOutCommand({ AccessToken: session.AccessToken })))).toEqual(
      ACCESS_REVOKED,
    );
  });
});

describe("AdminUserGlobalSignOut: an operator signs a user out everywhere", () => {
  it("revokes every session of the user; a session started afterwards works", async () => {
    const email = await confirmedUser();
    const [a, b] = [await tokens(email), await tokens(email)];
    const out = await cognito.send(
      new AdminUserGlobalSignOutCommand({ UserPoolId: emulator.userPoolId, Username: email }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
    await expectSignedOut(a, b);
    await expectWorking(await tokens(email));
  });

  it("an unknown user is UserNotFoundException", async () => {
    expect(
      await refusal(
        cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: emulator.userPoolId, Username: newEmail() })),
      ),
    ).toEqual({ name: "UserNotFoundException", message: "User does not exist." });
  });
});

describe("AdminDisableUser: a disabled user is signed out and cannot sign in", () => {
  it("revokes the user's tokens; sign-in and refresh say the user is disabled; enabled again, only new sessions work", async () => {
    const email = await confirmedUser();
    const before = await tokens(email);
    await cognito.send(new AdminDisableUserCommand({ UserPoolId: emulator.userPoolId, Username: email }));

    expect(await refusal(getUser(before))).toEqual(ACCESS_REVOKED);
    expect(await refusal(refresh(before))).toEqual(USER_DISABLED);
    expect(await refusal(signIn(email))).toEqual(USER_DISABLED);
    expect(await refusal(signIn(email, `${PASSWORD}x`)), "a wrong password says no more").toEqual(INCORRECT);
    expect(await verifiesAgainstJwks(before.IdToken!), "a JWT library still accepts the ID token").toBe(true);

    await cognito.send(new AdminEnableUserCommand({ UserPoolId: emulator.userPoolId, Username: email }));
    expect(await refusal(getUser(before))).toEqual(ACCESS_REVOKED);
    expect(await refusal(refresh(before))).toEqual(REFRESH_REVOKED);
    await expectWorking(await tokens(email));
  });
});

/** RFC 4648 base32, as AssociateSoftwareToken returns the secret. */
function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  return Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
}

/** RFC 6238 TOTP: HOTP (RFC 4226) of the 30-second step count, SHA-1, 6 digits. */
function totp(secret: string, unixSeconds = Date.now() / 1000): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** A code that is not the current one, nor the one before or after (the accepted window). */
function wrongCode(secret: string): string {
  const now = Date.now() / 1000;
  const near = new Set([-30, 0, 30].map((d) => totp(secret, now + d)));
  let code = 0;
  while (near.has(String(code).padStart(6, "0"))) code++;
  return String(code).padStart(6, "0");
}

describe("TOTP MFA through the front", () => {
  async function enrolled(): Promise<{ email: string; secret: string }> {
    const email = await confirmedUser();
    const session = await tokens(email);
    const { SecretCode } = await cognito.send(new AssociateSoftwareTokenCommand({ AccessToken: session.AccessToken }));
    expect(SecretCode).toMatch(/^[A-Z2-7]{32}$/);
    const secret = SecretCode!;

    expect(
      await refusal(
        cognito.send(
          new SetUserMFAPreferenceCommand({
            AccessToken: session.AccessToken,
            SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
          }),
        ),
      ),
      "not verified yet",
    ).toEqual({
      name: "InvalidParameterException",
      message: "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA",
    });
    expect(
      await refusal(
        cognito.send(new VerifySoftwareTokenCommand({ AccessToken: session.AccessToken, UserCode: wrongCode(secret) })),
      ),
    ).toEqual({ name: "EnableSoftwareTokenMFAException", message: "Code mismatch and fail enable Software Token MFA" });

    const verified = await cognito.send(
      new VerifySoftwareTokenCommand({ AccessToken: session.AccessToken, UserCode: totp(secret) }),
    );
    expect(verified.Status).toBe("SUCCESS");
    await cognito.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: session.AccessToken,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const user = await getUser(session);
    expect(user.UserMFASettingList).toEqual(["SOFTWARE_TOKEN_MFA"]);
    expect(user.PreferredMfaSetting).toBe("SOFTWARE_TOKEN_MFA");
    return { email, secret };
  }

  const answer = (email: string, session: string | undefined, code: string) =>
    cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: emulator.userPoolClientId,
        ChallengeName: "SOFTWARE_TOKEN_MFA",
        Session: session,
        ChallengeResponses: { USERNAME: email, SOFTWARE_TOKEN_MFA_CODE: code },
      }),
    );

  it("enrol, verify, then sign-in asks for the code and answers tokens re-signed as every sign-in's", async () => {
    const { email, secret } = await enrolled();
    const challenge = await signIn(email);
    expect(challenge.AuthenticationResult).toBeUndefined();
    expect(challenge.ChallengeName).toBe("SOFTWARE_TOKEN_MFA");
    expect(challenge.Session?.length).toBeGreaterThan(20);

    const { AuthenticationResult: result } = await answer(email, challenge.Session, totp(secret));
    expect(result?.ExpiresIn).toBe(3600);
    expect(result?.TokenType).toBe("Bearer");
    const [id, access] = [decodeJwt(result!.IdToken!).payload, decodeJwt(result!.AccessToken!).payload];
    expect(id.origin_jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(access.origin_jti).toBe(id.origin_jti);
    expect(access.jti).not.toBe(id.jti);
    expect(typeof access.auth_time).toBe("number");
    expect(await verifiesAgainstJwks(result!.AccessToken!), "signed with the front's key").toBe(true);
    await expectWorking(result!);

    expect(await refusal(answer(email, challenge.Session, totp(secret))), "a session answers once").toEqual({
      name: "NotAuthorizedException",
      message: INVALID_SESSION,
    });
  });

  it("a wrong code is CodeMismatchException; the same sign-in may try again", async () => {
    const { email, secret } = await enrolled();
    const { Session } = await signIn(email);
    expect(await refusal(answer(email, Session, wrongCode(secret)))).toEqual({
      name: "CodeMismatchException",
      message: "Invalid code or auth state for the user.",
    });
    expect((await answer(email, Session, totp(secret))).AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it("the code alone does not sign in: a made-up or another user's session is refused", async () => {
    const { email, secret } = await enrolled();
    const invalid = { name: "NotAuthorizedException", message: INVALID_SESSION };
    expect(await refusal(answer(email, "made-up-session-made-up-session", totp(secret)))).toEqual(invalid);
    const other = await enrolled();
    const { Session: othersSession } = await signIn(other.email);
    expect(await refusal(answer(email, othersSession, totp(secret)))).toEqual(invalid);
    expect(await refusal(signIn(email, `${PASSWORD}x`)), "the password is checked first").toEqual(INCORRECT);
  });

  it("AssociateSoftwareToken with a Session needs an MFA_SETUP challenge, which an OPTIONAL pool never sets", async () => {
    const { Session } = await signIn((await enrolled()).email);
    expect(await refusal(cognito.send(new AssociateSoftwareTokenCommand({ Session })))).toEqual({
      name: "NotAuthorizedException",
      message: INVALID_SESSION,
    });
  });

  it("a challenge's session expires after the client's AuthSessionValidity", () => {
    let now = 0;
    const challenges = new Challenges(3 * 60_000, () => now);
    const session = challenges.open("user", "SOFTWARE_TOKEN_MFA", "upstream");
    expect(challenges.find(session, "SOFTWARE_TOKEN_MFA").username).toBe("user");
    expect(() => challenges.find(session, "NEW_PASSWORD_REQUIRED")).toThrow(INVALID_SESSION);
    now = 3 * 60_000;
    expect(() => challenges.find(session, "SOFTWARE_TOKEN_MFA")).toThrow(EXPIRED_SESSION);
    expect(() => challenges.find(session, "SOFTWARE_TOKEN_MFA")).toThrow(INVALID_SESSION);
  });
});

describe("a new user's temporary password", () => {
  it("is checked before NEW_PASSWORD_REQUIRED; the new password's session refreshes", async () => {
    const email = newEmail();
    const temporary = "Temporary-Horse-7!";
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: emulator.userPoolId,
        Username: email,
        TemporaryPassword: temporary,
        MessageAction: "SUPPRESS",
        UserAttributes: [{ Name: "email", Value: email }],
      }),
    );
    expect(await refusal(signIn(email, "Not-The-Temporary-1!"))).toEqual(INCORRECT);
    const challenge = await signIn(email, temporary);
    expect(challenge.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
    const { AuthenticationResult } = await cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: emulator.userPoolClientId,
        ChallengeName: "NEW_PASSWORD_REQUIRED",
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: email, NEW_PASSWORD: PASSWORD },
      }),
    );
    await expectWorking(AuthenticationResult!);
  });
});

describe("a password reset", () => {
  it("mails the code; the new password works, the old one does not; existing sessions stay signed in, as on AWS", async () => {
    const email = await confirmedUser();
    const before = await tokens(email);
    const { CodeDeliveryDetails } = await cognito.send(
      new ForgotPasswordCommand({ ClientId: emulator.userPoolClientId, Username: email }),
    );
    expect(CodeDeliveryDetails).toEqual({ AttributeName: "email", DeliveryMedium: "EMAIL", Destination: "l***@s***" });
    const code = await emulator.confirmationCode(email);
    expect(mails.at(-1), "the code went to onMail").toEqual({ to: email, code });

    const reset = (confirmationCode: string) =>
      cognito.send(
        new ConfirmForgotPasswordCommand({
          ClientId: emulator.userPoolClientId,
          Username: email,
          ConfirmationCode: confirmationCode,
          Password: "Another-Horse-43!",
        }),
      );
    expect(await refusal(reset(code === "000000" ? "111111" : "000000"))).toEqual({
      name: "CodeMismatchException",
      message: "Invalid verification code provided, please try again.",
    });
    await reset(code);

    await expectWorking(await tokens(email, "Another-Horse-43!"));
    expect(await refusal(signIn(email))).toEqual(INCORRECT);
    await expectWorking(before);
  });
});
