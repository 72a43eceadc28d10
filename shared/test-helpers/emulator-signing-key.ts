/**
 * The Cognito emulator's signing key. cognito-local ships it in its package,
 * so it is public: anyone can mint tokens the local stack accepts. That is why
 * the local stack is for learning only, and what lets tests forge tokens that
 * are valid but for one claim (expired, another audience, …).
 */
import { createPrivateKey, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Jwk, SigningKey } from "./token-factory.ts";

const require = createRequire(import.meta.url);

export function emulatorSigningKey(): SigningKey {
  const { pem } = JSON.parse(readFileSync(require.resolve("cognito-local/lib/keys/cognitoLocal.private.json"), "utf8")) as { pem: string };
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const { n, e } = publicKey.export({ format: "jwk" }) as { n: string; e: string };
  const kid = "CognitoLocal";
  const jwk: Jwk = { kty: "RSA", n, e, kid, alg: "RS256", use: "sig" };
  return { kid, privateKey, publicKey, jwk, publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString() };
}
