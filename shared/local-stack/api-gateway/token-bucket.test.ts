import { describe, expect, it } from "vitest";
import { StageThrottle, TokenBucket } from "./token-bucket.ts";

describe("TokenBucket", () => {
  it("allows a full burst at once, then refills at the rate, never above the burst", () => {
    let now = 0;
    const bucket = new TokenBucket({ rateLimit: 2, burstLimit: 3 }, () => now);
    expect([1, 2, 3, 4].map(() => bucket.tryTake())).toEqual([true, true, true, false]);
    now += 499; // not quite one token (2 a second)
    expect(bucket.tryTake()).toBe(false);
    now += 1;
    expect([bucket.tryTake(), bucket.tryTake()]).toEqual([true, false]);
    now += 60_000; // a long pause refills to the burst, not beyond
    expect([1, 2, 3, 4].map(() => bucket.tryTake())).toEqual([true, true, true, false]);
  });

  it("refuses negative or missing limits", () => {
    expect(() => new TokenBucket({ rateLimit: -1, burstLimit: 1 }, () => 0)).toThrow(RangeError);
    expect(() => new TokenBucket({ rateLimit: Number.NaN, burstLimit: 1 }, () => 0)).toThrow(RangeError);
  });
});

describe("StageThrottle", () => {
  it("keeps one bucket per method key", () => {
    const throttle = new StageThrottle({ rateLimit: 0, burstLimit: 1 }, () => 0);
    expect(throttle.tryTake("GET /purchases")).toBe(true);
    expect(throttle.tryTake("GET /purchases")).toBe(false);
    expect(throttle.tryTake("POST /purchases")).toBe(true);
  });
});
