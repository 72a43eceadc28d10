/**
 * What an attacker can build, for the checkpoint's attack catalogue, beside
 * the tokens re-signed with the Cognito emulator's public key
 * (shared/test-helpers/emulator-signing-key.ts).
 */
import { base64UrlDecode, base64UrlEncode, base64UrlEncodeJson } from "../../../shared/test-helpers/token-factory.ts";

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
  return [
    base64UrlEncodeJson({ cty: "JWT", enc: "A256GCM", alg: "RSA-OAEP" }),
    random(256),
    random(12),
    random(600),
    random(16),
  ].join(".");
}
