/**
 * Sign-in sessions, as Cognito tracks them: every token of one sign-in,
 * refreshed ones included, carries the same `origin_jti` (when the app client
 * has token revocation on); each session knows its user.
 *
 * - RevokeToken on the session's refresh token revokes that session;
 * - GlobalSignOut, AdminUserGlobalSignOut and AdminDisableUser revoke every
 *   session the user has so far; sessions started afterwards are not touched.
 *
 * Revoked means refused by Cognito's own endpoints (GetUser, refresh, ...).
 * A JWT library that checks only signature and expiry still accepts the
 * tokens, ID tokens above all: that is step 07's lesson.
 */
import { randomUUID } from "node:crypto";

export interface SessionUser {
  sub: string;
  /** Cognito's own username (a UUID in a pool that signs in with email). */
  username: string;
}

export interface Session {
  originJti: string;
  /** Seconds since the epoch of the sign-in; refreshed tokens keep it. */
  authTime: number;
  user: SessionUser;
}

export class Sessions {
  private readonly byRefreshToken = new Map<string, Session>();
  private readonly byAccessTokenJti = new Map<string, Session>();
  private readonly byUser = new Map<string, Session[]>();
  private readonly revoked = new Set<string>();

  /** A new sign-in. */
  start(authTime: number, user: SessionUser): Session {
    const session = { originJti: randomUUID(), authTime, user };
    this.byUser.set(user.sub, [...(this.byUser.get(user.sub) ?? []), session]);
    return session;
  }

  remember(refreshToken: string, session: Session): void {
    this.byRefreshToken.set(refreshToken, session);
  }

  /** An access token issued for the session (found by `jti` even when it carries no `origin_jti`). */
  issued(accessTokenJti: string, session: Session): void {
    this.byAccessTokenJti.set(accessTokenJti, session);
  }

  ofRefreshToken(refreshToken: unknown): Session | undefined {
    return typeof refreshToken === "string" ? this.byRefreshToken.get(refreshToken) : undefined;
  }

  /** RevokeToken: the session of this refresh token. */
  revoke(refreshToken: unknown): void {
    const session = this.ofRefreshToken(refreshToken);
    if (session) this.revoked.add(session.originJti);
  }

  /** A global sign-out: every session the user has started so far. */
  revokeUser(sub: string): void {
    for (const session of this.byUser.get(sub) ?? []) this.revoked.add(session.originJti);
  }

  isRevoked(originJti: unknown): boolean {
    return typeof originJti === "string" && this.revoked.has(originJti);
  }

  /** Whether an access token's session is revoked, by its `origin_jti` or, lacking one, its `jti`. */
  isAccessTokenRevoked(claims: { origin_jti?: unknown; jti?: unknown }): boolean {
    const session = typeof claims.jti === "string" ? this.byAccessTokenJti.get(claims.jti) : undefined;
    return this.isRevoked(claims.origin_jti) || this.isRevoked(session?.originJti);
  }
}
