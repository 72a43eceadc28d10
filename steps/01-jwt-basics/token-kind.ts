/**
 * Flow step 2: Cognito answers a sign-in with three tokens. The ID and access
 * tokens are signed JWTs whose `token_use` says which is which; the refresh
 * token is opaque to everyone but Cognito (in AWS, an encrypted five-part JWE).
 */
import { todo } from "../../shared/checkpoint/todo.ts";
import { decodeJwt } from "./decode-jwt.ts";

export type TokenKind = "id" | "access" | "refresh";

/**
 * Which of the three tokens this is. It reads, it does not verify: never
 * trust the answer about a token whose signature and claims you haven't checked.
 */
export function tokenKind(token: string): TokenKind {
  // TODO 6: tell the three tokens apart.
  // - Five dot-separated parts (header.encryptedKey.iv.ciphertext.tag) is a JWE, as Cognito issues refresh tokens.
  // - Otherwise decode it (decodeJwt): the payload's token_use is "id" or "access" for those two tokens.
  // - No token_use at all is a refresh token too: the local emulator's refresh token is a JWT without one.
  return todo("6: tell the ID, access and refresh tokens apart (token-kind.ts)");
}
