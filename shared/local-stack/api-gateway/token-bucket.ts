/**
 * API Gateway's throttle: a token bucket per method of the stage, `burstLimit`
 * tokens deep, refilled at `rateLimit` tokens a second; a request takes one
 * token or is throttled (429). The clock is injected so a test can prove the
 * burst and the refill without sleeping.
 */

export interface ThrottleSettings {
  /** Steady-state requests per second. */
  rateLimit: number;
  /** Bucket size: requests that may arrive at once. */
  burstLimit: number;
}

export class TokenBucket {
  readonly #settings: ThrottleSettings;
  readonly #now: () => number;
  #tokens: number;
  #refilledAt: number;

  constructor(settings: ThrottleSettings, now: () => number) {
    if (!(settings.rateLimit >= 0) || !(settings.burstLimit >= 0)) {
      throw new RangeError(`throttle limits must be non-negative, got ${JSON.stringify(settings)}`);
    }
    this.#settings = settings;
    this.#now = now;
    this.#tokens = settings.burstLimit;
    this.#refilledAt = now();
  }

  /** Takes a token if there is one. */
  tryTake(): boolean {
    const now = this.#now();
    const elapsedSeconds = Math.max(0, now - this.#refilledAt) / 1000;
    this.#tokens = Math.min(this.#settings.burstLimit, this.#tokens + elapsedSeconds * this.#settings.rateLimit);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** Stage-level limits apply to each method on its own, as API Gateway documents. */
export class StageThrottle {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    readonly settings: ThrottleSettings,
    private readonly now: () => number,
  ) {
    new TokenBucket(settings, now); // validates the settings up front
  }

  /** `methodKey` is `"GET /purchases/{purchaseId}"`: the resource, not the concrete path. */
  tryTake(methodKey: string): boolean {
    let bucket = this.#buckets.get(methodKey);
    if (!bucket) this.#buckets.set(methodKey, (bucket = new TokenBucket(this.settings, this.now)));
    return bucket.tryTake();
  }
}
