/**
 * Flow step 4, completed: a token whose signature, issuer, audience and expiry
 * are fine may still belong to a session that was signed out. Cognito's
 * revocation holds for Cognito's own endpoints only; a JWT library, this
 * authorizer's included, accepts a revoked token until it expires. So the
 * authorizer asks the revocation records too.
 */
import type { RevocationReader } from "./revocations.ts";
import { todo } from "../../shared/checkpoint/todo.ts";

/** The claims the check reads: a verified Cognito ID token has them. */
export interface SessionClaims {
  sub: string;
  /** The sign-in this token belongs to; refreshed tokens keep it. Present when the pool revokes tokens. */
  origin_jti?: unknown;
  /** Seconds since the epoch when the user signed in (with the password); refreshed tokens keep it. */
  auth_time?: unknown;
}

/** Why a verified token must be refused, or undefined when its session holds. */
export async function whyRefused(claims: SessionClaims, records: RevocationReader): Promise<string | undefined> {
  // TODO 9: The token's signature and expiry are fine (the authorizer checked them first). Refuse
  // it when its session was signed out on this device, or when its user was signed out everywhere
  // after this session began; let every other session of the user through. Yours to decide: which
  // claims say "which session" and "when it began", what a token without them gets, and what a
  // sign-in in the very second of a sign-out gets. Return a reason (it is logged) or undefined.
  return todo("9: refuse a token whose session or user was signed out");
}
