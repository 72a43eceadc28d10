/**
 * The pieces of this step in the order a verifier runs them, as
 * aws-jwt-verify's `CognitoJwtVerifier.verify()` does (with much more care:
 * see the README). Step 03 replaces all of this with that library.
 */
import { checkCognitoClaims, checkExpiry, type ExpectedClaims } from "./check-claims.ts";
import { decodeJwt, type JwtPayload } from "./decode-jwt.ts";
import { verifySignature, type RsaJwk } from "./verify-signature.ts";

export interface CognitoJwtCheck extends ExpectedClaims {
  /** The user pool's public key whose `kid` is the token's. */
  jwk: RsaJwk;
  /** Defaults to the current time. */
  nowSeconds?: number;
  clockSkewSeconds?: number;
}

/** The token's claims, once every check has passed; throws a `JwtError` naming the first that did not. */
export function verifyCognitoJwt(token: string, check: CognitoJwtCheck): JwtPayload {
  const decoded = decodeJwt(token);
  // The signature first: until it checks out, every claim could be a forgery.
  verifySignature(decoded, check.jwk);
  checkExpiry(decoded.payload, check.nowSeconds ?? Date.now() / 1000, check.clockSkewSeconds);
  checkCognitoClaims(decoded.payload, check);
  return decoded.payload;
}
