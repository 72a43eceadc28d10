/**
 * API Gateway's authorizer result cache, keyed on the token (the identity
 * header's value). It holds the authorizer's *policy*, not an allow/deny
 * decision: every request re-evaluates the cached policy against its own
 * method ARN. So a policy that names only the ARN of the first request denies
 * the next route called with the same token until the entry expires - the
 * caching pitfall this workshop teaches.
 */
import type { ValidAuthorizerResult } from "./policy-evaluator.ts";

export interface AuthorizerCacheOptions {
  /** Seconds an entry lives; 0 disables the cache (API Gateway allows 0-3600). */
  ttlSeconds: number;
  /** Milliseconds since the epoch; injectable so tests can expire entries. */
  now?: () => number;
}

interface Entry {
  result: ValidAuthorizerResult;
  expiresAt: number;
}

export class AuthorizerCache {
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor({ ttlSeconds, now = Date.now }: AuthorizerCacheOptions) {
    if (!Number.isFinite(ttlSeconds) || ttlSeconds < 0 || ttlSeconds > 3600) {
      throw new RangeError(`authorizer cache TTL must be 0-3600 seconds, got ${ttlSeconds}`);
    }
    this.#ttlMs = ttlSeconds * 1000;
    this.#now = now;
  }

  get enabled(): boolean {
    return this.#ttlMs > 0;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(token: string): ValidAuthorizerResult | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (this.#now() >= entry.expiresAt) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry.result;
  }

  /**
   * Store only validated answers (allow or deny policies alike). A 401
   * (authorizer threw `Unauthorized`) or a 500 (it failed or answered
   * malformed) must never reach here: API Gateway does not cache those.
   */
  set(token: string, result: ValidAuthorizerResult): void {
    if (!this.enabled) return;
    const now = this.#now();
    this.#evictExpired(now);
    this.#entries.set(token, { result, expiresAt: now + this.#ttlMs });
  }

  clear(): void {
    this.#entries.clear();
  }

  /** Keeps a long-running local gateway from accumulating dead tokens. */
  #evictExpired(now: number): void {
    for (const [token, entry] of this.#entries) {
      if (now >= entry.expiresAt) this.#entries.delete(token);
    }
  }
}
