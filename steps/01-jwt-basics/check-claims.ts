/**
 * Flow step 4, after the signature: the token is genuine, but is it still
 * valid, from our user pool, for our app client, and the right kind of token?
 */
import type { JwtPayload } from "./decode-jwt.ts";
import { todo } from "../../shared/checkpoint/todo.ts";
import {
  MalformedJwtError,
  TokenExpiredError,
  WrongAudienceError,
  WrongIssuerError,
  WrongTokenUseError,
} from "./jwt-errors.ts";

/** How far this machine's clock may be behind Cognito's before a just-expired token is refused. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;

export type CognitoTokenUse = "id" | "access";

export interface ExpectedClaims {
  /** The user pool's issuer URL: `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`. */
  issuer: string;
  /** The app client the token must be for: `aud` of an ID token, `client_id` of an access token. */
  clientId: string;
  tokenUse: CognitoTokenUse;
}

/** Throws unless `exp` (seconds since the epoch) is later than now, give or take the clock skew. */
export function checkExpiry(
  payload: JwtPayload,
  nowSeconds: number,
  clockSkewSeconds: number = DEFAULT_CLOCK_SKEW_SECONDS,
): void {
  // TODO 4: refuse a token without exp, or expired by more than the clock skew.
  // - An exp that is not a number is a MalformedJwtError: a token that never expires is never acceptable from Cognito.
  // - exp is in seconds since the epoch, like nowSeconds. The token is expired once now reaches exp plus the
  //   allowed skew: a TokenExpiredError(exp, nowSeconds, clockSkewSeconds).
  todo("4: refuse a token without exp, or expired by more than the clock skew (check-claims.ts)");
}

/** Throws unless the token comes from our user pool, is the expected kind, and is for our app client. */
export function checkCognitoClaims(payload: JwtPayload, expected: ExpectedClaims): void {
  // TODO 5: check iss, then token_use, then the app client, each against expected.
  // - iss must be expected.issuer, else WrongIssuerError.
  // - token_use must be expected.tokenUse, else WrongTokenUseError. Check it before the app client:
  //   an access token has no aud, and "wrong kind of token" is the truer reason.
  // - The app client is in "aud" for an ID token and in "client_id" for an access token;
  //   if that claim is not expected.clientId: WrongAudienceError, naming the claim.
  todo("5: check iss, then token_use, then the app client (check-claims.ts)");
}
