import { describe, expect, it } from "vitest";
import { LOCAL_TOKEN_PASSWORD, existingUserNote, parseTokenArgs } from "./token-request.ts";

/** An ID token as far as the note reads it: the payload's claims (no signature check here). */
const idToken = (claims: Record<string, unknown>) => `x.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.y`;

describe("parseTokenArgs", () => {
  it("local: the local-only default password, role member", () => {
    expect(parseTokenArgs(["alice@acme.example", "acme"], {})).toEqual({
      email: "alice@acme.example",
      tenantId: "acme",
      role: "member",
      roleGiven: false,
      target: "local",
      password: LOCAL_TOKEN_PASSWORD,
      json: false,
    });
  });

  it("--json asks for the three tokens", () => {
    expect(parseTokenArgs(["alice@acme.example", "acme", "--json"], {}).json).toBe(true);
  });

  it("aws without a password is refused with one sentence that says how to give one", () => {
    expect(() => parseTokenArgs(["a@b.example", "acme", "--target", "aws"], {})).toThrow(
      /^--target aws needs the user's password: pass --password '…' or set WORKSHOP_PASSWORD \(no default/,
    );
  });

  it("aws takes --password, or WORKSHOP_PASSWORD from the environment", () => {
    expect(
      parseTokenArgs(["a@b.example", "acme", "admin", "--target", "aws", "--password", "From-flag-1234!"], {}),
    ).toMatchObject({
      role: "admin",
      roleGiven: true,
      password: "From-flag-1234!",
    });
    expect(
      parseTokenArgs(["a@b.example", "acme", "--target", "aws"], { WORKSHOP_PASSWORD: "From-env-1234!" }).password,
    ).toBe("From-env-1234!");
  });

  it("anything else is one sentence", () => {
    expect(() => parseTokenArgs(["a@b.example"], {})).toThrow(/^Usage: npm run token -- EMAIL TENANT/);
    expect(() => parseTokenArgs(["a@b.example", "acme", "owner"], {})).toThrow(
      "The role must be one of viewer, member, admin.",
    );
    expect(() => parseTokenArgs(["a@b.example", "acme", "--target", "prod"], {})).toThrow(
      '--target must be "local" or "aws", not "prod".',
    );
  });
});

describe("existingUserNote", () => {
  const alice = idToken({ email: "alice@acme.example", "custom:tenantId": "acme", "cognito:groups": ["member"] });

  it("nothing to say when the user is in the tenant and role asked for", () => {
    expect(
      existingUserNote({ email: "alice@acme.example", tenantId: "acme", role: "member", roleGiven: true }, alice),
    ).toBeUndefined();
  });

  it("another tenant: says it was ignored, and to use a new email", () => {
    const note = existingUserNote(
      { email: "alice@acme.example", tenantId: "globex", role: "member", roleGiven: false },
      alice,
    );
    expect(note).toBe(
      "note: alice@acme.example already exists in tenant acme as member, so TENANT globex was ignored (a user's tenant never changes): for a member of globex, use a new email.",
    );
  });

  it("another role: says it was ignored, and how to get one", () => {
    const note = existingUserNote(
      { email: "alice@acme.example", tenantId: "acme", role: "admin", roleGiven: true },
      alice,
    );
    expect(note).toBe(
      "note: alice@acme.example already exists in tenant acme as member, so ROLE admin was ignored: for an admin of acme, use a new email.",
    );
  });

  it("both, in one line", () => {
    const note = existingUserNote(
      { email: "alice@acme.example", tenantId: "globex", role: "viewer", roleGiven: true },
      alice,
    );
    expect(note).toMatch(
      /^note: .* so TENANT globex and ROLE viewer were ignored \(a user's tenant never changes\): for a viewer of globex, use a new email\.$/,
    );
    expect(note).not.toContain("\n");
  });

  it("a user in no group counts as a member, as the authorizer counts them", () => {
    const noGroups = idToken({ "custom:tenantId": "acme" });
    expect(
      existingUserNote({ email: "a@acme.example", tenantId: "acme", role: "member", roleGiven: true }, noGroups),
    ).toBeUndefined();
  });
});
