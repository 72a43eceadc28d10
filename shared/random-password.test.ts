import { describe, expect, it } from "vitest";
import { DEMO_USERS, newDemoPasswords } from "../scripts/lib/demo-cast.ts";
import { randomPassword } from "./random-password.ts";

/** The deployed pool's policy (solutions/02-user-pool): 12 or more, lower, upper, digit and one of Cognito's symbols. */
const COGNITO_SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";
const meetsPoolPolicy = (password: string) =>
  password.length >= 12 &&
  /[a-z]/.test(password) &&
  /[A-Z]/.test(password) &&
  /[0-9]/.test(password) &&
  [...password].some((c) => COGNITO_SYMBOLS.includes(c));

describe("randomPassword", () => {
  it("meets the pool's password policy, every time", () => {
    for (let i = 0; i < 500; i += 1) expect(meetsPoolPolicy(randomPassword()), "a generated password").toBe(true);
  });

  it("is new on every call, and safe to paste into a shell between single quotes", () => {
    const passwords = Array.from({ length: 200 }, () => randomPassword());
    expect(new Set(passwords).size).toBe(200);
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9._:+=%@,^-]{20}$/);
  });
});

describe("newDemoPasswords", () => {
  it("one password per demo user, none shared, new each run", () => {
    const run = newDemoPasswords();
    expect(Object.keys(run)).toEqual(Object.keys(DEMO_USERS));
    expect(new Set(Object.values(run)).size).toBe(Object.keys(DEMO_USERS).length);
    expect(Object.values(newDemoPasswords())).not.toEqual(Object.values(run));
    for (const password of Object.values(run)) expect(meetsPoolPolicy(password)).toBe(true);
  });
});
