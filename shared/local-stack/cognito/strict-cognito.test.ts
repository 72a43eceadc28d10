/**
 * The Cognito emulator refuses what the deployed pool refuses, with Cognito's
 * exception names and messages, and issues tokens shaped as Cognito's are.
 * Everything goes through the AWS SDK, as the AWS CLI or a learner would call it.
 */
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  type AuthenticationResultType,
} from "@aws-sdk/client-cognito-identity-provider";
import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TenantUserPool } from "../../../solutions/02-user-pool/tenant-user-pool.ts";
import { emulatorSigningKey } from "../../test-helpers/emulator-signing-key.ts";
import { createSigningKey, decodeJwt, signJwt } from "../../test-helpers/token-factory.ts";
import { LOCAL_CREDENTIALS } from "../local-credentials.ts";
import { startCognitoEmulator, type CognitoEmulator, type Mail } from "./cognito-emulator.ts";

const PASSWORD = "Correct-Horse-42!";
let emulator: CognitoEmulator;
let cognito: CognitoIdentityProviderClient;
const mails: Mail[] = [];
let users = 0;
const newEmail = () => `user-${++users}-${Date.now()}@strict.test`;

beforeAll(async () => {
  emulator = await startCognitoEmulator({ onMail: (mail) => mails.push(mail) });
  cognito = new CognitoIdentityProviderClient({
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: LOCAL_CREDENTIALS,
  });
});

afterAll(async () => {
  cognito?.destroy();
  await emulator?.stop();
});

/** The exception a call is refused with: its name and message. */
async function refusal(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await call;
  } catch (error) {
    const { name, message } = error as Error;
    return { name, message };
  }
  throw new Error("the call succeeded; Cognito would have refused it");
}

const signUp = (email: string, password = PASSWORD, extra: { Name: string; Value: string }[] = []) =>
  cognito.send(
    new SignUpCommand({
      ClientId: emulator.userPoolClientId,
      Username: email,
      Password: password,
      UserAttributes: [{ Name: "email", Value: email }, ...extra],
    }),
  );

const signIn = (email: string, password = PASSWORD) =>
  cognito.send(
    new InitiateAuthCommand({
      ClientId: emulator.userPoolClientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );

async function confirmedUser(): Promise<string> {
  const email = newEmail();
  await signUp(email);
  await cognito.send(
    new ConfirmSignUpCommand({
      ClientId: emulator.userPoolClientId,
      Username: email,
      ConfirmationCode: await emulator.confirmationCode(email),
    }),
  );
  return email;
}

async function signedIn(): Promise<{ email: string; tokens: AuthenticationResultType }> {
  const email = await confirmedUser();
  const { AuthenticationResult } = await signIn(email);
  return { email, tokens: AuthenticationResult! };
}

const claims = (token: string | undefined) => decodeJwt(token ?? "").payload;

describe("the emulator's pool is the construct's", () => {
  it("agrees with the synthesized pool, app client and groups on every setting that matters", async () => {
    // CloudFormation's own validation is the stack tests' job; here it would cost seconds.
    const stack = new Stack(new App({ builtinCloudFormationValidation: false }), "Compare");
    new TenantUserPool(stack, "Identity");
    const template = Template.fromStack(stack);
    const only = (type: string) =>
      Object.values(template.findResources(type))[0]!.Properties as Record<string, unknown>;
    const pool = only("AWS::Cognito::UserPool");
    const client = only("AWS::Cognito::UserPoolClient");

    const { UserPool } = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: emulator.userPoolId }));
    const { UserPoolClient } = await cognito.send(
      new DescribeUserPoolClientCommand({ UserPoolId: emulator.userPoolId, ClientId: emulator.userPoolClientId }),
    );
    const { Groups } = await cognito.send(new ListGroupsCommand({ UserPoolId: emulator.userPoolId }));

    expect(UserPool?.Policies?.PasswordPolicy).toEqual((pool.Policies as { PasswordPolicy: unknown }).PasswordPolicy);
    expect(UserPool?.UsernameAttributes).toEqual(pool["UsernameAttributes"]);
    expect(UserPool?.AutoVerifiedAttributes).toEqual(pool["AutoVerifiedAttributes"]);
    expect(UserPool?.MfaConfiguration).toEqual(pool["MfaConfiguration"]);
    // cognito-local's DescribeUserPool omits UserAttributeUpdateSettings; the email-change check below proves it is kept.
    for (const attribute of pool.Schema as { Name: string; Mutable?: boolean; Required?: boolean }[]) {
      const name = attribute.Name === "email" ? "email" : `custom:${attribute.Name}`;
      const local = UserPool?.SchemaAttributes?.find((a) => a.Name === name);
      expect(local, `schema attribute ${name}`).toMatchObject({
        Mutable: attribute.Mutable ?? true,
        Required: attribute.Required ?? false,
      });
    }

    for (const setting of [
      "ExplicitAuthFlows",
      "ReadAttributes",
      "WriteAttributes",
      "IdTokenValidity",
      "AccessTokenValidity",
      "RefreshTokenValidity",
      "TokenValidityUnits",
      "PreventUserExistenceErrors",
      "EnableTokenRevocation",
    ] as const) {
      expect(UserPoolClient?.[setting], setting).toEqual(client[setting]);
    }
    expect(UserPoolClient?.ClientSecret, "no secret").toBeUndefined();

    const groups = Object.values(template.findResources("AWS::Cognito::UserPoolGroup")).map((g) => g.Properties);
    expect(
      Groups?.map(({ GroupName, Precedence }) => ({ GroupName, Precedence })).sort(
        (a, b) => a.Precedence! - b.Precedence!,
      ),
    ).toEqual(
      groups
        .map(({ GroupName, Precedence }) => ({ GroupName, Precedence }))
        .sort((a, b) => a.Precedence - b.Precedence),
    );
  });
});

describe("the app client's permissions", () => {
  it("refuses a self sign-up that names custom:tenantId, and creates no user", async () => {
    const email = newEmail();
    expect(await refusal(signUp(email, PASSWORD, [{ Name: "custom:tenantId", Value: "acme" }]))).toEqual({
      name: "NotAuthorizedException",
      message: "A client attempted to write unauthorized attribute",
    });
    expect(
      (await refusal(cognito.send(new AdminGetUserCommand({ UserPoolId: emulator.userPoolId, Username: email })))).name,
    ).toBe("UserNotFoundException");
  });

  it("refuses UpdateUserAttributes on custom:tenantId, and lets the user change their email (verified first)", async () => {
    const { email, tokens } = await signedIn();
    expect(
      await refusal(
        cognito.send(
          new UpdateUserAttributesCommand({
            AccessToken: tokens.AccessToken,
            UserAttributes: [{ Name: "custom:tenantId", Value: "b" }],
          }),
        ),
      ),
    ).toEqual({ name: "NotAuthorizedException", message: "A client attempted to write unauthorized attribute" });

    const newAddress = newEmail();
    const out = await cognito.send(
      new UpdateUserAttributesCommand({
        AccessToken: tokens.AccessToken,
        UserAttributes: [{ Name: "email", Value: newAddress }],
      }),
    );
    expect(out.CodeDeliveryDetailsList?.[0]?.Destination, "the address is masked").toMatch(/^u\*\*\*@s\*\*\*$/);
    expect(await emulator.confirmationCode(newAddress)).toMatch(/^\d{6}$/);
    const { UserAttributes } = await cognito.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
    expect(
      UserAttributes?.find((a) => a.Name === "email")?.Value,
      "keepOriginal: the old address stays until verified",
    ).toBe(email);
  });

  it("refuses an auth flow the client does not enable", async () => {
    const attempt = cognito.send(
      new InitiateAuthCommand({
        ClientId: emulator.userPoolClientId,
        AuthFlow: "USER_SRP_AUTH",
        AuthParameters: { USERNAME: "a@b.c", SRP_A: "1" },
      }),
    );
    expect(await refusal(attempt)).toEqual({
      name: "InvalidParameterException",
      message: "USER_SRP_AUTH flow not enabled for this client",
    });
  });
});

describe("the password policy, wherever a password is set", () => {
  const weak = "DemoPass123";
  const policyRefusal = {
    name: "InvalidPasswordException",
    message: "Password did not conform with policy: Password not long enough",
  };

  it("on sign-up", async () => {
    expect(await refusal(signUp(newEmail(), weak))).toEqual(policyRefusal);
    expect((await refusal(signUp(newEmail(), "Long-enough-but-no-digit"))).message).toBe(
      "Password did not conform with policy: Password must have numeric characters",
    );
  });

  it("on an operator's AdminCreateUser and AdminSetUserPassword", async () => {
    const email = newEmail();
    expect(
      await refusal(
        cognito.send(
          new AdminCreateUserCommand({ UserPoolId: emulator.userPoolId, Username: email, TemporaryPassword: weak }),
        ),
      ),
    ).toEqual(policyRefusal);
    await cognito.send(
      new AdminCreateUserCommand({ UserPoolId: emulator.userPoolId, Username: email, MessageAction: "SUPPRESS" }),
    );
    expect(
      await refusal(
        cognito.send(
          new AdminSetUserPasswordCommand({
            UserPoolId: emulator.userPoolId,
            Username: email,
            Password: weak,
            Permanent: true,
          }),
        ),
      ),
    ).toEqual(policyRefusal);
  });

  it("on a password reset", async () => {
    const email = await confirmedUser();
    await cognito.send(new ForgotPasswordCommand({ ClientId: emulator.userPoolClientId, Username: email }));
    const code = await emulator.confirmationCode(email);
    const reset = (password: string) =>
      cognito.send(
        new ConfirmForgotPasswordCommand({
          ClientId: emulator.userPoolClientId,
          Username: email,
          ConfirmationCode: code,
          Password: password,
        }),
      );
    expect(await refusal(reset(weak))).toEqual(policyRefusal);
    await reset("Another-Horse-43!");
    expect((await signIn(email, "Another-Horse-43!")).AuthenticationResult?.IdToken).toBeTruthy();
  });
});

describe("PreventUserExistenceErrors: an unknown user looks like a known one", () => {
  it("sign-in: an unknown email and a wrong password get the same answer", async () => {
    const email = await confirmedUser();
    const unknown = await refusal(signIn(newEmail()));
    const wrongPassword = await refusal(signIn(email, `${PASSWORD}x`));
    expect(unknown).toEqual({ name: "NotAuthorizedException", message: "Incorrect username or password." });
    expect(wrongPassword).toEqual(unknown);
  });

  it("confirmation: an unknown email gets the answer of a wrong code", async () => {
    const email = newEmail();
    await signUp(email);
    const confirm = (username: string) =>
      cognito.send(
        new ConfirmSignUpCommand({
          ClientId: emulator.userPoolClientId,
          Username: username,
          ConfirmationCode: "000000",
        }),
      );
    const wrongCode = await refusal(confirm(email));
    expect(await refusal(confirm(newEmail()))).toEqual(wrongCode);
    expect(wrongCode.name).toBe("CodeMismatchException");
  });

  it("password reset: an unknown email gets the same masked delivery as a known one", async () => {
    const known = await confirmedUser();
    const forgot = (username: string) =>
      cognito.send(new ForgotPasswordCommand({ ClientId: emulator.userPoolClientId, Username: username }));
    const { CodeDeliveryDetails: forKnown } = await forgot(known);
    const { CodeDeliveryDetails: forUnknown } = await forgot(newEmail());
    expect(forKnown).toEqual({ AttributeName: "email", DeliveryMedium: "EMAIL", Destination: "u***@s***" });
    expect(forUnknown).toEqual(forKnown);
  });
});

describe("tokens as Cognito issues them", () => {
  it("an AuthenticationResult says how long and what kind; the ID token carries the read attributes, typed", async () => {
    const { email, tokens } = await signedIn();
    expect(tokens.ExpiresIn).toBe(3600);
    expect(tokens.TokenType).toBe("Bearer");
    const id = claims(tokens.IdToken);
    expect(id).toMatchObject({ email, email_verified: true, token_use: "id", aud: emulator.userPoolClientId });
    expect(id.iss).toBe(`https://cognito-idp.${emulator.region}.amazonaws.com/${emulator.userPoolId}`);
  });

  it("every token of one sign-in shares an origin_jti, refreshed ones too, and each has its own jti", async () => {
    const { tokens } = await signedIn();
    const refreshed = await cognito.send(
      new InitiateAuthCommand({
        ClientId: emulator.userPoolClientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken! },
      }),
    );
    const result = refreshed.AuthenticationResult!;
    expect(result.ExpiresIn).toBe(3600);
    expect(result.RefreshToken, "a refresh answer has no new refresh token").toBeUndefined();
    const all = [tokens.IdToken, tokens.AccessToken, result.IdToken, result.AccessToken].map(claims);
    expect(new Set(all.map((c) => c.origin_jti)).size).toBe(1);
    expect(all[0]!.origin_jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(all.map((c) => c.jti)).size).toBe(4);
    expect(all[2]!.auth_time, "a refreshed token keeps the sign-in's auth_time").toBe(all[0]!.auth_time);

    const otherSession = (await signIn(String(all[0]!.email))).AuthenticationResult!;
    expect(claims(otherSession.IdToken).origin_jti, "another sign-in is another session").not.toBe(all[0]!.origin_jti);
  });

  it("the pool's JWKS publishes the key the tokens are signed with", async () => {
    const { tokens } = await signedIn();
    const { keys } = (await (await fetch(emulator.jwksUrl)).json()) as { keys: { kid: string }[] };
    expect(keys.map((k) => k.kid)).toContain(decodeJwt(tokens.IdToken!).header.kid);
  });
});

describe("Cognito's own endpoints check the access token", () => {
  it("RevokeToken ends the session: its access token and refresh token are refused, another session's are not", async () => {
    const { email, tokens } = await signedIn();
    const other = (await signIn(email)).AuthenticationResult!;
    await cognito.send(new RevokeTokenCommand({ ClientId: emulator.userPoolClientId, Token: tokens.RefreshToken }));

    expect(await refusal(cognito.send(new GetUserCommand({ AccessToken: tokens.AccessToken })))).toEqual({
      name: "NotAuthorizedException",
      message: "Access Token has been revoked",
    });
    const refresh = cognito.send(
      new InitiateAuthCommand({
        ClientId: emulator.userPoolClientId,
        AuthFlow: "REFRESH_TOKEN_AUTH",
        AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken! },
      }),
    );
    expect(await refusal(refresh)).toEqual({
      name: "NotAuthorizedException",
      message: "Refresh Token has been revoked",
    });
    expect((await cognito.send(new GetUserCommand({ AccessToken: other.AccessToken }))).Username).toBeTruthy();
  });

  it("a forged or expired access token is refused", async () => {
    const { tokens } = await signedIn();
    const payload = claims(tokens.AccessToken);
    const forged = signJwt({
      key: createSigningKey({ kid: String(decodeJwt(tokens.AccessToken!).header.kid) }),
      payload,
    });
    expect(await refusal(cognito.send(new GetUserCommand({ AccessToken: forged })))).toEqual({
      name: "NotAuthorizedException",
      message: "Invalid Access Token",
    });
    // The emulator's first key is public: a token it signs is as good as the emulator's own (learning only).
    const expired = signJwt({
      key: emulatorSigningKey(),
      payload: { ...payload, exp: Math.floor(Date.now() / 1000) - 5 },
    });
    expect(await refusal(cognito.send(new GetUserCommand({ AccessToken: expired })))).toEqual({
      name: "NotAuthorizedException",
      message: "Access Token has expired",
    });
  });
});

describe("codes are mailed where a person can read them", () => {
  it("each code goes to the listener as it is sent", async () => {
    const email = newEmail();
    await signUp(email);
    const code = await emulator.confirmationCode(email);
    expect(mails).toContainEqual({ to: email, code });
  });
});
