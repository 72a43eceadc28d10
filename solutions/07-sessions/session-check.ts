/**
 * Flow step 4, completed: a token whose signature, issuer, audience and expiry
 * are fine may still belong to a session that was signed out. Cognito's
 * revocation holds for Cognito's own endpoints only; a JWT library, this
 * authorizer's included, accepts a revoked token until it expires. So the
 * authorizer asks the revocation records too.
 */
import type { RevocationReader } from "./revocations.ts";

/** The claims the check reads: a verified Cognito ID token has them. */
export interface SessionClaims {
  sub: string;
  /** The sign-in this token belongs to; refreshed tokens keep it. Present when the pool revokes tokens. */
  origin_jti?: unknown;
  /** Seconds since the epoch when the user signed in (with the password); refreshed tokens keep it. */
  auth_time?: unknown;
}

/**
 * Why a verified token must be refused, or undefined when its session holds:
 * - a token with no `origin_jti` cannot be checked, so it is refused (fail closed);
 * - its own session was signed out;
 * - its user was signed out everywhere at or after the moment they signed in.
 */
export async function whyRefused(claims: SessionClaims, records: RevocationReader): Promise<string | undefined> {
  const { sub, origin_jti: originJti, auth_time: authTime } = claims;
  if (typeof originJti !== "string" || !originJti) return "the token names no session (origin_jti)";
  if (typeof authTime !== "number") return "the token has no auth_time";
  const [session, user] = await Promise.all([records.session(originJti), records.user(sub)]);
  if (session) return "its session was signed out";
  // Whole seconds: a sign-in in the very second of the sign-out is refused too (the safe side).
  if (user && authTime <= user.revokedAt) return "its user was signed out everywhere";
  return undefined;
}
