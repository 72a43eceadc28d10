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
  // TODO 6: say which of the three tokens this is, reading it only (nothing here is verified).
  // - Cognito's refresh token is not a JWS at all (the README says what it is): tell it by its shape,
  //   before anything tries to decode it as one.
  // - The two JWTs say which is which in a claim of their own (the README's table of tokens).
  // - Pitfall: the local emulator's refresh token is a JWS too, one that says it is neither of the two others.
  return todo("6: each of the three tokens is told apart (token-kind.ts)");
}
