/**
 * Flow step 2: Cognito answers a sign-in with three tokens. The ID and access
 * tokens are signed JWTs whose `token_use` says which is which; the refresh
 * token is opaque to everyone but Cognito (in AWS, an encrypted five-part JWE).
 */
import { decodeJwt } from "./decode-jwt.ts";

export type TokenKind = "id" | "access" | "refresh";

/**
 * Which of the three tokens this is. It reads, it does not verify: never
 * trust the answer about a token whose signature and claims you haven't checked.
 */
export function tokenKind(token: string): TokenKind {
  // header.encryptedKey.iv.ciphertext.tag: a JWE, as Cognito issues refresh tokens.
  if (token.split(".").length === 5) return "refresh";
  const { token_use: tokenUse } = decodeJwt(token).payload;
  if (tokenUse === "id" || tokenUse === "access") return tokenUse;
  // The local emulator's refresh token is a JWT without token_use.
  return "refresh";
}
