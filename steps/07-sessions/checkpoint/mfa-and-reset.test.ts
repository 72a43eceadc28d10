/**
 * Step 07's checkpoint, signing in: your TOTP enrolment, MFA sign-in and
 * password reset against the Cognito emulator, which checks the codes your
 * totp.ts makes (as Cognito does, RFC 6238) and mails reset codes to the
 * checks instead of an inbox.
 */
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { check } from "../../../shared/checkpoint/check.ts";
import {
  startCognitoEmulator,
  type CognitoEmulator,
  type Mail,
} from "../../../shared/local-stack/cognito/cognito-emulator.ts";
import { LOCAL_CREDENTIALS } from "../../../shared/local-stack/local-credentials.ts";
import { randomPassword } from "../../../shared/random-password.ts";
import { confirmTotpEnrolment, signInWithTotp, startTotpEnrolment, type MfaClient } from "../mfa.ts";
import { confirmPasswordReset, requestPasswordReset, ResetError, RESET_REQUESTED } from "../password-reset.ts";
import { secretFromBase32, totp } from "../totp.ts";

let emulator: CognitoEmulator;
let client: MfaClient;
const mails: Mail[] = [];
let users = 0;

beforeAll(async () => {
  emulator = await startCognitoEmulator({ onMail: (mail) => mails.push(mail) });
  const cognito = new CognitoIdentityProviderClient({
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: LOCAL_CREDENTIALS,
  });
  client = { cognito, clientId: emulator.userPoolClientId };
});

afterAll(async () => {
  client?.cognito.destroy();
  await emulator?.stop();
});

/** A confirmed user with a password, created by the operator. */
async function newUser(): Promise<{ email: string; password: string }> {
  const email = `mfa-${++users}-${Date.now()}@acme.example`;
  const password = randomPassword();
  const UserPoolId = emulator.userPoolId;
  await client.cognito.send(
    new AdminCreateUserCommand({
      UserPoolId,
      Username: email,
      MessageAction: "SUPPRESS",
      UserAttributes: [
        { Name: "email", Value: email },
        { Name: "email_verified", Value: "true" },
      ],
    }),
  );
  await client.cognito.send(
    new AdminSetUserPasswordCommand({ UserPoolId, Username: email, Password: password, Permanent: true }),
  );
  return { email, password };
}

const passwordSignIn = (email: string, password: string) =>
  client.cognito.send(
    new InitiateAuthCommand({
      ClientId: client.clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );

const codeNow = (secret: string) => totp(secretFromBase32(secret), Date.now() / 1000);

/** A user enrolled in TOTP by your code, with their secret. */
async function enrolledUser() {
  const user = await newUser();
  const { AuthenticationResult } = await passwordSignIn(user.email, user.password);
  const accessToken = AuthenticationResult!.AccessToken!;
  const { secret } = await startTotpEnrolment(client, accessToken, user.email);
  await confirmTotpEnrolment(client, accessToken, codeNow(secret));
  return { ...user, secret };
}

async function refusalOf(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error("the call succeeded where Cognito refuses it");
}

describe("TOTP enrolment", () => {
  check(
    "turns MFA on with a code your totp.ts makes: the next sign-in asks for one",
    {
      todo: "mfa.ts, TODO 6",
      hint: "VerifySoftwareToken with the app's code, then SetUserMFAPreference with TOTP enabled.",
    },
    async () => {
      const user = await enrolledUser();
      const next = await passwordSignIn(user.email, user.password);
      expect(next.ChallengeName).toBe("SOFTWARE_TOKEN_MFA");
      expect(next.AuthenticationResult).toBeUndefined();
    },
  );
  check(
    "leaves MFA off when Cognito refuses the code",
    { todo: "mfa.ts, TODO 6", hint: "Verify first: a code Cognito refuses must stop before MFA is turned on." },
    async () => {
      const user = await newUser();
      const { AuthenticationResult } = await passwordSignIn(user.email, user.password);
      const accessToken = AuthenticationResult!.AccessToken!;
      const { secret } = await startTotpEnrolment(client, accessToken, user.email);
      const wrong = String((Number(codeNow(secret)) + 1) % 1_000_000).padStart(6, "0");
      await refusalOf(confirmTotpEnrolment(client, accessToken, wrong));
      const next = await passwordSignIn(user.email, user.password);
      expect(next.ChallengeName).toBeUndefined();
      expect(next.AuthenticationResult?.IdToken).toBeTruthy();
    },
  );
});

describe("sign-in with TOTP", () => {
  check(
    "answers the SOFTWARE_TOKEN_MFA challenge with the app's code and returns the three tokens",
    {
      todo: "mfa.ts, TODO 7",
      hint: "RespondToAuthChallenge: ChallengeName, the first answer's Session, USERNAME and SOFTWARE_TOKEN_MFA_CODE.",
    },
    async () => {
      const user = await enrolledUser();
      let asked = 0;
      const tokens = await signInWithTotp(client, user.email, user.password, () => {
        asked += 1;
        return codeNow(user.secret);
      });
      expect(asked).toBe(1);
      expect(tokens.idToken.split(".")).toHaveLength(3);
      expect(tokens.refreshToken).toBeTruthy();
      const claims = JSON.parse(Buffer.from(tokens.idToken.split(".")[1]!, "base64url").toString("utf8"));
      expect(claims["cognito:username"]).toBeTruthy();
      expect(claims.origin_jti).toEqual(expect.any(String));
    },
  );
  check(
    "never asks a user without MFA for a code",
    {
      todo: "mfa.ts, TODO 7",
      hint: "No ChallengeName in the first answer: its AuthenticationResult holds the tokens.",
    },
    async () => {
      const user = await newUser();
      const tokens = await signInWithTotp(client, user.email, user.password, () => {
        throw new Error("asked for a code, but this user has no MFA");
      });
      expect(tokens.idToken.split(".")).toHaveLength(3);
    },
  );
  check(
    "is refused with a wrong code (Cognito's CodeMismatchException)",
    { todo: "mfa.ts, TODO 7", hint: "Send the code as it came: Cognito decides, and its refusal reaches the caller." },
    async () => {
      const user = await enrolledUser();
      const wrong = String((Number(codeNow(user.secret)) + 1) % 1_000_000).padStart(6, "0");
      const error = await refusalOf(signInWithTotp(client, user.email, user.password, () => wrong));
      expect(error.name).toBe("CodeMismatchException");
    },
  );
});

describe("password reset", () => {
  check(
    "sets the new password with the mailed code: it signs in, the old one no longer does",
    {
      todo: "password-reset.ts, TODO 8",
      hint: "ConfirmForgotPassword with the code from the mail; only refusals need your code.",
    },
    async () => {
      const user = await newUser();
      await requestPasswordReset(client, user.email);
      const mail = mails.findLast((m) => m.to === user.email);
      expect(mail, "the emulator mailed no code").toBeDefined();
      const newPassword = randomPassword();
      await confirmPasswordReset(client, user.email, mail!.code, newPassword);
      expect((await passwordSignIn(user.email, newPassword)).AuthenticationResult?.IdToken).toBeTruthy();
      expect((await refusalOf(passwordSignIn(user.email, user.password))).name).toBe("NotAuthorizedException");
    },
  );
  check(
    "refuses a password the pool's policy refuses, and says so",
    {
      todo: "password-reset.ts, TODO 8",
      hint: "InvalidPasswordException (and InvalidParameterException under 6 characters): a ResetError about the policy.",
    },
    async () => {
      const user = await newUser();
      await requestPasswordReset(client, user.email);
      const mail = mails.findLast((m) => m.to === user.email)!;
      for (const weak of ["short", "alllowercaseletters"]) {
        const error = await refusalOf(confirmPasswordReset(client, user.email, mail.code, weak));
        expect(error).toBeInstanceOf(ResetError);
        expect((error as ResetError).code).toBe("InvalidPasswordException");
        expect(error.message).toMatch(/polic/i);
      }
    },
  );
  check(
    "answers an address with no account exactly as a real one: the request, and a wrong code",
    {
      todo: "password-reset.ts, TODO 8",
      hint: "The same ResetError, code and message, for CodeMismatchException, ExpiredCodeException and UserNotFoundException.",
    },
    async () => {
      const user = await newUser();
      const requested = await requestPasswordReset(client, user.email);
      expect(requested).toBe(RESET_REQUESTED);
      expect(await requestPasswordReset(client, `nobody-${Date.now()}@acme.example`)).toBe(requested);
      const mail = mails.findLast((m) => m.to === user.email)!;
      const wrongCode = String((Number(mail.code) + 1) % 1_000_000).padStart(6, "0");
      const known = await refusalOf(confirmPasswordReset(client, user.email, wrongCode, randomPassword()));
      const unknown = await refusalOf(
        confirmPasswordReset(client, `nobody-${Date.now()}@acme.example`, wrongCode, randomPassword()),
      );
      expect(known).toBeInstanceOf(ResetError);
      expect(unknown).toBeInstanceOf(ResetError);
      expect({ code: (unknown as ResetError).code, message: unknown.message }).toEqual({
        code: (known as ResetError).code,
        message: known.message,
      });
    },
  );
});
