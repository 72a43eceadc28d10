/** The CORS origins an instructor sets in CDK context, parsed without synthesizing the stack. */
import { describe, expect, it } from "vitest";
import { LOCAL_WEB_APP_ORIGIN } from "../../shared/runtime/purchases-api.ts";
import { corsOriginsFromContext, responseOriginOf } from "./cors-origins.ts";

describe("corsOriginsFromContext", () => {
  it("defaults to the Vite dev server", () => {
    expect(corsOriginsFromContext(undefined)).toEqual([LOCAL_WEB_APP_ORIGIN]);
    expect(corsOriginsFromContext("")).toEqual([LOCAL_WEB_APP_ORIGIN]);
  });

  it("accepts an array, a JSON array or a comma-separated string", () => {
    const both = ["https://a.example", "https://b.example"];
    expect(corsOriginsFromContext(["https://a.example"])).toEqual(["https://a.example"]);
    expect(corsOriginsFromContext(JSON.stringify(both))).toEqual(both);
    expect(corsOriginsFromContext("https://a.example, http://localhost:3000")).toEqual([
      "https://a.example",
      "http://localhost:3000",
    ]);
  });

  it("rejects values that are not origins", () => {
    expect(() => corsOriginsFromContext("https://a.example/app")).toThrow(/not an origin/);
    expect(() => corsOriginsFromContext("a.example")).toThrow(/not an origin/);
    expect(() => corsOriginsFromContext(["'; drop"])).toThrow(/not an origin/);
    expect(() => corsOriginsFromContext({ origin: "x" })).toThrow(/must be an array/);
  });
});

describe("responseOriginOf", () => {
  it("is the first origin listed", () => {
    expect(responseOriginOf(["https://a.example", "https://b.example"])).toBe("https://a.example");
  });

  it("refuses an empty list", () => {
    expect(() => responseOriginOf([])).toThrow(/at least one/);
  });
});
