/**
 * Checkpoint of step 2.
 *
 * Part 1 (TODOs 1 to 3): the user pool and app client as CloudFormation would
 * receive them. A small stack holds only your TenantUserPool; the checks read
 * its synthesized template (no AWS account needed).
 *
 * Part 2 (TODOs 4 to 6): your AuthClient against the Cognito emulator
 * (cognito-local), started here so the checks can read the confirmation codes
 * it "emails". Its pool and app client are synthesized from the reference
 * TenantUserPool and enforced as Cognito enforces them: the password policy,
 * the client's write attributes, PreventUserExistenceErrors.
 */
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
  UpdateUserAttributesCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { App, RemovalPolicy, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, describe, expect } from "vitest";
import { check } from "../../../shared/checkpoint/check.ts";
import { TodoError } from "../../../shared/checkpoint/todo.ts";
import { startCognitoEmulator, type CognitoEmulator } from "../../../shared/local-stack/cognito/cognito-emulator.ts";
import { LOCAL_CREDENTIALS } from "../../../shared/local-stack/local-credentials.ts";
import { AuthClient, AuthError } from "../auth-client.ts";
import { TenantUserPool } from "../tenant-user-pool.ts";

type Properties = Record<string, unknown>;

/** Synthesizes a stack holding only the TenantUserPool under test. */
async function synthesize(removalPolicy?: RemovalPolicy): Promise<Template> {
  // CloudFormation's own validation (2 s of WASM at its first use) is the stack tests' and `npm run synth`'s job.
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, "Checkpoint");
  new TenantUserPool(stack, "Identity", removalPolicy === undefined ? {} : { removalPolicy });
  return Template.fromStack(stack);
}

/** The one resource of a type: its Properties, plus the resource itself for its policies. */
async function onlyOne(type: string, removalPolicy: RemovalPolicy = RemovalPolicy.DESTROY) {
  const resources = Object.values((await synthesize(removalPolicy)).findResources(type));
  expect(resources, `the stack should hold exactly one ${type}`).toHaveLength(1);
  const resource = resources[0] as { Properties?: Properties; DeletionPolicy?: string };
  return { resource, properties: resource.Properties ?? {} };
}

const userPool = async () => (await onlyOne("AWS::Cognito::UserPool")).properties;
const appClient = async () => (await onlyOne("AWS::Cognito::UserPoolClient")).properties;

/** CloudFormation's token validities in minutes, whatever unit the template uses (its defaults: hours, hours, days). */
function validityMinutes(client: Properties, token: "IdToken" | "AccessToken" | "RefreshToken"): number | undefined {
  const value = client[`${token}Validity`];
  if (typeof value !== "number") return undefined;
  const units = (client.TokenValidityUnits ?? {}) as Record<string, string>;
  const unit = units[token] ?? (token === "RefreshToken" ? "days" : "hours");
  const perUnit: Record<string, number> = { seconds: 1 / 60, minutes: 1, hours: 60, days: 24 * 60 };
  return value * (perUnit[unit] ?? Number.NaN);
}

describe("the user pool", () => {
  check(
    "users sign in with their email address",
    {
      hint: "the template's pool names the email as its username attribute (UsernameAttributes)",
      todo: "tenant-user-pool.ts, TODO 1",
    },
    async () => {
      const pool = await userPool();
      expect(pool.UsernameAttributes).toEqual(["email"]);
    },
  );

  check(
    "users sign themselves up and confirm their email with a code",
    {
      hint: "the pool allows self sign-up and verifies the email address automatically, with a code",
      todo: "tenant-user-pool.ts, TODO 1",
    },
    async () => {
      const pool = await userPool();
      expect(pool.AdminCreateUserConfig, "self sign-up: AllowAdminCreateUserOnly must be false").toMatchObject({
        AllowAdminCreateUserOnly: false,
      });
      expect(pool.AutoVerifiedAttributes).toEqual(["email"]);
    },
  );

  check(
    "passwords have at least 12 characters of every kind; an operator's temporary password lasts 3 days at most",
    {
      hint: "the pool's password policy asks for 12 characters or more, with lower case, upper case, digits and symbols, and temporary passwords expire within 3 days",
      todo: "tenant-user-pool.ts, TODO 1",
    },
    async () => {
      const policy = ((await userPool()).Policies as { PasswordPolicy?: Properties } | undefined)?.PasswordPolicy;
      expect(policy, "the pool should have a password policy").toBeDefined();
      expect(policy!.MinimumLength).toBeGreaterThanOrEqual(12);
      expect(policy).toMatchObject({
        RequireLowercase: true,
        RequireUppercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
      });
      // Cognito's default is 7 days: a password sent by email should not stay usable that long.
      expect(policy!.TemporaryPasswordValidityDays, "TemporaryPasswordValidityDays").toBeLessThanOrEqual(3);
    },
  );

  check(
    "MFA is optional, with an authenticator app (TOTP) and no SMS",
    {
      hint: "MFA is the user's choice, and the only second factor enabled is an authenticator app (SOFTWARE_TOKEN_MFA)",
      todo: "tenant-user-pool.ts, TODO 1",
    },
    async () => {
      const pool = await userPool();
      expect(pool.MfaConfiguration).toBe("OPTIONAL");
      expect(pool.EnabledMfas).toEqual(["SOFTWARE_TOKEN_MFA"]);
    },
  );

  check(
    "custom:tenantId is a string attribute that can never change",
    {
      hint: "the pool's schema has a String attribute tenantId whose Mutable is false",
      todo: "tenant-user-pool.ts, TODO 2",
    },
    async () => {
      const schema = ((await userPool()).Schema ?? []) as Properties[];
      const tenant = schema.find((attribute) => attribute.Name === "tenantId");
      expect(tenant, "the pool's schema should have the custom attribute tenantId").toBeDefined();
      expect(tenant!.AttributeDataType, "tenantId should be a string attribute").toBe("String");
      expect(
        tenant!.Mutable,
        "tenantId should be immutable (mutable: false): nobody may move a user to another tenant",
      ).toBe(false);
      // The authorizer accepts tenant ids of 1 to 64 characters (TENANT_ID_PATTERN): the pool holds no other.
      const { MinLength, MaxLength } = (tenant!.StringAttributeConstraints ?? {}) as Record<string, string>;
      expect(Number(MinLength), "tenantId's minimum length (minLen)").toBeGreaterThanOrEqual(1);
      expect(Number(MaxLength), "tenantId's maximum length (maxLen)").toBeLessThanOrEqual(64);
    },
  );

  check(
    "the removal policy given is the pool's (DESTROY deletes it, the default keeps it)",
    {
      hint: "given code: props.removalPolicy reaches the pool once TODOs 1 to 3 let the construct build",
      todo: "tenant-user-pool.ts, TODO 1",
    },
    async () => {
      expect((await onlyOne("AWS::Cognito::UserPool", RemovalPolicy.DESTROY)).resource.DeletionPolicy).toBe("Delete");
      const pools = Object.values((await synthesize()).findResources("AWS::Cognito::UserPool"));
      expect(
        (pools[0] as { DeletionPolicy?: string }).DeletionPolicy,
        "without a removal policy the pool (people's identities) is kept",
      ).toBe("Retain");
    },
  );
});

describe("the app client", () => {
  check(
    "has no client secret (a browser cannot keep one)",
    { hint: "the app client generates no secret", todo: "tenant-user-pool.ts, TODO 3" },
    async () => {
      const client = await appClient();
      expect(client.GenerateSecret ?? false, "GenerateSecret should be false (or absent)").toBe(false);
    },
  );

  check(
    "allows USER_PASSWORD_AUTH and refresh, and no flow the workshop's clients do not use",
    {
      hint: "ExplicitAuthFlows is exactly ALLOW_USER_PASSWORD_AUTH and ALLOW_REFRESH_TOKEN_AUTH, nothing more",
      todo: "tenant-user-pool.ts, TODO 3",
    },
    async () => {
      const flows = (await appClient()).ExplicitAuthFlows;
      expect(
        [...((flows as string[] | undefined) ?? [])].sort(),
        `ExplicitAuthFlows: ${JSON.stringify(flows)}`,
      ).toEqual(["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"]);
    },
  );

  check(
    "ID and access tokens live 60 minutes, refresh tokens 30 days",
    {
      hint: "the template's token validities come to 60 minutes (ID, access) and 30 days (refresh), whatever the units",
      todo: "tenant-user-pool.ts, TODO 3",
    },
    async () => {
      const client = await appClient();
      const minutes = {
        id: validityMinutes(client, "IdToken"),
        access: validityMinutes(client, "AccessToken"),
        refresh: validityMinutes(client, "RefreshToken"),
      };
      expect(minutes, `token lifetimes in minutes: ${JSON.stringify(minutes)}`).toEqual({
        id: 60,
        access: 60,
        refresh: 30 * 24 * 60,
      });
    },
  );

  check(
    "can read the email, whether it is verified, and custom:tenantId, but never write the tenant",
    {
      hint: "ReadAttributes include email, email_verified and custom:tenantId; WriteAttributes is an explicit list without custom:tenantId",
      todo: "tenant-user-pool.ts, TODO 3",
    },
    async () => {
      const client = await appClient();
      expect(client.ReadAttributes, "ReadAttributes: what the ID token carries").toEqual(
        expect.arrayContaining(["email", "email_verified", "custom:tenantId"]),
      );
      // Without WriteAttributes the client may write every writable attribute: list them.
      expect(Array.isArray(client.WriteAttributes), "the client should list its WriteAttributes").toBe(true);
      expect(
        client.WriteAttributes,
        "a user who could write custom:tenantId could read another tenant's data",
      ).not.toContain("custom:tenantId");
    },
  );
});

// Part 2: the auth client against the Cognito emulator.
// A password the pool's policy accepts: the emulator enforces it as Cognito does.
const PASSWORD = "Correct-Horse-42!";

interface Session {
  emulator: CognitoEmulator;
  auth: AuthClient;
}

// Started by the first check that needs it rather than in a beforeAll: a hook
// that fails would skip the checks instead of failing them.
let emulatorStarting: Promise<CognitoEmulator> | undefined;
const clients: AuthClient[] = [];

/** The emulator, and an AuthClient under test for its pool. */
async function session(): Promise<Session> {
  const emulator = await (emulatorStarting ??= startCognitoEmulator());
  const auth = new AuthClient(emulator.authClientConfig);
  clients.push(auth);
  return { emulator, auth };
}

afterAll(async () => {
  for (const client of clients) client.destroy();
  await (await emulatorStarting?.catch(() => undefined))?.stop();
});

/** The user as the operator sees them (admin API). */
async function adminGetUser(emulator: CognitoEmulator, email: string) {
  const cognito = new CognitoIdentityProviderClient({
    region: emulator.region,
    endpoint: emulator.endpoint,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    return await cognito.send(new AdminGetUserCommand({ UserPoolId: emulator.userPoolId, Username: email }));
  } finally {
    cognito.destroy();
  }
}

let users = 0;
/** A fresh address per check, so the checks do not depend on each other. */
const newEmail = (who: string) => `${who}-${++users}-${Date.now()}@tenant-a.test`;

/** The claims of a JWT, decoded (the emulator signed it; step 3 verifies signatures). */
function claims(jwt: string): Record<string, unknown> {
  const payload = jwt.split(".")[1];
  if (jwt.split(".").length !== 3 || !payload) throw new Error(`not a JWT: ${jwt.slice(0, 40)}`);
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
}

/**
 * The error a call rejects with. A TodoError is rethrown (the missing part is
 * the reason the check fails), and a call that succeeds fails the check.
 */
async function rejectionOf(call: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TodoError) throw error;
    return error;
  }
  throw new Error(`${what} succeeded, but Cognito should have refused it`);
}

/** Asserts an AuthError with Cognito's code (and, when given, the friendly message). */
function expectAuthError(error: unknown, code: string, message?: string) {
  expect(error, `expected an AuthError, got ${String(error)}`).toBeInstanceOf(AuthError);
  const authError = error as AuthError;
  expect(authError.code, `AuthError code (message: ${authError.message})`).toBe(code);
  if (message !== undefined) expect(authError.message).toBe(message);
}

/** Signs a new user up and confirms them with the code the emulator "emailed". */
async function confirmedUser({ auth, emulator }: Session, who: string): Promise<string> {
  const email = newEmail(who);
  await auth.signUp(email, PASSWORD);
  await auth.confirmSignUp(email, await emulator.confirmationCode(email));
  return email;
}

describe("the auth client, against the Cognito emulator", () => {
  check(
    "signing up creates an unconfirmed user, with no tenant, and emails a code",
    {
      hint: "signUp creates an unconfirmed user with the email as username and no tenant, and returns their id and confirmed: false",
      todo: "auth-client.ts, TODO 4",
    },
    async () => {
      const { auth, emulator } = await session();
      const email = newEmail("ada");
      const result = await auth.signUp(email, PASSWORD);
      expect(result.confirmed, "a new user is unconfirmed until they enter the code").toBe(false);
      expect(result.userSub, "userSub should be the new user's id").toMatch(/\S/);
      expect(await emulator.confirmationCode(email)).toMatch(/^\d+$/);

      const user = await adminGetUser(emulator, email);
      expect(user.UserStatus).toBe("UNCONFIRMED");
      expect(
        user.UserAttributes?.find((attribute) => attribute.Name === "custom:tenantId"),
        "sign-up sends the email only: the tenant is the operator's to assign",
      ).toBeUndefined();
    },
  );

  check(
    "signing up twice with one email is an AuthError, not a crash",
    {
      hint: "Cognito's UsernameExistsException reaches the caller as an AuthError with a message a person can act on",
      todo: "auth-client.ts, TODO 4",
    },
    async () => {
      const s = await session();
      const email = newEmail("twice");
      await s.auth.signUp(email, PASSWORD);
      expectAuthError(
        await rejectionOf(s.auth.signUp(email, PASSWORD), "a second sign-up"),
        "UsernameExistsException",
        "An account with this email already exists.",
      );
    },
  );

  check(
    "a wrong confirmation code is an AuthError",
    { hint: "a wrong code reaches the caller as an AuthError (CodeMismatchException)", todo: "auth-client.ts, TODO 4" },
    async () => {
      const s = await session();
      const email = newEmail("typo");
      await s.auth.signUp(email, PASSWORD);
      const wrong = (await s.emulator.confirmationCode(email)) === "000000" ? "111111" : "000000";
      expectAuthError(
        await rejectionOf(s.auth.confirmSignUp(email, wrong), "confirming with a wrong code"),
        "CodeMismatchException",
      );
    },
  );

  check(
    "sign-in is refused until the email is confirmed",
    {
      hint: "signing in before the code is confirmed is an AuthError (UserNotConfirmedException), not a crash",
      todo: "auth-client.ts, TODO 5",
    },
    async () => {
      const s = await session();
      const email = newEmail("early");
      await s.auth.signUp(email, PASSWORD);
      const error = await rejectionOf(s.auth.signIn(email, PASSWORD), "signing in before confirming");
      expectAuthError(error, "UserNotConfirmedException");
    },
  );

  check(
    "a confirmed user signs in and gets an ID, an access and a refresh token",
    {
      hint: "signIn returns the user's ID token, an access token for the same sub, and a refresh token",
      todo: "auth-client.ts, TODO 5",
    },
    async () => {
      const s = await session();
      const email = await confirmedUser(s, "grace");
      const tokens = await s.auth.signIn(email, PASSWORD);
      expect(claims(tokens.idToken), "idToken should be the user's ID token").toMatchObject({ token_use: "id", email });
      expect(claims(tokens.accessToken), "accessToken should be an access token").toMatchObject({
        token_use: "access",
      });
      expect(claims(tokens.idToken).sub, "both tokens should be the same user's").toBe(claims(tokens.accessToken).sub);
      expect(tokens.refreshToken, "refreshToken should be set").toMatch(/\S/);
    },
  );

  check(
    "a wrong password is an AuthError that says so, not a crash",
    {
      hint: 'a wrong password is an AuthError whose message is "Incorrect email or password.", as for an unknown email',
      todo: "auth-client.ts, TODO 5",
    },
    async () => {
      const s = await session();
      const email = await confirmedUser(s, "wrong");
      const error = await rejectionOf(s.auth.signIn(email, `${PASSWORD}x`), "signing in with a wrong password");
      expectAuthError(error, "NotAuthorizedException", "Incorrect email or password.");
    },
  );

  check(
    "refresh trades the refresh token for new ID and access tokens",
    {
      hint: "refresh returns a new ID token for the same user and a new access token",
      todo: "auth-client.ts, TODO 6",
    },
    async () => {
      const s = await session();
      const email = await confirmedUser(s, "linus");
      const first = await s.auth.signIn(email, PASSWORD);
      const refreshed = await s.auth.refresh(first.refreshToken);
      expect(claims(refreshed.idToken), "idToken should be the same user's ID token").toMatchObject({
        token_use: "id",
        email,
        sub: claims(first.idToken).sub,
      });
      expect(claims(refreshed.accessToken), "accessToken should be an access token").toMatchObject({
        token_use: "access",
      });
      expect(refreshed.idToken, "the ID token should be a new one").not.toBe(first.idToken);
      expect(refreshed.accessToken, "the access token should be a new one").not.toBe(first.accessToken);
    },
  );

  check(
    "a user cannot change their own custom:tenantId (the emulator's pool enforces it; your construct's part is checked above)",
    {
      hint: "the operator sets the tenant (given); the user must be able to sign in (TODO 5) for the check to try changing it",
      todo: "auth-client.ts, TODO 5",
    },
    async () => {
      const { auth, emulator } = await session();
      const email = newEmail("mallory");
      await auth.addUserToTenant({ email, password: PASSWORD, tenantId: "tenant-a" });
      const { accessToken } = await auth.signIn(email, PASSWORD);

      const cognito = new CognitoIdentityProviderClient({
        region: emulator.region,
        endpoint: emulator.endpoint,
        credentials: LOCAL_CREDENTIALS,
      });
      try {
        const attempt = cognito.send(
          new UpdateUserAttributesCommand({
            AccessToken: accessToken,
            UserAttributes: [{ Name: "custom:tenantId", Value: "tenant-b" }],
          }),
        );
        const refusal = await rejectionOf(attempt, "changing custom:tenantId with the user's own access token");
        // Refused twice over, as AWS does: not a write attribute of the client, and immutable.
        expect(refusal, `Cognito should refuse the change, got ${String(refusal)}`).toBeInstanceOf(
          CognitoIdentityProviderServiceException,
        );
      } finally {
        cognito.destroy();
      }

      const fresh = await auth.signIn(email, PASSWORD);
      expect(claims(fresh.idToken)["custom:tenantId"], "a fresh ID token still names the tenant the operator set").toBe(
        "tenant-a",
      );
    },
  );
});
