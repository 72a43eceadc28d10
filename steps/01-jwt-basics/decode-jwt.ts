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
  // TODO 1: return the segment's bytes, or refuse it with a MalformedJwtError that names the part.
  // - Refuse anything RFC 7515 would not call base64url: a verifier that reads more than the standard allows
  //   reads forged tokens as genuine ones.
  // - Pitfall: Node's own base64url decoder is lenient. Find out what it does with a character it does not know,
  //   and with a length that no byte string encodes to, before you trust it.
  return todo("1: only strict base64url decodes (decode-jwt.ts)");
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
  // TODO 2: return the token's parts decoded, or refuse it with a MalformedJwtError that says what is wrong.
  // - Only the compact form of a JWS (RFC 7515, 7.1) is a token: anything else is refused before it is read.
  // - The header and the payload must each be a JSON object (TODO 1 decodes; parseJsonObject, given, parses), and
  //   a header that does not say how it was signed is no token either.
  // - Keep what the signature check (TODO 3) needs: the exact characters the signature covers, and its bytes.
  //   Re-encoding what you decoded is not "exactly".
  return todo("2: a compact JWS decodes to its header, payload and signature (decode-jwt.ts)");
}
