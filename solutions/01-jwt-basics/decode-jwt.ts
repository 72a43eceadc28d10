/**
 * Flow step 2, read by hand: a JWT is `header.payload.signature`, each part
 * base64url-encoded. Decoding is not verifying: anyone can write a token that
 * decodes, so nothing read here may be trusted before the signature is checked.
 */
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
  // Node's decoder silently skips characters it does not know ("ab*c" decodes like "abc"): check the alphabet first.
  // A length of 4n+1 characters can't come from any bytes.
  if (!BASE64URL.test(segment) || segment.length % 4 === 1) {
    throw new MalformedJwtError(`the ${part} is not base64url (only A-Z, a-z, 0-9, "-" and "_", no "=" padding)`);
  }
  return Buffer.from(segment, "base64url");
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
  const parts = token.split(".");
  if (parts.length !== 3) {
    throw new MalformedJwtError(`expected 3 parts separated by dots (header.payload.signature), got ${parts.length}`);
  }
  const [headerSegment, payloadSegment, signatureSegment] = parts as [string, string, string];
  const header = parseJsonObject(base64UrlDecode(headerSegment, "header"), "header");
  if (typeof header.alg !== "string") throw new MalformedJwtError("the header has no alg");
  return {
    header: { ...header, alg: header.alg },
    payload: parseJsonObject(base64UrlDecode(payloadSegment, "payload"), "payload"),
    signingInput: `${headerSegment}.${payloadSegment}`,
    signature: base64UrlDecode(signatureSegment, "signature"),
  };
}
