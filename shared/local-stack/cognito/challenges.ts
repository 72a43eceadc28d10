/**
 * Sign-ins waiting for a challenge's answer (an MFA code, a new password), as
 * Cognito keeps them: the `Session` string it hands out names one user and one
 * challenge, and lasts the app client's AuthSessionValidity (3 minutes unless
 * set). cognito-local hands out a session but never checks it; the front does.
 */
import { randomBytes } from "node:crypto";
import { CognitoError } from "./cognito-error.ts";

interface Pending {
  /** Cognito's own username. */
  username: string;
  challengeName: string;
  /** cognito-local's session string, to pass on. */
  upstreamSession: unknown;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export const INVALID_SESSION = "Invalid session for the user.";
export const EXPIRED_SESSION = "Invalid session for the user, session is expired.";

export class Challenges {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly validityMs: number,
    private readonly clock: () => number,
  ) {}

  /** A challenge to answer: the `Session` the caller gets. */
  open(username: string, challengeName: string, upstreamSession: unknown): string {
    const session = randomBytes(96).toString("base64url");
    this.pending.set(session, { username, challengeName, upstreamSession, expiresAt: this.clock() + this.validityMs });
    return session;
  }

  /** The pending sign-in a `Session` names, for this challenge; refused as Cognito refuses it. */
  find(session: unknown, challengeName: unknown): Pending & { session: string } {
    const pending = typeof session === "string" ? this.pending.get(session) : undefined;
    if (!pending || pending.challengeName !== challengeName)
      throw new CognitoError("NotAuthorizedException", INVALID_SESSION);
    if (pending.expiresAt <= this.clock()) {
      this.pending.delete(session as string);
      throw new CognitoError("NotAuthorizedException", EXPIRED_SESSION);
    }
    return { ...pending, session: session as string };
  }

  /** A session is used once: answered, it is gone. */
  close(session: string): void {
    this.pending.delete(session);
  }
}
