/**
 * A fresh random password for a user the demo or a test suite creates: never
 * a fixed one, which anyone reading this public repository could use to sign
 * in as those users on a deployed stack.
 */
import { randomInt } from "node:crypto";

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";
/** Symbols Cognito counts, minus those a shell or a URL would make awkward to paste. */
const SYMBOLS = "-_.:+=%@,^";
const ALL = LOWER + UPPER + DIGITS + SYMBOLS;

const pick = (alphabet: string) => alphabet[randomInt(alphabet.length)]!;

/**
 * 20 characters from `crypto.randomInt`, with at least one of each kind the
 * pool's policy requires (lower, upper, digit, symbol; 12 or more), shuffled.
 */
export function randomPassword(length = 20): string {
  const chars = [pick(LOWER), pick(UPPER), pick(DIGITS), pick(SYMBOLS)];
  while (chars.length < length) chars.push(pick(ALL));
  for (let i = chars.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join("");
}
