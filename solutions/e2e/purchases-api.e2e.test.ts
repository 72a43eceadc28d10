/**
 * The reference system end to end, over HTTP, through the local stack: Cognito
 * emulator → local API Gateway → real authorizer → real handler → DynamoDB
 * emulator.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { WorkshopApi, aPurchase, type TestUser } from "../../shared/test-helpers/workshop-api.ts";

const api = new WorkshopApi(inject("localStack"));
let tenantA: string;
let tenantB: string;
let alice: TestUser; // member of A
let anne: TestUser; // admin of A
let victor: TestUser; // viewer of A
let bob: TestUser; // member of B
let bobsPurchaseId: string;

beforeAll(async () => {
  tenantA = WorkshopApi.newTenantId("a");
  tenantB = WorkshopApi.newTenantId("b");
  [alice, anne, victor, bob] = await Promise.all([
    api.user(tenantA, "member"),
    api.user(tenantA, "admin"),
    api.user(tenantA, "viewer"),
    api.user(tenantB, "member"),
  ]);
  const created = await api.call("POST", "/purchases", { token: bob.idToken, body: aPurchase({ item: "Globex stapler" }) });
  expect(created.status).toBe(201);
  bobsPurchaseId = created.body.purchaseId;
});

afterAll(() => api.close());

describe("sign-in and the authorizer", () => {
  it("a signed-in user lists their tenant's purchases: 200", async () => {
    const res = await api.call("GET", "/purchases", { token: alice.idToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ purchases: [] });
  });

  it("accepts the bare token as well as Bearer", async () => {
    expect((await api.call("GET", "/purchases", { authorization: alice.idToken })).status).toBe(200);
  });

  it.each([
    ["no Authorization header", undefined],
    ["an empty header", ""],
    ["Bearer and nothing else", "Bearer "],
    ["garbage", "Bearer definitely-not-a-jwt"],
  ])("%s: 401", async (_case, authorization) => {
    const res = await api.call("GET", "/purchases", { authorization });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ message: "Unauthorized" });
  });

  it("an access token where an ID token is required: 401", async () => {
    expect((await api.call("GET", "/purchases", { token: alice.accessToken })).status).toBe(401);
  });

  it("a refresh token: 401", async () => {
    expect((await api.call("GET", "/purchases", { token: alice.refreshToken })).status).toBe(401);
  });

  it("an unknown route: 403 Missing Authentication Token, as API Gateway answers", async () => {
    const res = await api.call("GET", "/invoices");
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ message: "Missing Authentication Token" });
  });

  it("an unknown route called with a token: 403, API Gateway reads the header as a SigV4 signature", async () => {
    const res = await api.call("GET", "/invoices", { token: alice.idToken });
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).toMatch(/Authorization header/);
  });
});

describe("roles", () => {
  it("a viewer may read but not create: POST 403", async () => {
    expect((await api.call("GET", "/purchases", { token: victor.idToken })).status).toBe(200);
    expect((await api.call("POST", "/purchases", { token: victor.idToken, body: aPurchase() })).status).toBe(403);
  });

  it("a member may create but not delete: DELETE 403; an admin may delete: 204", async () => {
    const created = await api.call("POST", "/purchases", { token: alice.idToken, body: aPurchase() });
    expect(created.status).toBe(201);
    const path = `/purchases/${created.body.purchaseId}`;
    expect((await api.call("DELETE", path, { token: alice.idToken })).status).toBe(403);
    expect((await api.call("DELETE", path, { token: anne.idToken })).status).toBe(204);
    expect((await api.call("GET", path, { token: alice.idToken })).status).toBe(404);
  });

  it("the cached policy is right for every route (same token, several routes)", async () => {
    // The gateway caches the first answer for this token; the next routes reuse it.
    expect((await api.call("GET", "/purchases", { token: victor.idToken })).status).toBe(200);
    expect((await api.call("GET", `/purchases/${bobsPurchaseId}`, { token: victor.idToken })).status).toBe(404);
    expect((await api.call("POST", "/purchases", { token: victor.idToken, body: aPurchase() })).status).toBe(403);
  });
});

describe("tenant isolation", () => {
  it("a purchase is stored under the token's tenant, by the caller", async () => {
    const res = await api.call("POST", "/purchases", { token: alice.idToken, body: aPurchase() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ tenantId: tenantA, createdBy: expect.any(String), item: "Espresso machine" });
    expect(res.body.purchaseId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it("tenant A cannot read tenant B's purchase by id: 404, not 403", async () => {
    const res = await api.call("GET", `/purchases/${bobsPurchaseId}`, { token: alice.idToken });
    expect(res.status).toBe(404);
  });

  it("tenant A cannot delete tenant B's purchase, even as admin: 404, and it survives", async () => {
    expect((await api.call("DELETE", `/purchases/${bobsPurchaseId}`, { token: anne.idToken })).status).toBe(404);
    expect((await api.call("GET", `/purchases/${bobsPurchaseId}`, { token: bob.idToken })).status).toBe(200);
  });

  it("tenant A's list never holds tenant B's purchases", async () => {
    const res = await api.call("GET", "/purchases?limit=100", { token: anne.idToken });
    expect(res.status).toBe(200);
    expect(res.body.purchases.length).toBeGreaterThan(0);
    expect(res.body.purchases.every((p: { tenantId: string }) => p.tenantId === tenantA)).toBe(true);
  });

  it.each([
    ["a header", { headers: { "X-Tenant-Id": "TENANT_B" } }, ""],
    ["the query string", {}, "?tenantId=TENANT_B"],
  ])("a forged tenantId in %s changes nothing", async (_where, options, query) => {
    const forged = JSON.parse(JSON.stringify(options).replace("TENANT_B", tenantB));
    const created = await api.call("POST", `/purchases${query.replace("TENANT_B", tenantB)}`, {
      token: alice.idToken,
      body: aPurchase(),
      ...forged,
    });
    expect(created.status).toBe(201);
    expect(created.body.tenantId).toBe(tenantA);
    const list = await api.call("GET", `/purchases${query.replace("TENANT_B", tenantB)}`, { token: alice.idToken, ...forged });
    expect(list.body.purchases.every((p: { tenantId: string }) => p.tenantId === tenantA)).toBe(true);
  });

  it("a forged tenantId in the body is rejected with a 400 naming it", async () => {
    const res = await api.call("POST", "/purchases", { token: alice.idToken, body: aPurchase({ tenantId: tenantB }) });
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual(expect.objectContaining({ field: "tenantId" }));
  });

  it("a forged nextToken cannot page into another tenant", async () => {
    const token = Buffer.from(JSON.stringify({ after: bobsPurchaseId, tenantId: tenantB })).toString("base64url");
    const res = await api.call("GET", `/purchases?nextToken=${token}`, { token: alice.idToken });
    expect([200, 400]).toContain(res.status);
    if (res.status === 200) {
      expect(res.body.purchases.every((p: { tenantId: string }) => p.tenantId === tenantA)).toBe(true);
    }
  });
});

describe("bad requests are 400s that name the field; no client mistake is a 5xx", () => {
  it.each([
    ["malformed JSON", "{not json", "body"],
    ["an empty body", "", "body"],
    ["a JSON array", "[]", "body"],
    ["an empty item", JSON.stringify(aPurchase({ item: "" })), "item"],
    ["a negative amount", JSON.stringify(aPurchase({ amountCents: -5 })), "amountCents"],
    ["a fractional amount", JSON.stringify(aPurchase({ amountCents: 1.5 })), "amountCents"],
    ["an amount as a string", JSON.stringify(aPurchase({ amountCents: "100" })), "amountCents"],
    ["a lower-case currency", JSON.stringify(aPurchase({ currency: "usd" })), "currency"],
    ["an oversized item", JSON.stringify(aPurchase({ item: "x".repeat(5000) })), "item"],
    ["an unknown field", JSON.stringify(aPurchase({ discount: 5 })), "discount"],
  ])("%s: 400 naming %s", async (_case, rawBody, field) => {
    const res = await api.call("POST", "/purchases", {
      token: alice.idToken,
      rawBody,
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(res.body.message).toContain(field);
  });

  it.each([
    ["GET", "/purchases?limit=0"],
    ["GET", "/purchases?limit=abc"],
    ["GET", "/purchases?nextToken=%%%"],
    ["GET", "/purchases/not-an-id"],
    ["GET", "/purchases/%E0%A4%A"],
    ["DELETE", "/purchases/00000000000000000000000000"],
    ["PUT", "/purchases"],
    ["PATCH", "/purchases/x"],
    ["GET", "/purchases/a/b"],
  ])("%s %s is a 4xx", async (method, path) => {
    const res = await api.call(method, path, { token: anne.idToken });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

describe("pagination", () => {
  it("returns every purchase exactly once, newest first", async () => {
    const tenant = WorkshopApi.newTenantId("p");
    const carol = await api.user(tenant, "member");
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const res = await api.call("POST", "/purchases", { token: carol.idToken, body: aPurchase({ item: `item ${i}` }) });
      ids.push(res.body.purchaseId);
    }
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const query = `?limit=3${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ""}`;
      const page = await api.call("GET", `/purchases${query}`, { token: carol.idToken });
      expect(page.status).toBe(200);
      expect(page.body.purchases.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.purchases.map((p: { purchaseId: string }) => p.purchaseId));
      nextToken = page.body.nextToken;
    } while (nextToken);
    expect(seen).toEqual([...ids].reverse());
  });
});
