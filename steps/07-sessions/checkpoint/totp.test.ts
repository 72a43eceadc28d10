/**
 * Step 07's checkpoint, TOTP: your HOTP and TOTP against the test vectors of
 * RFC 4226 (appendix D) and RFC 6238 (appendix B). The emulator's own check of
 * your codes is in mfa.test.ts.
 */
import { describe, expect } from "vitest";
import { check } from "../../../shared/checkpoint/check.ts";
import { hotp, totp, type TotpAlgorithm } from "../totp.ts";

// RFC 4226, appendix D: the ASCII key "12345678901234567890", counters 0 to 9.
const RFC4226_KEY = Buffer.from("12345678901234567890");
const RFC4226_CODES = [
  "755224",
  "287082",
  "359152",
  "969429",
  "338314",
  "254676",
  "287922",
  "162583",
  "399871",
  "520489",
];

// RFC 6238, appendix B: one key per hash, 8-digit codes, 30-second steps.
const RFC6238_KEYS: Record<TotpAlgorithm, Buffer> = {
  sha1: Buffer.from("12345678901234567890"),
  sha256: Buffer.from("12345678901234567890123456789012"),
  sha512: Buffer.from("1234567890123456789012345678901234567890123456789012345678901234"),
};
const RFC6238_VECTORS: [number, TotpAlgorithm, string][] = [
  [59, "sha1", "94287082"],
  [59, "sha256", "46119246"],
  [59, "sha512", "90693936"],
  [1111111109, "sha1", "07081804"],
  [1111111109, "sha256", "68084774"],
  [1111111109, "sha512", "25091201"],
  [1111111111, "sha1", "14050471"],
  [1234567890, "sha256", "91819424"],
  [2000000000, "sha512", "38618901"],
  [20000000000, "sha1", "65353130"],
  [20000000000, "sha256", "77737706"],
  [20000000000, "sha512", "47863826"],
];

describe("HOTP (RFC 4226)", () => {
  check(
    "gives the RFC's codes for counters 0 to 9",
    {
      todo: "totp.ts, TODO 1",
      hint: "RFC 4226, section 5.3: HMAC-SHA-1 of the counter as 8 bytes, big-endian; then dynamic truncation.",
    },
    () => {
      expect(RFC4226_CODES.map((_, counter) => hotp(RFC4226_KEY, BigInt(counter)))).toEqual(RFC4226_CODES);
    },
  );
  check(
    "keeps a code's leading zeros and honours the digits asked for",
    {
      todo: "totp.ts, TODO 1",
      hint: "The code is the number modulo 10^digits, written with exactly that many digits.",
    },
    () => {
      const eight = hotp(RFC4226_KEY, 1n, 8);
      expect(eight).toMatch(/^\d{8}$/);
      expect(eight.endsWith("287082")).toBe(true);
      // Counter 37 of this key truncates to a number under 100,000: its 6-digit code starts with a zero.
      const codes = Array.from({ length: 200 }, (_, counter) => hotp(RFC4226_KEY, BigInt(counter)));
      expect(codes.every((code) => /^\d{6}$/.test(code))).toBe(true);
      expect(codes.some((code) => code.startsWith("0"))).toBe(true);
    },
  );
});

describe("TOTP (RFC 6238)", () => {
  check(
    "gives the RFC's codes for SHA-1, SHA-256 and SHA-512 up to the year 2603",
    {
      todo: "totp.ts, TODO 2",
      hint: "RFC 6238, section 4: the counter is the whole number of steps since the Unix epoch.",
    },
    () => {
      const codes = RFC6238_VECTORS.map(([time, algorithm]) =>
        totp(RFC6238_KEYS[algorithm], time, { digits: 8, algorithm }),
      );
      expect(codes).toEqual(RFC6238_VECTORS.map(([, , code]) => code));
    },
  );
  check(
    "gives one code for every second of a 30-second step, and a new one at the next step",
    { todo: "totp.ts, TODO 2", hint: "Round the time down to its step: 0 to 29.999 s is step 0, 30 s is step 1." },
    () => {
      const key = RFC6238_KEYS.sha1;
      const step = 1_700_000_010; // a multiple of 30
      const inStep = [0, 1, 15.5, 29, 29.999].map((s) => totp(key, step + s));
      expect(new Set(inStep).size).toBe(1);
      expect(totp(key, step + 30)).not.toBe(inStep[0]);
      expect(totp(key, step - 1)).not.toBe(inStep[0]);
    },
  );
});
