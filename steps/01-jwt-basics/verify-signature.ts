/**
 * Flow step 4, by hand: is this token really signed by the user pool? Cognito
 * signs with RS256 (RSA and SHA-256) using a private key only it holds, and
 * publishes the public half as a JWK in its JWKS.
 */
import { createPublicKey, verify } from "node:crypto";
import { todo } from "../../shared/checkpoint/todo.ts";
import type { DecodedJwt } from "./decode-jwt.ts";
import { InvalidSignatureError, KidMismatchError, UnsupportedAlgorithmError } from "./jwt-errors.ts";

/**
 * A public RSA key as a JWKS lists it: `{ kty: "RSA", n, e, kid, alg: "RS256", use: "sig" }`.
 * (A type, not an interface, so that it is a `JsonWebKey` for `createPublicKey`.)
 */
export type RsaJwk = {
  kty: string;
  /** The modulus, base64url. */
  n: string;
  /** The public exponent, base64url (`AQAB` is 65537). */
  e: string;
  kid?: string;
  alg?: string;
  use?: string;
};

/** The one algorithm accepted, whatever the token's header says. */
export const PINNED_ALGORITHM = "RS256";

/** Throws unless the token is RS256-signed by the private half of `jwk`. */
export function verifySignature(decoded: DecodedJwt, jwk: RsaJwk): void {
  // TODO 3: return only if the token was RS256-signed with the private half of `jwk`; otherwise throw the
  // jwt-errors.ts error that names the reason.
  // - The header was written by whoever made the token: it may not choose how the token is checked (RFC 8725, 3.1).
  //   Decide what happens to every algorithm but the pinned one, and before or after any crypto runs.
  // - The header's kid says which key signed it; a kid that is not this key's is a reason of its own.
  // - node:crypto can turn a JWK into a public key and check an RSA signature over bytes: the bytes are the
  //   signing input as sent (decode-jwt.ts), not the decoded claims.
  todo("3: only an RS256 signature by this key verifies (verify-signature.ts)");
}
