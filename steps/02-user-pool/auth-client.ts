/**
 * Flow steps 1 and 2: what the web app does with the user's email and
 * password. It calls Cognito's public API (no secret: a browser could not keep
 * one) and gets back the ID, access and refresh tokens.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
  type AuthFlowType,
  type AuthenticationResultType,
  type InitiateAuthCommandOutput,
} from "@aws-sdk/client-cognito-identity-provider";
import type { Role } from "../../shared/runtime/purchases-api.ts";
import { todo } from "../../shared/checkpoint/todo.ts";

export interface AuthClientConfig {
  region: string;
  userPoolId: string;
  clientId: string;
  /** The Cognito API endpoint, when not AWS's (the local emulator). */
  endpoint?: string;
  /** Credentials for the operator's admin calls; the user's calls need none. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface Tokens {
  /** Proves who the user is (email, tenant, groups): what the API's authorizer checks. */
  idToken: string;
  /** Authorizes calls to Cognito's own user APIs, by scope. */
  accessToken: string;
  /** Opaque; only trades for new ID and access tokens. */
  refreshToken: string;
  expiresInSeconds: number;
}

/** A Cognito refusal in words a person can act on; `code` is Cognito's exception name. */
export class AuthError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "AuthError";
  }
}

const INCORRECT_CREDENTIALS = "Incorrect email or password.";

const FRIENDLY_MESSAGES: Record<string, string> = {
  NotAuthorizedException: INCORRECT_CREDENTIALS,
  UserNotConfirmedException: "This account is not confirmed yet: enter the code sent by email first.",
  UsernameExistsException: "An account with this email already exists.",
  CodeMismatchException: "That confirmation code is wrong.",
  ExpiredCodeException: "That confirmation code has expired: ask for a new one.",
  InvalidPasswordException: "The password does not meet the pool's password policy.",
  UserNotFoundException: INCORRECT_CREDENTIALS,
};

export class AuthClient {
  private readonly cognito: CognitoIdentityProviderClient;

  constructor(private readonly config: AuthClientConfig) {
    this.cognito = new CognitoIdentityProviderClient({
      region: config.region,
      endpoint: config.endpoint,
      credentials: config.credentials,
    });
  }

  /** Self sign-up. No tenant here: tenants are assigned by an operator, never chosen by the user. */
  async signUp(email: string, password: string): Promise<{ userSub: string; confirmed: boolean }> {
    // TODO 4: create the user in the pool through the public API (no credentials: the app client is public),
    // sending their email and password and nothing the user should not choose: never a tenant.
    // - Cognito's refusals must reach the caller as AuthErrors (see `call`, below), not as SDK exceptions.
    // - Return the new user's id and whether Cognito already confirmed them.
    return todo("4: the user signs up with their email and password only");
  }

  async confirmSignUp(email: string, code: string): Promise<void> {
    // TODO 4: confirm the sign-up with the code Cognito emailed; a wrong or expired code is an AuthError.
    return todo("4: the emailed code confirms the sign-up");
  }

  async signIn(email: string, password: string): Promise<Tokens> {
    // TODO 5: sign in with the email and password through the flow the app client allows (TODO 3), and return
    // the three tokens. `initiateAuth` and `tokensFrom` (below) do the plumbing.
    // - A wrong password and an unknown email must look the same to the caller (`initiateAuth` sees to it).
    // - Cognito may answer with a challenge instead of tokens (a user with MFA on): this client answers none,
    //   so it must say so with an AuthError naming the challenge, never return half a result.
    return todo("5: email and password sign in and give the three tokens");
  }

  /** New ID and access tokens for a refresh token; the refresh token itself stays the same. */
  async refresh(refreshToken: string): Promise<Omit<Tokens, "refreshToken">> {
    // TODO 6: trade the refresh token for new ID and access tokens through the refresh flow.
    // - Cognito does not send a new refresh token here: the one the caller has stays valid until it expires.
    // - An answer without both tokens is an AuthError, not a result with holes.
    return todo("6: the refresh token buys new ID and access tokens");
  }

  /**
   * The operator's call (admin API, needs IAM credentials): creates a user in
   * a tenant with a role and a password they can sign in with. The tenant is
   * written here once; the attribute is immutable afterwards.
   */
  async addUserToTenant(user: { email: string; password: string; tenantId: string; role?: Role }): Promise<void> {
    const { userPoolId } = this.config;
    await this.call(() =>
      this.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: user.email,
          MessageAction: "SUPPRESS",
          UserAttributes: [
            { Name: "email", Value: user.email },
            { Name: "email_verified", Value: "true" },
            { Name: "custom:tenantId", Value: user.tenantId },
          ],
        }),
      ),
    );
    await this.call(() =>
      this.cognito.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: userPoolId,
          Username: user.email,
          Password: user.password,
          Permanent: true,
        }),
      ),
    );
    if (user.role) {
      await this.call(() =>
        this.cognito.send(
          new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: user.email, GroupName: user.role }),
        ),
      );
    }
  }

  destroy(): void {
    this.cognito.destroy();
  }

  /**
   * InitiateAuth for this app client, its refusals as AuthErrors. With
   * PreventUserExistenceErrors on, an unknown email and a wrong password are
   * the same NotAuthorizedException, so the message cannot tell them apart.
   */
  private async initiateAuth(
    authFlow: AuthFlowType,
    authParameters: Record<string, string>,
  ): Promise<InitiateAuthCommandOutput> {
    try {
      return await this.call(() =>
        this.cognito.send(
          new InitiateAuthCommand({
            ClientId: this.config.clientId,
            AuthFlow: authFlow,
            AuthParameters: authParameters,
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      if (authFlow === "REFRESH_TOKEN_AUTH" && error.code === "NotAuthorizedException") {
        throw new AuthError(error.code, "The session has expired or was revoked: sign in again.");
      }
      throw error;
    }
  }

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof CognitoIdentityProviderServiceException) {
        // Under 6 characters Cognito's own parameter check refuses a password before the policy does.
        const tooShort = error.name === "InvalidParameterException" && /'password'/.test(error.message);
        const code = tooShort ? "InvalidPasswordException" : error.name;
        throw new AuthError(code, FRIENDLY_MESSAGES[code] ?? error.message);
      }
      throw error;
    }
  }
}

function tokensFrom(result: AuthenticationResultType | undefined): Tokens {
  if (!result?.IdToken || !result.AccessToken || !result.RefreshToken) {
    throw new AuthError("NoTokens", "Cognito returned no tokens.");
  }
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: result.RefreshToken,
    expiresInSeconds: result.ExpiresIn ?? 0,
  };
}
