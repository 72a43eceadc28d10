/**
 * Flow step 1, with a second factor: the six-digit code an authenticator app
 * shows. HOTP (RFC 4226) is an HMAC of a counter, cut down to a few digits;
 * TOTP (RFC 6238) is HOTP whose counter is the time, in 30-second steps. The
 * secret is the one Cognito hands out at enrolment (AssociateSoftwareToken),
 * in base32.
 */
import { createHmac } from "node:crypto";
import { base32 } from "@scure/base";

export type TotpAlgorithm = "sha1" | "sha256" | "sha512";

export interface TotpOptions {
  /** Seconds per time step (RFC 6238's X). Cognito and every authenticator app: 30. */
  stepSeconds?: number;
  /** Digits of the code. Cognito: 6. RFC 6238's test vectors: 8. */
  digits?: number;
  /** The HMAC's hash. Cognito: SHA-1, as in the RFC's default. */
  algorithm?: TotpAlgorithm;
}

/** The secret as bytes, from the base32 text Cognito returns (no padding, any case). */
export function secretFromBase32(secret: string): Buffer {
  const normalized = secret.toUpperCase().replace(/[\s=]/g, "");
  const padded = normalized.padEnd(Math.ceil(normalized.length / 8) * 8, "=");
  return Buffer.from(base32.decode(padded));
}

/**
 * RFC 4226, section 5.3: HMAC the counter (8 bytes, big-endian), take 4 bytes
 * at the offset given by the low 4 bits of the last byte, drop the top bit,
 * keep the last `digits` decimal digits, left-padded with zeros.
 */
export function hotp(key: Buffer, counter: bigint, digits = 6, algorithm: TotpAlgorithm = "sha1"): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(counter);
  const mac = createHmac(algorithm, key).update(message).digest();
  const offset = mac.readUInt8(mac.length - 1) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/**
 * RFC 6238, section 4: the counter is the number of whole steps since the Unix
 * epoch (T0 = 0), so every code is valid for the rest of its step.
 */
export function totp(key: Buffer, unixSeconds: number, options: TotpOptions = {}): string {
  const { stepSeconds = 30, digits = 6, algorithm = "sha1" } = options;
  const counter = BigInt(Math.floor(unixSeconds / stepSeconds));
  return hotp(key, counter, digits, algorithm);
}

/**
 * The `otpauth://` URI an authenticator app reads from a QR code (Google
 * Authenticator's Key URI Format): the issuer and account label the app shows,
 * and the secret.
 */
export function otpauthUri(secret: string, account: string, issuer: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({ secret, issuer, algorithm: "SHA1", digits: "6", period: "30" });
  return `otpauth://totp/${label}?${query}`;
}
