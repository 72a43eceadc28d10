/**
 * Flow step 4, after the signature: the token is genuine, but is it still
 * valid, from our user pool, for our app client, and the right kind of token?
 */
import type { JwtPayload } from "./decode-jwt.ts";
import {
  MalformedJwtError,
  TokenExpiredError,
  WrongAudienceError,
  WrongIssuerError,
  WrongTokenUseError,
} from "./jwt-errors.ts";

/**
 * How far this machine's clock may run ahead of Cognito's: a token still valid by Cognito's clock looks
 * expired by a clock that is ahead, so a token is accepted until `exp` plus this many seconds.
 */
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
  const { exp } = payload;
  // A token that never expires is never acceptable from Cognito.
  if (typeof exp !== "number" || !Number.isFinite(exp))
    throw new MalformedJwtError("the payload has no numeric exp claim");
  // RFC 7519, 4.1.4: now must be before exp, so the exact second exp (plus the skew) is already expired.
  if (nowSeconds >= exp + clockSkewSeconds) throw new TokenExpiredError(exp, nowSeconds, clockSkewSeconds);
}

/** Throws unless the token comes from our user pool, is the expected kind, and is for our app client. */
export function checkCognitoClaims(payload: JwtPayload, expected: ExpectedClaims): void {
  if (payload.iss !== expected.issuer) throw new WrongIssuerError(payload.iss, expected.issuer);
  // token_use before the audience: an access token has no aud, and "wrong kind of token" is the truer reason.
  if (payload.token_use !== expected.tokenUse) throw new WrongTokenUseError(payload.token_use, expected.tokenUse);
  const audienceClaim = expected.tokenUse === "id" ? "aud" : "client_id";
  if (payload[audienceClaim] !== expected.clientId) {
    throw new WrongAudienceError(audienceClaim, payload[audienceClaim], expected.clientId);
  }
}
