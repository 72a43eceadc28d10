/**
 * Flow step 2, over time: the three tokens of one sign-in, kept alive. The
 * ID token lives an hour; the refresh token trades for new ID and access
 * tokens without the password, until it expires or is revoked.
 *
 * Browser-safe: no Node module and no SDK here (the web app uses this file),
 * only `fetch`, `atob` and a refresher such as the step 02 AuthClient.
 */

import { todo } from "../../shared/checkpoint/todo.ts";

export interface SessionTokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
}

/** What the session needs of Cognito: `AuthClient` (step 02) fits. */
export interface Refresher {
  refresh(refreshToken: string): Promise<{ idToken: string; accessToken: string }>;
}

export interface SessionOptions {
  refresher: Refresher;
  /** Refresh when the ID token has less than this left. Default: 5 minutes. */
  refreshMarginSeconds?: number;
  /** Milliseconds since the epoch; injectable so a check can move time. */
  now?: () => number;
  /** The HTTP client (default: the global `fetch`). */
  fetch?: typeof fetch;
}

/** The session is over: the refresh token was refused (expired, revoked, signed out). Sign in again. */
export class SignedOutError extends Error {
  override name = "SignedOutError";
  constructor(reason = "signed out: sign in again") {
    super(reason);
  }
}

export const DEFAULT_REFRESH_MARGIN_SECONDS = 300;

/**
 * The tokens live in this object's memory only, never in `localStorage` or a
 * cookie a script can read: any script on the page (an injected one too) can
 * read those, and a stolen refresh token is 30 days of access.
 */
export class Session {
  #tokens: SessionTokens | undefined;
  #refreshing: Promise<void> | undefined;
  readonly #refresher: Refresher;
  readonly #marginMs: number;
  readonly #now: () => number;
  readonly #fetch: typeof fetch;

  constructor(tokens: SessionTokens, options: SessionOptions) {
    this.#tokens = { ...tokens };
    this.#refresher = options.refresher;
    this.#marginMs = (options.refreshMarginSeconds ?? DEFAULT_REFRESH_MARGIN_SECONDS) * 1000;
    this.#now = options.now ?? Date.now;
    this.#fetch = options.fetch ?? ((...args) => fetch(...args));
  }

  /** Whether the session still holds tokens. */
  get signedIn(): boolean {
    return this.#tokens !== undefined;
  }

  /** The refresh token, for a sign-out that revokes it; undefined once signed out. */
  get refreshToken(): string | undefined {
    return this.#tokens?.refreshToken;
  }

  /** The access token, for Cognito's own user APIs (GetUser, MFA enrolment). */
  async accessToken(): Promise<string> {
    await this.idToken();
    return this.#current().accessToken;
  }

  /**
   * An ID token with at least the margin left: the one held, or a fresh one
   * when it is about to expire. Calls that arrive together share one refresh.
   */
  async idToken(): Promise<string> {
    // TODO 3: A token the API will still accept when the call reaches it: the one held while it has
    // more than the margin left, a fresh one otherwise. Yours to decide: where "when does it
    // expire" comes from (Cognito's ExpiresIn is the access token's). Calls that arrive together
    // and all need a fresh token must cause one refresh, not one each.
    return todo("3: the ID token, refreshed when it is about to expire");
  }

  /**
   * The API call with `Authorization: Bearer <ID token>`. A 401 may mean the
   * token expired or was revoked since it was checked here: refresh once and
   * retry once. A second 401 is the answer; a refused refresh is a SignedOutError.
   */
  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const send = async () => {
      const headers = new Headers(init.headers);
      headers.set("Authorization", `Bearer ${await this.idToken()}`);
      return this.#fetch(url, { ...init, headers });
    };
    // TODO 4: The call, sent with `send()`. A 401 may mean the token was revoked or expired since
    // it was checked here: get new tokens and try again, but only once. A second 401 is the API's
    // answer to return, never a reason to loop; any other status is returned as it is.
    return todo("4: the call, with one refresh and one retry after a 401");
  }

  /** Trades the refresh token for new ID and access tokens, once for every caller waiting. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refreshNow().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  /** Forgets the tokens (after a sign-out, or to sign out of this tab only). */
  end(): void {
    this.#tokens = undefined;
  }

  async #refreshNow(): Promise<void> {
    const { refreshToken } = this.#current();
    try {
      const fresh = await this.#refresher.refresh(refreshToken);
      this.#tokens = { ...fresh, refreshToken };
    } catch (error) {
      // TODO 5: Yours to decide: which failures end the session. When Cognito refuses the refresh
      // token (expired, revoked, signed out everywhere) the caller must get a SignedOutError, never
      // a raw SDK error, and no call may use these tokens again. A failure that may pass (the
      // network, a throttle) must not sign the user out. Both the SDK's errors and the step 02
      // AuthClient's may reach here: look at what each says about the refusal.
      return todo("5: a refused refresh ends the session");
    }
  }

  #current(): SessionTokens {
    if (!this.#tokens) throw new SignedOutError();
    return this.#tokens;
  }
}

/**
 * The token's `exp`, read without verifying: the client only needs to know
 * when to refresh; the authorizer is what verifies.
 */
export function expirySeconds(jwt: string): number {
  const payload = jwt.split(".")[1] ?? "";
  const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
  const claims = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "="))) as { exp?: unknown };
  if (typeof claims.exp !== "number") throw new Error("the ID token has no exp claim");
  return claims.exp;
}
