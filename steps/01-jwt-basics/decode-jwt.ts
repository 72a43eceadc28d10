/**
 * Flow step 2, read by hand: a JWT is `header.payload.signature`, each part
 * base64url-encoded. Decoding is not verifying: anyone can write a token that
 * decodes, so nothing read here may be trusted before the signature is checked.
 */
import { todo } from "../../shared/checkpoint/todo.ts";
import { MalformedJwtError } from "./jwt-errors.ts";

export interface JwtHeader {
  /** The algorithm the token claims to be signed with; the verifier decides whether to accept it. */
  alg: string;
  /** Which key of the issuer's JWKS signed it. */
  kid?: string;
  typ?: string;
  [name: string]: unknown;
}

/** The claims: `sub`, `iss`, `exp`, `token_use`, `email`... (Cognito's, see the README). */
export type JwtPayload = Record<string, unknown>;

export interface DecodedJwt {
  header: JwtHeader;
  payload: JwtPayload;
  /** `header.payload` exactly as sent: the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

export type JwtPart = "header" | "payload" | "signature";

/** Only these characters, without `=` padding (RFC 7515, section 2). */
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Decodes one part of a token, refusing anything that is not strict base64url. */
export function base64UrlDecode(segment: string, part: JwtPart): Buffer {
  // TODO 1: refuse a segment that is not strict base64url, then decode it.
  // - Node's Buffer.from(segment, "base64url") silently skips characters it does not know ("ab*c" decodes
  //   like "abc"), so test the segment against BASE64URL first. A length of 4n+1 can't come from any bytes either.
  // - Refuse with a MalformedJwtError that names the part; otherwise return the decoded bytes.
  return todo("1: refuse a segment that is not strict base64url, then decode it (decode-jwt.ts)");
}

/** Parses a decoded header or payload, which must be a JSON object. */
export function parseJsonObject(bytes: Buffer, part: JwtPart): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new MalformedJwtError(`the ${part} is not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new MalformedJwtError(`the ${part} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Splits a compact JWT into its decoded parts; verifies nothing. */
export function decodeJwt(token: string): DecodedJwt {
  // TODO 2: split the token on "." and decode its three parts.
  // - Anything but 3 parts is a MalformedJwtError (say how many there were).
  // - Header and payload: base64UrlDecode (TODO 1), then parseJsonObject, which refuses what is not JSON.
  // - A header whose alg is not a string is a MalformedJwtError too.
  //   (TypeScript: once you have checked it, `{ ...header, alg: header.alg }` is a JwtHeader.)
  // - signingInput is the first two segments as sent, joined by "."; signature is the third, decoded.
  return todo("2: split the token and decode its three parts (decode-jwt.ts)");
}
