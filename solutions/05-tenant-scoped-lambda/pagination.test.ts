import { describe, expect, it } from "vitest";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, encodeNextToken, parsePageRequest } from "./pagination.ts";

const PURCHASE_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
const b64url = (text: string) => Buffer.from(text).toString("base64url");

describe("parsePageRequest: limit", () => {
  it.each<[string, Record<string, string | undefined> | null, number]>([
    ["no query at all", null, DEFAULT_PAGE_SIZE],
    ["empty query", {}, DEFAULT_PAGE_SIZE],
    ["limit absent, other params", { foo: "bar" }, DEFAULT_PAGE_SIZE],
    ["limit 1", { limit: "1" }, 1],
    ["limit 2", { limit: "2" }, 2],
    ["limit at the maximum", { limit: String(MAX_PAGE_SIZE) }, MAX_PAGE_SIZE],
  ])("%s -> limit %i", (_, query, limit) => {
    expect(parsePageRequest(query)).toEqual({ ok: true, value: { limit, after: undefined } });
  });

  it.each(["0", "-1", String(MAX_PAGE_SIZE + 1), "1.5", "1e2", "abc", "", " 5", "0x10", "Infinity", "NaN"])(
    "limit %j -> 400 naming limit",
    (limit) => {
      const parsed = parsePageRequest({ limit });
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.errors.map((e) => e.field)).toEqual(["limit"]);
    },
  );

  it("the bounds themselves are sane", () => {
    expect(DEFAULT_PAGE_SIZE).toBeGreaterThanOrEqual(1);
    expect(DEFAULT_PAGE_SIZE).toBeLessThanOrEqual(MAX_PAGE_SIZE);
  });
});

describe("parsePageRequest: nextToken", () => {
  it("round-trips a token this API issued", () => {
    const token = encodeNextToken(PURCHASE_ID);
    expect(parsePageRequest({ nextToken: token })).toEqual({
      ok: true,
      value: { limit: DEFAULT_PAGE_SIZE, after: PURCHASE_ID },
    });
    expect(parsePageRequest({ nextToken: token, limit: "5" })).toEqual({
      ok: true,
      value: { limit: 5, after: PURCHASE_ID },
    });
  });

  it("the token is URL-safe and does not show a tenant", () => {
    const token = encodeNextToken(PURCHASE_ID);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(token, "base64url").toString("utf8"))).toEqual({ after: PURCHASE_ID });
  });

  it.each<[string, string]>([
    ["random base64", Buffer.from("\x8f\x01\xffrandom bytes\x00").toString("base64")],
    ["random text", "definitely-not-a-token"],
    ["empty", ""],
    ["JSON of another shape", b64url(JSON.stringify({ tenantId: "tenant-b", purchaseId: PURCHASE_ID }))],
    ["JSON with a DynamoDB key", b64url(JSON.stringify({ after: { tenantId: "tenant-b", purchaseId: PURCHASE_ID } }))],
    ["after not a purchase id", b64url(JSON.stringify({ after: "tenant-b#01ARZ3NDEKTSV4RRFFQ69G5FAV" }))],
    ["after a number", b64url(JSON.stringify({ after: 12 }))],
    ["JSON null", b64url("null")],
    ["JSON array", b64url(JSON.stringify([PURCHASE_ID]))],
    ["a bare purchase id", PURCHASE_ID],
  ])("a forged token (%s) -> 400 naming nextToken", (_, nextToken) => {
    const parsed = parsePageRequest({ nextToken });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.field)).toEqual(["nextToken"]);
  });

  it("names both a bad limit and a bad token", () => {
    const parsed = parsePageRequest({ limit: "0", nextToken: "garbage" });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.field).sort()).toEqual(["limit", "nextToken"]);
  });
});
