import { describe, expect, it } from "vitest";
import { maskedEmail, passwordProblem, poolRules } from "./pool-rules.ts";
import type { UserPoolDefinition } from "./user-pool-definition.ts";

const strict = {
  MinimumLength: 12,
  RequireLowercase: true,
  RequireUppercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
};
const definition = (client: UserPoolDefinition["client"]): UserPoolDefinition => ({
  pool: { Policies: { PasswordPolicy: strict } },
  client,
  groups: [],
});

describe("passwordProblem, in Cognito's words", () => {
  it.each([
    ["Sh0rt!", "Password did not conform with policy: Password not long enough"],
    ["NO-LOWER-CASE-42", "Password did not conform with policy: Password must have lowercase characters"],
    ["no-upper-case-42", "Password did not conform with policy: Password must have uppercase characters"],
    ["No-Digits-At-All", "Password did not conform with policy: Password must have numeric characters"],
    ["NoSymbolsHere42x", "Password did not conform with policy: Password must have symbol characters"],
    [" NoSymbolsHere42 ", "Password did not conform with policy: Password must have symbol characters"],
  ])("%j: %s", (password, message) => {
    expect(passwordProblem(strict, password)).toMatchObject({ type: "InvalidPasswordException", message });
  });

  it("under 6 characters is the API's own parameter check", () => {
    expect(passwordProblem(strict, "aB1!")?.type).toBe("InvalidParameterException");
  });

  it("a password that meets every rule passes, a space inside counts as a symbol", () => {
    expect(passwordProblem(strict, "Correct-Horse-42!")).toBeUndefined();
    expect(passwordProblem(strict, "Correct Horse 42")).toBeUndefined();
  });
});

describe("poolRules", () => {
  it("an app client that names no read or write attributes may read and write them all", () => {
    const rules = poolRules(definition({}));
    expect(rules.canRead("custom:tenantId")).toBe(true);
    expect(() => rules.assertWritable(["custom:tenantId"])).not.toThrow();
  });

  it("named read and write attributes are the only ones", () => {
    const rules = poolRules(definition({ ReadAttributes: ["email"], WriteAttributes: ["email"] }));
    expect(rules.canRead("custom:tenantId")).toBe(false);
    expect(() => rules.assertWritable(["email", "custom:tenantId"])).toThrow(
      "A client attempted to write unauthorized attribute",
    );
  });

  it("a client with no explicit flows gets Cognito's defaults: SRP, custom and refresh, not passwords", () => {
    const rules = poolRules(definition({}));
    expect(() => rules.assertFlow("USER_SRP_AUTH")).not.toThrow();
    expect(() => rules.assertFlow("USER_PASSWORD_AUTH")).toThrow("USER_PASSWORD_AUTH flow not enabled for this client");
  });

  it("ExpiresIn is the access token's lifetime in seconds, in the client's unit", () => {
    expect(
      poolRules(definition({ AccessTokenValidity: 60, TokenValidityUnits: { AccessToken: "minutes" } }))
        .accessTokenSeconds,
    ).toBe(3600);
    expect(poolRules(definition({})).accessTokenSeconds, "Cognito's default: 1 hour").toBe(3600);
  });
});

it("maskedEmail shows one letter of each part", () => {
  expect(maskedEmail("bob@example.com")).toBe("b***@e***");
});
