/**
 * Cognito's side of a sign-out: RevokeToken ends one session (its refresh
 * token, and its access tokens for Cognito's own APIs); AdminUserGlobalSignOut
 * ends every session of a user. The sign-out function holds the caller's ID
 * token, not their access token, so "everywhere" is the admin call (IAM:
 * `cognito-idp:AdminUserGlobalSignOut` on this pool) rather than GlobalSignOut.
 */
import {
  AdminUserGlobalSignOutCommand,
  RevokeTokenCommand,
  type CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";

export interface CognitoSignOut {
  /** Revokes one refresh token; false when Cognito says it is no refresh token of this client. */
  revokeRefreshToken(refreshToken: string): Promise<boolean>;
  /** Signs the user out of every device. */
  signOutEverywhere(sub: string): Promise<void>;
}

export function cognitoSignOut(cognito: CognitoIdentityProviderClient, userPoolId: string, clientId: string) {
  return {
    async revokeRefreshToken(refreshToken: string): Promise<boolean> {
      try {
        await cognito.send(new RevokeTokenCommand({ ClientId: clientId, Token: refreshToken }));
        return true;
      } catch (error) {
        const name = (error as { name?: string }).name ?? "";
        if (["UnsupportedTokenTypeException", "InvalidParameterException", "UnauthorizedException"].includes(name)) {
          return false;
        }
        throw error;
      }
    },
    async signOutEverywhere(sub: string): Promise<void> {
      // The sub is a valid Username in the admin API, whatever the sign-in alias.
      await cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username: sub }));
    },
  } satisfies CognitoSignOut;
}
