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
  // TODO 3: pin the algorithm, match the kid, then verify the RS256 signature.
  // - An alg other than exactly PINNED_ALGORITHM is an UnsupportedAlgorithmError, before any crypto runs:
  //   the token never chooses ("none" skips the signature, "HS256" turns the public key into an HMAC secret).
  // - A header kid other than jwk.kid is a KidMismatchError.
  // - createPublicKey({ key: jwk, format: "jwk" }) gives the public key;
  //   verify("sha256", <signingInput as bytes>, publicKey, decoded.signature) says true or false.
  //   False is an InvalidSignatureError.
  todo("3: pin the algorithm, match the kid, then verify the RS256 signature (verify-signature.ts)");
}
