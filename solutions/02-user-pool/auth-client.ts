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
    const out = await this.call(() =>
      this.cognito.send(
        new SignUpCommand({
          ClientId: this.config.clientId,
          Username: email,
          Password: password,
          UserAttributes: [{ Name: "email", Value: email }],
        }),
      ),
    );
    return { userSub: out.UserSub ?? "", confirmed: out.UserConfirmed ?? false };
  }

  async confirmSignUp(email: string, code: string): Promise<void> {
    await this.call(() =>
      this.cognito.send(
        new ConfirmSignUpCommand({ ClientId: this.config.clientId, Username: email, ConfirmationCode: code }),
      ),
    );
  }

  async signIn(email: string, password: string): Promise<Tokens> {
    const out = await this.initiateAuth("USER_PASSWORD_AUTH", { USERNAME: email, PASSWORD: password });
    if (out.ChallengeName) {
      throw new AuthError(
        out.ChallengeName,
        `Cognito asks for the ${out.ChallengeName} challenge, which this client does not answer.`,
      );
    }
    return tokensFrom(out.AuthenticationResult);
  }

  /** New ID and access tokens for a refresh token; the refresh token itself stays the same. */
  async refresh(refreshToken: string): Promise<Omit<Tokens, "refreshToken">> {
    const out = await this.initiateAuth("REFRESH_TOKEN_AUTH", { REFRESH_TOKEN: refreshToken });
    const result = out.AuthenticationResult;
    if (!result?.IdToken || !result.AccessToken) throw new AuthError("NoTokens", "Cognito returned no tokens.");
    return { idToken: result.IdToken, accessToken: result.AccessToken, expiresInSeconds: result.ExpiresIn ?? 0 };
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
