/**
 * What an attacker can build, for the checkpoint's attack catalogue. The Cognito
 * emulator's signing key is public (cognito-local ships it), so the checks can
 * mint tokens exactly like the emulator's and wrong in one claim only: the
 * verifier's claim checks, not its signature check, must catch those. With a
 * real user pool nobody outside AWS holds that key.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { PROJECT_ROOT } from "../../../shared/local-stack/outputs-file.ts";
import {
  base64UrlDecode,
  base64UrlEncode,
  base64UrlEncodeJson,
  type Jwk,
  type SigningKey,
} from "../../../shared/test-helpers/token-factory.ts";

/** The emulator's key pair, as cognito-local signs every ID and access token with it (kid `CognitoLocal`). */
export function emulatorSigningKey(): SigningKey {
  const file = join(PROJECT_ROOT, "node_modules", "cognito-local", "lib", "keys", "cognitoLocal.private.json");
  const { pem, jwk } = JSON.parse(readFileSync(file, "utf8")) as { pem: string; jwk: Jwk & Record<string, unknown> };
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  return {
    kid: jwk.kid,
    privateKey,
    publicKey,
    jwk: { kty: "RSA", n: jwk.n, e: jwk.e, kid: jwk.kid, alg: jwk.alg, use: "sig" },
    publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
  };
}

/**
 * The same token with one character of its payload's JSON changed (the first
 * character of `value`, where the JSON text holds it): header and signature kept.
 */
export function withOnePayloadCharacterChanged(token: string, value: string): string {
  const [header, payload, signature] = token.split(".");
  if (header === undefined || payload === undefined || signature === undefined) throw new Error("Not a compact JWT");
  const json = base64UrlDecode(payload).toString("utf8");
  const at = json.indexOf(JSON.stringify(value).slice(1, -1));
  if (at < 0) throw new Error(`${value} is not in the token's payload`);
  const changed = json.slice(0, at) + (json[at] === "x" ? "y" : "x") + json.slice(at + 1);
  return `${header}.${base64UrlEncode(changed)}.${signature}`;
}

/**
 * A refresh token in the shape Cognito issues them: a JWE (encrypted, five
 * parts), readable by Cognito only. (The emulator's refresh tokens are signed
 * JWTs instead, "for debugging purposes only".)
 */
export function cognitoShapedRefreshToken(): string {
  const random = (bytes: number) => base64UrlEncode(Uint8Array.from({ length: bytes }, (_, i) => (i * 37 + 11) % 256));
  return [base64UrlEncodeJson({ cty: "JWT", enc: "A256GCM", alg: "RSA-OAEP" }), random(256), random(12), random(600), random(16)].join(".");
}
