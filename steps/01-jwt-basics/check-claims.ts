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
  // TODO 4: return only if the token is still valid at nowSeconds, give or take the clock skew.
  // - A Cognito token always says when it expires: a token that does not, or not as a number, is malformed
  //   (a token that never expires is never acceptable).
  // - The skew is for a clock that runs ahead of Cognito's: it makes a token expire a little later, never sooner.
  // - Decide what "expired" means at the exact second: is a token still valid when now is exactly exp (plus the
  //   skew), or already expired? RFC 7519, 4.1.4 answers; the checkpoint tests that second.
  todo("4: only a token that has not expired, give or take the skew, passes (check-claims.ts)");
}

/** Throws unless the token comes from our user pool, is the expected kind, and is for our app client. */
export function checkCognitoClaims(payload: JwtPayload, expected: ExpectedClaims): void {
  // TODO 5: return only if the token comes from expected.issuer, is the expected kind, and is for
  // expected.clientId; otherwise throw the one jwt-errors.ts error that names the reason.
  // - The issuer is compared whole: another pool, or anyone else, signs with other keys for other users.
  // - Each kind of Cognito token names its app client in a claim of its own (the README's table of tokens).
  // - Decide the order of the checks: a token can fail several at once, and the reason you report is the one
  //   a log reader acts on. An access token where an ID token is required must be reported as the wrong kind of
  //   token, not as a token for the wrong app client.
  todo("5: only our pool's token of the expected kind, for our app client, passes (check-claims.ts)");
}
