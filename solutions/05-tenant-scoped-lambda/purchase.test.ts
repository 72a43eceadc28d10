import { describe, expect, it } from "vitest";
import { isPurchaseId, parseNewPurchase } from "./purchase.ts";

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
    ["fields in any order", JSON.stringify({ currency: "GBP", amountCents: 10, item: "Tea" }), { item: "Tea", amountCents: 10, currency: "GBP" }],
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
    const parsed = parseNewPurchase(JSON.stringify({ item: "", amountCents: -5, currency: "usd", tenantId: "t", extra: 1 }));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(new Set(parsed.errors.map((e) => e.field))).toEqual(new Set(["item", "amountCents", "currency", "tenantId", "extra"]));
  });

  it("a body that is valid except for a tenantId is still refused (never silently dropped)", () => {
    const parsed = parseNewPurchase(body({ tenantId: "tenant-b" }));
    expect(parsed).toEqual({ ok: false, errors: [expect.objectContaining({ field: "tenantId" })] });
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
