/**
 * Sign-in sessions, as Cognito tracks them when token revocation is on: every
 * token of one sign-in, refreshed ones included, carries the same
 * `origin_jti`; RevokeToken on the session's refresh token revokes them all
 * for Cognito's own endpoints. (A JWT library that checks only signature and
 * expiry still accepts them: that is step 07's lesson.)
 */
import { randomUUID } from "node:crypto";

interface Session {
  originJti: string;
  /** Seconds since the epoch of the sign-in; refreshed tokens keep it. */
  authTime: number;
}

export class Sessions {
  private readonly byRefreshToken = new Map<string, Session>();
  private readonly revoked = new Set<string>();

  /** A new sign-in. */
  start(authTime: number): Session {
    return { originJti: randomUUID(), authTime };
  }

  remember(refreshToken: string, session: Session): void {
    this.byRefreshToken.set(refreshToken, session);
  }

  ofRefreshToken(refreshToken: unknown): Session | undefined {
    return typeof refreshToken === "string" ? this.byRefreshToken.get(refreshToken) : undefined;
  }

  revoke(refreshToken: unknown): void {
    const session = this.ofRefreshToken(refreshToken);
    if (session) this.revoked.add(session.originJti);
  }

  isRevoked(originJti: unknown): boolean {
    return typeof originJti === "string" && this.revoked.has(originJti);
  }
}
