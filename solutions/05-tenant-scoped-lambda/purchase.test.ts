import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_BODY_BYTES, MAX_FIELD_NAME_LENGTH, isPurchaseId, parseNewPurchase } from "./purchase.ts";

const valid = { item: "Espresso machine", amountCents: 45_900, currency: "USD" };
const body = (overrides: Record<string, unknown> = {}, omit: string[] = []) => {
  const value: Record<string, unknown> = { ...valid, ...overrides };
  for (const field of omit) delete value[field];
  return JSON.stringify(value);
};

describe("parseNewPurchase", () => {
  it.each<[string, string, { item: string; amountCents: number; currency: string }]>([
    ["a typical purchase", body(), valid],
    ["one cent", body({ amountCents: 1 }), { ...valid, amountCents: 1 }],
    ["another currency", body({ currency: "EUR" }), { ...valid, currency: "EUR" }],
    ["a 200-character item", body({ item: "x".repeat(200) }), { ...valid, item: "x".repeat(200) }],
    ["an item with spaces around it is trimmed", body({ item: "  Grinder  " }), { ...valid, item: "Grinder" }],
    ["unicode item", body({ item: "Café crème ☕" }), { ...valid, item: "Café crème ☕" }],
    [
      "fields in any order",
      JSON.stringify({ currency: "GBP", amountCents: 10, item: "Tea" }),
      { item: "Tea", amountCents: 10, currency: "GBP" },
    ],
  ])("accepts %s", (_, raw, expected) => {
    const parsed = parseNewPurchase(raw);
    expect(parsed).toEqual({ ok: true, value: expected });
  });

  it.each<[string, string | null | undefined, string]>([
    ["item empty", body({ item: "" }), "item"],
    ["item only spaces", body({ item: "   " }), "item"],
    ["item too long", body({ item: "x".repeat(201) }), "item"],
    ["item not a string", body({ item: 42 }), "item"],
    ["item null", body({ item: null }), "item"],
    ["item missing", body({}, ["item"]), "item"],
    ["amountCents 0", body({ amountCents: 0 }), "amountCents"],
    ["amountCents -1", body({ amountCents: -1 }), "amountCents"],
    ["amountCents 1.5", body({ amountCents: 1.5 }), "amountCents"],
    ['amountCents "12"', body({ amountCents: "12" }), "amountCents"],
    ["amountCents missing", body({}, ["amountCents"]), "amountCents"],
    ["amountCents too large", body({ amountCents: 1e13 }), "amountCents"],
    ["amountCents true", body({ amountCents: true }), "amountCents"],
    ['currency "usd"', body({ currency: "usd" }), "currency"],
    ['currency "US"', body({ currency: "US" }), "currency"],
    ['currency "USDX"', body({ currency: "USDX" }), "currency"],
    ["currency a number", body({ currency: 840 }), "currency"],
    ["currency missing", body({}, ["currency"]), "currency"],
    ["unknown field tenantId", body({ tenantId: "tenant-b" }), "tenantId"],
    ["unknown field createdBy", body({ createdBy: "someone-else" }), "createdBy"],
    ["unknown field purchaseId", body({ purchaseId: "01HXABCDEFGHJKMNPQRSTVWXYZ" }), "purchaseId"],
    ["body not JSON", "{item: 'x'", "body"],
    ["body []", "[]", "body"],
    ['body "x"', '"x"', "body"],
    ["body null", "null", "body"],
    ["body 42", "42", "body"],
    ["body empty string", "", "body"],
    ["body absent (null)", null, "body"],
    ["body absent (undefined)", undefined, "body"],
  ])("refuses %s, naming the field", (_, raw, field) => {
    const parsed = parseNewPurchase(raw);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.field)).toContain(field);
    for (const error of parsed.errors) {
      expect(typeof error.message).toBe("string");
      expect(error.message.length).toBeGreaterThan(0);
    }
  });

  it("names every wrong field at once", () => {
    const parsed = parseNewPurchase(
      JSON.stringify({ item: "", amountCents: -5, currency: "usd", tenantId: "t", extra: 1 }),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(new Set(parsed.errors.map((e) => e.field))).toEqual(
      new Set(["item", "amountCents", "currency", "tenantId", "extra"]),
    );
  });

  it("a body that is valid except for a tenantId is still refused (never silently dropped)", () => {
    const parsed = parseNewPurchase(body({ tenantId: "tenant-b" }));
    expect(parsed).toEqual({ ok: false, errors: [expect.objectContaining({ field: "tenantId" })] });
  });
});

describe("parseNewPurchase bounds its work", () => {
  afterEach(() => vi.restoreAllMocks());

  it("refuses a body over 16 KiB before parsing it, naming the limit", () => {
    const parse = vi.spyOn(JSON, "parse");
    const parsed = parseNewPurchase(body({ note: "x".repeat(MAX_BODY_BYTES) }));
    expect(parse).not.toHaveBeenCalled();
    expect(parsed).toEqual({ ok: false, errors: [{ field: "body", message: "must be at most 16384 bytes (16 KiB)" }] });
  });

  it("counts bytes, not characters: 6,000 three-byte characters are over the limit", () => {
    expect(MAX_BODY_BYTES).toBe(16 * 1024);
    const parsed = parseNewPurchase(JSON.stringify({ ...valid, item: "\u20ac".repeat(6000) }));
    expect(parsed.ok === false && parsed.errors[0]?.message).toMatch(/at most 16384 bytes/);
  });

  it("a body just under the limit is parsed", () => {
    const padding = MAX_BODY_BYTES - body().length - 20;
    const parsed = parseNewPurchase(JSON.stringify({ ...valid, pad: "x".repeat(padding) }));
    expect(parsed).toEqual({ ok: false, errors: [{ field: "pad", message: "is not an allowed field" }] });
  });

  it("an unknown field's name is echoed cut to a bounded length", () => {
    const longName = "n".repeat(5000);
    const parsed = parseNewPurchase(JSON.stringify({ ...valid, [longName]: 1 }));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const [error] = parsed.errors;
    expect(error?.field.length).toBeLessThanOrEqual(MAX_FIELD_NAME_LENGTH + 1);
    expect(error?.field).toBe(`${"n".repeat(MAX_FIELD_NAME_LENGTH)}…`);
  });
});

describe("isPurchaseId", () => {
  it.each([
    ["01ARZ3NDEKTSV4RRFFQ69G5FAV", true],
    ["7ZZZZZZZZZZZZZZZZZZZZZZZZZ", true],
    ["01arz3ndektsv4rrffq69g5fav", false],
    ["01ARZ3NDEKTSV4RRFFQ69G5FA", false],
    ["01ARZ3NDEKTSV4RRFFQ69G5FAVX", false],
    ["01ARZ3NDEKTSV4RRFFQ69G5FAI", false],
    ["01ARZ3NDEKTSV4RRFFQ69G5FAU", false],
    ["", false],
    ["../../etc/passwd", false],
  ])("%j -> %s", (value, expected) => {
    expect(isPurchaseId(value)).toBe(expected);
  });
});
