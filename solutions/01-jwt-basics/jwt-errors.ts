/**
 * One error class per reason a token is refused, as aws-jwt-verify has: a
 * caller (or a test) tells the reasons apart by class or by `reason`, and each
 * message says what was wrong in words a person can act on.
 */

export type JwtFailureReason =
  | "malformed"
  | "unsupported-algorithm"
  | "kid-mismatch"
  | "invalid-signature"
  | "expired"
  | "wrong-issuer"
  | "wrong-audience"
  | "wrong-token-use";

/** Every refusal of this step's code is a `JwtError`; `reason` says which one. */
export abstract class JwtError extends Error {
  abstract readonly reason: JwtFailureReason;
}

/** Shows a claim's value as the token carries it, or says it is not there. */
function shown(value: unknown): string {
  return value === undefined ? "missing" : JSON.stringify(value);
}

/** Not a JWT this code can read: not three parts, not base64url, not JSON, no `alg`, no `exp`. */
export class MalformedJwtError extends JwtError {
  readonly reason = "malformed";
  override name = "MalformedJwtError";

  constructor(problem: string) {
    super(`Malformed JWT: ${problem}.`);
  }
}

/** The header names an algorithm other than the one the verifier pins (RS256). */
export class UnsupportedAlgorithmError extends JwtError {
  readonly reason = "unsupported-algorithm";
  override name = "UnsupportedAlgorithmError";

  constructor(readonly alg: unknown) {
    super(
      `The token's header says alg ${shown(alg)}, but only "RS256" is accepted: the verifier pins the algorithm, ` +
        `the token never chooses it ("none" would skip the signature, "HS256" would use the public key as an HMAC secret).`,
    );
  }
}

/** The header's `kid` is not the id of the key the token is checked against. */
export class KidMismatchError extends JwtError {
  readonly reason = "kid-mismatch";
  override name = "KidMismatchError";

  constructor(
    readonly tokenKid: unknown,
    readonly jwkKid: unknown,
  ) {
    super(
      tokenKid === undefined
        ? `The token's header has no kid, so no key of the JWKS can be chosen to check it (the JWK's kid is ${shown(jwkKid)}).`
        : `The token says it was signed with key ${shown(tokenKid)}, but the JWK is ${shown(jwkKid)}: check it with the JWKS key whose kid matches.`,
    );
  }
}

/** The signature does not match the header and payload under this public key. */
export class InvalidSignatureError extends JwtError {
  readonly reason = "invalid-signature";
  override name = "InvalidSignatureError";

  constructor() {
    super(
      "The signature does not match the token's header and payload for this key: the token was changed after signing, or signed with another key.",
    );
  }
}

/** `exp` is in the past by more than the allowed clock skew. */
export class TokenExpiredError extends JwtError {
  readonly reason = "expired";
  override name = "TokenExpiredError";
  readonly expiredAt: Date;

  constructor(exp: number, nowSeconds: number, clockSkewSeconds: number) {
    const expiredAt = new Date(exp * 1000);
    super(
      `The token expired at ${expiredAt.toISOString()}, ${Math.round(nowSeconds - exp)} s ago ` +
        `(up to ${clockSkewSeconds} s of clock skew is allowed): sign in again or refresh.`,
    );
    this.expiredAt = expiredAt;
  }
}

/** `iss` is not the expected user pool. */
export class WrongIssuerError extends JwtError {
  readonly reason = "wrong-issuer";
  override name = "WrongIssuerError";

  constructor(
    readonly actual: unknown,
    readonly expected: string,
  ) {
    super(
      `The token's iss is ${shown(actual)}, not the expected user pool "${expected}": another pool (or anyone) issued it.`,
    );
  }
}

/** `aud` (ID token) or `client_id` (access token) is not the expected app client. */
export class WrongAudienceError extends JwtError {
  readonly reason = "wrong-audience";
  override name = "WrongAudienceError";

  constructor(
    readonly claim: "aud" | "client_id",
    readonly actual: unknown,
    readonly expected: string,
  ) {
    super(
      `The token's ${claim} is ${shown(actual)}, not this app client "${expected}": it was issued for another application.`,
    );
  }
}

/** `token_use` is not the kind of token this place requires (e.g. an access token where an ID token is needed). */
export class WrongTokenUseError extends JwtError {
  readonly reason = "wrong-token-use";
  override name = "WrongTokenUseError";

  constructor(
    readonly actual: unknown,
    readonly expected: string,
  ) {
    super(
      actual === undefined
        ? `The token has no token_use claim (is it a refresh token?), but an "${expected}" token is required here.`
        : `The token's token_use is ${shown(actual)}, but an "${expected}" token is required here.`,
    );
  }
}
