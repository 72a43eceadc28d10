/**
 * Flow step 1 with TOTP MFA: enrolment (the user's authenticator app gets the
 * secret, and proves it by a code), then a sign-in that answers Cognito's
 * SOFTWARE_TOKEN_MFA challenge. The pool allows MFA, optional, TOTP only
 * (step 02's construct): each user turns it on for themselves.
 */
import {
  AssociateSoftwareTokenCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import type { SessionTokens } from "./session.ts";
import { otpauthUri } from "./totp.ts";

/** Where MFA calls go: the user pool's app client (public, no secret). */
export interface MfaClient {
  cognito: CognitoIdentityProviderClient;
  clientId: string;
}

export interface TotpEnrolment {
  /** The shared secret, base32, as the authenticator app takes it. */
  secret: string;
  /** The same secret as an `otpauth://` URI, for a QR code. */
  otpauthUri: string;
}

/** The issuer an authenticator app shows beside the account. */
export const TOTP_ISSUER = "Purchases workshop";

/** Step 1 of enrolment: Cognito makes a secret for the signed-in user (their access token). */
export async function startTotpEnrolment(
  { cognito }: MfaClient,
  accessToken: string,
  account: string,
): Promise<TotpEnrolment> {
  const out = await cognito.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
  if (!out.SecretCode) throw new Error("Cognito returned no secret code.");
  return { secret: out.SecretCode, otpauthUri: otpauthUri(out.SecretCode, account, TOTP_ISSUER) };
}

/**
 * Step 2 of enrolment: the code from the app proves it holds the secret; only
 * then is TOTP turned on, as the user's preferred MFA. Turned on before the
 * proof, a typo in the secret would lock the user out.
 */
export async function confirmTotpEnrolment({ cognito }: MfaClient, accessToken: string, code: string): Promise<void> {
  const verified = await cognito.send(
    new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: code, FriendlyDeviceName: TOTP_ISSUER }),
  );
  if (verified.Status !== "SUCCESS") throw new Error(`Cognito did not accept the code (${verified.Status}).`);
  await cognito.send(
    new SetUserMFAPreferenceCommand({
      AccessToken: accessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
}

/**
 * Sign-in with the password, then the code. Cognito answers the password with
 * the SOFTWARE_TOKEN_MFA challenge and a `Session`; the answer names the user
 * and carries the code and that session. The code is asked for only when the
 * challenge comes (a user without MFA is never asked).
 */
export async function signInWithTotp(
  { cognito, clientId }: MfaClient,
  email: string,
  password: string,
  totpCode: () => string | Promise<string>,
): Promise<SessionTokens> {
  const first = await cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  if (!first.ChallengeName) return tokensOf(first.AuthenticationResult);
  if (first.ChallengeName !== "SOFTWARE_TOKEN_MFA") {
    throw new Error(`Cognito asks for the ${first.ChallengeName} challenge, which this client does not answer.`);
  }
  const answer = await cognito.send(
    new RespondToAuthChallengeCommand({
      ClientId: clientId,
      ChallengeName: "SOFTWARE_TOKEN_MFA",
      Session: first.Session,
      ChallengeResponses: { USERNAME: email, SOFTWARE_TOKEN_MFA_CODE: await totpCode() },
    }),
  );
  return tokensOf(answer.AuthenticationResult);
}

function tokensOf(result: AuthenticationResultType | undefined): SessionTokens {
  if (!result?.IdToken || !result.AccessToken || !result.RefreshToken) throw new Error("Cognito returned no tokens.");
  return { idToken: result.IdToken, accessToken: result.AccessToken, refreshToken: result.RefreshToken };
}
