/**
 * The Cognito emulator's signing key. cognito-local ships it in its package,
 * so it is public: anyone can mint tokens the local stack accepts. That is why
 * the local stack is for learning only, and what lets tests forge tokens that
 * are valid but for one claim (expired, another audience, …).
 */
import { createPublicKey } from "node:crypto";
import { cognitoLocalPrivateKey } from "../local-stack/cognito/signing-keys.ts";
import type { Jwk, SigningKey } from "./token-factory.ts";

export function emulatorSigningKey(): SigningKey {
  const { kid, privateKey } = cognitoLocalPrivateKey();
  const publicKey = createPublicKey(privateKey);
  const { n, e } = publicKey.export({ format: "jwk" }) as { n: string; e: string };
  const jwk: Jwk = { kty: "RSA", n, e, kid, alg: "RS256", use: "sig" };
  return {
    kid,
    privateKey,
    publicKey,
    jwk,
    publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
  };
}
