/**
 * The operator's side of sessions: when a user's role changes or they are
 * disabled, their tokens must stop working now, not in an hour. Cognito's
 * global sign-out ends their refresh tokens; the cut-off record makes the
 * authorizer refuse the ID tokens they already hold.
 */
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { cognitoSignOut } from "./cognito-sessions.ts";
import type { RevocationWriter } from "./revocations.ts";

export interface OperatorConfig {
  cognito: CognitoIdentityProviderClient;
  userPoolId: string;
  clientId: string;
  revocations: RevocationWriter;
  recordLifetimeSeconds: number;
  now?: () => number;
}

/** Ends every session of the user (their `sub`): new requests need a new sign-in, with the new role. */
export async function endAllSessions(config: OperatorConfig, sub: string): Promise<void> {
  const revokedAt = Math.floor((config.now ?? Date.now)() / 1000);
  await config.revocations.revokeUser(sub, { revokedAt, expiresAt: revokedAt + config.recordLifetimeSeconds });
  await cognitoSignOut(config.cognito, config.userPoolId, config.clientId).signOutEverywhere(sub);
}
