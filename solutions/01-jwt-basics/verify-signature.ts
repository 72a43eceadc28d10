/**
 * Flow step 4, by hand: is this token really signed by the user pool? Cognito
 * signs with RS256 (RSA and SHA-256) using a private key only it holds, and
 * publishes the public half as a JWK in its JWKS.
 */
import { createPublicKey, verify } from "node:crypto";
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
  if (decoded.header.alg !== PINNED_ALGORITHM) throw new UnsupportedAlgorithmError(decoded.header.alg);
  if (decoded.header.kid !== jwk.kid) throw new KidMismatchError(decoded.header.kid, jwk.kid);
  const publicKey = createPublicKey({ key: jwk, format: "jwk" });
  const valid = verify("sha256", Buffer.from(decoded.signingInput), publicKey, decoded.signature);
  if (!valid) throw new InvalidSignatureError();
}
