import { describe, expect, it } from "vitest";
import { AuthorizerCache } from "./authorizer-cache.ts";
import type { ValidAuthorizerResult } from "./policy-evaluator.ts";

const result: ValidAuthorizerResult = {
  principalId: "user-1",
  policyDocument: {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: "*" }],
  },
  context: { tenantId: "t-1" },
};

describe("AuthorizerCache", () => {
  it("returns the stored policy until the TTL has passed", () => {
    let now = 1_000;
    const cache = new AuthorizerCache({ ttlSeconds: 300, now: () => now });
    cache.set("token", result);
    now += 299_999;
    expect(cache.get("token")).toBe(result);
    now += 1;
    expect(cache.get("token")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("keys on the exact token", () => {
    const cache = new AuthorizerCache({ ttlSeconds: 300 });
    cache.set("Bearer a", result);
    expect(cache.get("Bearer a")).toBe(result);
    expect(cache.get("Bearer A")).toBeUndefined();
    expect(cache.get("Bearer a ")).toBeUndefined();
  });

  it("stores nothing with TTL 0", () => {
    const cache = new AuthorizerCache({ ttlSeconds: 0 });
    cache.set("token", result);
    expect(cache.enabled).toBe(false);
    expect(cache.get("token")).toBeUndefined();
  });

  it("drops expired entries when new ones arrive", () => {
    let now = 0;
    const cache = new AuthorizerCache({ ttlSeconds: 1, now: () => now });
    cache.set("old", result);
    now = 5_000;
    cache.set("new", result);
    expect(cache.size).toBe(1);
  });

  it.each([-1, 3601, Number.NaN])("rejects TTL %s (API Gateway allows 0-3600)", (ttlSeconds) => {
    expect(() => new AuthorizerCache({ ttlSeconds })).toThrow(RangeError);
  });
});
