/**
 * How long the app client's tokens live, from its CloudFormation properties
 * (the synthesized TenantUserPool, which the emulator and the CDK stack both
 * read): the one source for how long a revocation record must be kept.
 */
import type { TimeUnit, UserPoolClientProperties } from "../local-stack/cognito/user-pool-definition.ts";

const SECONDS_PER: Record<TimeUnit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

export interface TokenLifetimes {
  idTokenSeconds: number;
  accessTokenSeconds: number;
  refreshTokenSeconds: number;
}

/** Cognito's defaults where the client sets none: 1 hour, 1 hour, 30 days. */
export function tokenLifetimes(client: UserPoolClientProperties): TokenLifetimes {
  const units = client.TokenValidityUnits ?? {};
  return {
    idTokenSeconds: (client.IdTokenValidity ?? 1) * SECONDS_PER[units.IdToken ?? "hours"],
    accessTokenSeconds: (client.AccessTokenValidity ?? 1) * SECONDS_PER[units.AccessToken ?? "hours"],
    refreshTokenSeconds: (client.RefreshTokenValidity ?? 30) * SECONDS_PER[units.RefreshToken ?? "days"],
  };
}

/**
 * The longest a token of a signed-out session can still be presented: an ID
 * token minted at the very end of its refresh token's life. A revocation
 * record kept this long refuses every token it must.
 */
export function revocationRecordLifetimeSeconds(client: UserPoolClientProperties): number {
  const { idTokenSeconds, refreshTokenSeconds } = tokenLifetimes(client);
  return refreshTokenSeconds + idTokenSeconds;
}
