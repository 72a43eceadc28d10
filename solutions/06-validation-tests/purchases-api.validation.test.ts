/**
 * Validation tests: the whole system, end to end over HTTP, against the stack
 * named in the outputs file (the local stack by default, the deployed one with
 * `--target aws`). Each test proves one promise of the design; together they
 * must fail on every broken system the checkpoint builds.
 *
 * The suite provisions its own tenants and users and removes them afterwards.
 * `WorkshopApi` (shared/test-helpers/workshop-api.ts) does the plumbing:
 * `api.user(tenantId, role)` gives a signed-in user with `idToken`,
 * `accessToken` and `refreshToken`; `api.call(method, path, { token, body,
 * headers })` calls the API and gives `{ status, body, text }`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readOutputsFile, type Target } from "../../shared/outputs-file.ts";
import { emulatorSigningKey } from "../../shared/test-helpers/emulator-signing-key.ts";
import { decodeJwt, signJwt, tamperPayload } from "../../shared/test-helpers/token-factory.ts";
import { WorkshopApi, aPurchase, type TestUser } from "../../shared/test-helpers/workshop-api.ts";

const target = (process.env.WORKSHOP_TARGET ?? "local") as Target;
let api: WorkshopApi;
let alice: TestUser; // member of tenant A
let victor: TestUser; // viewer of tenant A
let anne: TestUser; // admin of tenant A
let bob: TestUser; // member of tenant B
let bobsPurchaseId: string;

const idsOf = (purchases: { purchaseId: string }[]) => purchases.map((p) => p.purchaseId);

beforeAll(async () => {
  api = new WorkshopApi(await readOutputsFile(target));
  const tenantA = WorkshopApi.newTenantId("val-a");
  const tenantB = WorkshopApi.newTenantId("val-b");
  [alice, victor, anne, bob] = await Promise.all([
    api.user(tenantA, "member"),
    api.user(tenantA, "viewer"),
    api.user(tenantA, "admin"),
    api.user(tenantB, "member"),
  ]);
  const created = await api.call("POST", "/purchases", {
    token: bob.idToken,
    body: aPurchase({ item: "Tenant B's secret" }),
  });
  expect(created.status, "bob could not record a purchase: is the stack up?").toBe(201);
  bobsPurchaseId = created.body.purchaseId;
});

afterAll(async () => {
  await api?.cleanup();
  api?.close();
});

describe("the happy path", () => {
  it("a member records a purchase: 201 with the stored item", async () => {
    const created = await api.call("POST", "/purchases", { token: alice.idToken, body: aPurchase() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject(aPurchase());
  });
});

describe("authentication (flow steps 1–4)", () => {
  it("no Authorization header, or one with no token in it, is a 401 on every route", async () => {
    for (const [method, path] of [
      ["GET", "/purchases"],
      ["POST", "/purchases"],
      ["GET", `/purchases/${bobsPurchaseId}`],
      ["DELETE", `/purchases/${bobsPurchaseId}`],
    ]) {
      const res = await api.call(method!, path!);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body).toEqual({ message: "Unauthorized" });
    }
    for (const authorization of ["", "Bearer ", "Bearer definitely-not-a-jwt"]) {
      expect((await api.call("GET", "/purchases", { authorization })).status, JSON.stringify(authorization)).toBe(401);
    }
    // The bare token, without "Bearer ", is the same token.
    expect((await api.call("GET", "/purchases", { authorization: alice.idToken })).status).toBe(200);
  });

  it("a route the API does not have is API Gateway's 403, with or without a token", async () => {
    const anonymous = await api.call("GET", "/invoices");
    expect(anonymous.status).toBe(403);
    expect(anonymous.body).toEqual({ message: "Missing Authentication Token" });
    // With a Bearer token, API Gateway reads the header as a (malformed) SigV4 signature.
    const withToken = await api.call("GET", "/invoices", { token: alice.idToken });
    expect(withToken.status).toBe(403);
    expect(withToken.text).toMatch(/Authorization header/);
  });

  it("an access token or a refresh token is refused: the API wants an ID token", async () => {
    expect((await api.call("GET", "/purchases", { token: alice.accessToken })).status).toBe(401);
    expect((await api.call("GET", "/purchases", { token: alice.refreshToken })).status).toBe(401);
  });

  it("an ID token for another app client (audience) is refused", async () => {
    const otherAudience = await api.signInThroughAnotherAppClient(alice);
    expect((await api.call("GET", "/purchases", { token: otherAudience })).status).toBe(401);
  });

  it("a token whose payload was changed is refused, however it was changed", async () => {
    const forged = tamperPayload(alice.idToken, { "custom:tenantId": bob.tenantId });
    expect((await api.call("GET", "/purchases", { token: forged })).status).toBe(401);
  });

  it.skipIf(target === "aws")(
    "an expired token is refused (local: minted with the emulator's public key)",
    async () => {
      const claims = decodeJwt(alice.idToken).payload;
      const now = Math.floor(Date.now() / 1000);
      const expired = signJwt({
        key: emulatorSigningKey(),
        payload: { ...claims, iat: now - 7200, auth_time: now - 7200, exp: now - 3600 },
      });
      expect((await api.call("GET", "/purchases", { token: expired })).status).toBe(401);
    },
  );
});

describe("authorization (flow steps 5–6)", () => {
  it("a viewer may read but not create", async () => {
    expect((await api.call("GET", "/purchases", { token: victor.idToken })).status).toBe(200);
    expect((await api.call("POST", "/purchases", { token: victor.idToken, body: aPurchase() })).status).toBe(403);
  });

  it("a role's refusal comes from API Gateway's policy: the function never runs", async () => {
    // API Gateway's own 403 for a policy without an Allow; the function's 403 would say {"message":"Forbidden"}.
    const notAllowed = { Message: "User is not authorized to access this resource" };
    const viewersPost = await api.call("POST", "/purchases", { token: victor.idToken, body: aPurchase() });
    expect(viewersPost.status).toBe(403);
    expect(viewersPost.body).toEqual(notAllowed);
    const membersDelete = await api.call("DELETE", `/purchases/${bobsPurchaseId}`, { token: alice.idToken });
    expect(membersDelete.status).toBe(403);
    expect(membersDelete.body).toEqual(notAllowed);
  });

  it("a member may create but not delete; an admin may delete", async () => {
    const created = await api.call("POST", "/purchases", { token: alice.idToken, body: aPurchase() });
    expect(created.status).toBe(201);
    const path = `/purchases/${created.body.purchaseId}`;
    expect((await api.call("DELETE", path, { token: alice.idToken })).status).toBe(403);
    expect((await api.call("GET", path, { token: alice.idToken })).status).toBe(200);
    expect((await api.call("DELETE", path, { token: anne.idToken })).status).toBe(204);
    expect((await api.call("GET", path, { token: alice.idToken })).status).toBe(404);
  });

  it("one token works on every route it may call (a cached policy must cover them all)", async () => {
    const { idToken } = await api.user(alice.tenantId, "member");
    const created = await api.call("POST", "/purchases", { token: idToken, body: aPurchase() });
    expect(created.status).toBe(201);
    expect((await api.call("GET", "/purchases", { token: idToken })).status).toBe(200);
    expect((await api.call("GET", `/purchases/${created.body.purchaseId}`, { token: idToken })).status).toBe(200);
  });
});

describe("tenant isolation (flow steps 6–8)", () => {
  it("an X-Tenant-Id header or a ?tenantId= naming another tenant changes nothing", async () => {
    for (const [headers, query] of [
      [{ "X-Tenant-Id": bob.tenantId }, ""],
      [{}, `?tenantId=${bob.tenantId}`],
    ] as const) {
      const created = await api.call("POST", `/purchases${query}`, {
        token: alice.idToken,
        body: aPurchase(),
        headers,
      });
      expect(created.status).toBe(201);
      expect(created.body.tenantId).toBe(alice.tenantId);
      const list = await api.call("GET", `/purchases${query ? `${query}&` : "?"}limit=100`, {
        token: alice.idToken,
        headers,
      });
      expect(list.status).toBe(200);
      expect(idsOf(list.body.purchases)).toContain(created.body.purchaseId);
      expect(idsOf(list.body.purchases)).not.toContain(bobsPurchaseId);
    }
  });

  it("a tenantId in the body is refused with a 400 naming it", async () => {
    const res = await api.call("POST", "/purchases", {
      token: alice.idToken,
      body: aPurchase({ tenantId: bob.tenantId }),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual(expect.objectContaining({ field: "tenantId" }));
    const bobsList = await api.call("GET", "/purchases?limit=100", { token: bob.idToken });
    expect(
      bobsList.body.purchases.every((p: { createdBy: string }) => p.createdBy !== decodeJwt(alice.idToken).payload.sub),
    ).toBe(true);
  });

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
  ])("any other bad body is a 400 naming the field too: %s names %s", async (_case, rawBody, field) => {
    const res = await api.call("POST", "/purchases", {
      token: alice.idToken,
      rawBody,
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(res.body.message).toContain(field);
  });

  it("no client mistake is a 5xx: bad parameters, ids, methods and paths are 4xx", async () => {
    const mistakes = [
      ["GET", "/purchases?limit=0"],
      ["GET", "/purchases?limit=abc"],
      ["GET", "/purchases?nextToken=%%%"],
      ["GET", "/purchases/not-an-id"],
      ["GET", "/purchases/%E0%A4%A"],
      ["DELETE", "/purchases/00000000000000000000000000"],
      ["PUT", "/purchases"],
      ["PATCH", "/purchases/x"],
      ["GET", "/purchases/a/b"],
    ] as const;
    for (const [method, path] of mistakes) {
      const { status } = await api.call(method, path, { token: anne.idToken });
      expect(status >= 400 && status < 500, `${method} ${path}: ${status}`).toBe(true);
    }
  });

  it("a list holds the caller's purchases and never another tenant's, even with a nextToken made up for it", async () => {
    const created = await api.call("POST", "/purchases", { token: alice.idToken, body: aPurchase() });
    expect(created.status).toBe(201);
    const list = await api.call("GET", "/purchases?limit=100", { token: anne.idToken });
    expect(list.status).toBe(200);
    expect(idsOf(list.body.purchases)).toContain(created.body.purchaseId);
    expect(idsOf(list.body.purchases)).not.toContain(bobsPurchaseId);
    expect(list.body.purchases.every((p: { tenantId: string }) => p.tenantId === alice.tenantId)).toBe(true);

    const forged = Buffer.from(JSON.stringify({ after: bobsPurchaseId, tenantId: bob.tenantId })).toString("base64url");
    const paged = await api.call("GET", `/purchases?nextToken=${forged}`, { token: alice.idToken });
    expect([200, 400]).toContain(paged.status);
    if (paged.status === 200)
      expect(paged.body.purchases.every((p: { tenantId: string }) => p.tenantId === alice.tenantId)).toBe(true);
  });

  it("a nextToken that another tenant's list issued pages the caller's own purchases, never theirs", async () => {
    const bobsSecond = await api.call("POST", "/purchases", {
      token: bob.idToken,
      body: aPurchase({ item: "Tenant B's second secret" }),
    });
    expect(bobsSecond.status).toBe(201);
    const bobsFirstPage = await api.call("GET", "/purchases?limit=1", { token: bob.idToken });
    expect(bobsFirstPage.body.nextToken, "a page of 1 of bob's 2 purchases has a nextToken").toEqual(
      expect.any(String),
    );

    const paged = await api.call("GET", `/purchases?nextToken=${encodeURIComponent(bobsFirstPage.body.nextToken)}`, {
      token: alice.idToken,
    });
    expect([200, 400]).toContain(paged.status);
    if (paged.status === 200) {
      expect(idsOf(paged.body.purchases)).not.toContain(bobsPurchaseId);
      expect(paged.body.purchases.every((p: { tenantId: string }) => p.tenantId === alice.tenantId)).toBe(true);
    }
  });

  it("a POST retried with the same Idempotency-Key records the purchase once", async () => {
    const headers = { "Idempotency-Key": `retry-${Date.now()}-${Math.random().toString(36).slice(2)}` };
    const body = aPurchase({ item: "Sent twice, bought once" });
    const first = await api.call("POST", "/purchases", { token: alice.idToken, body, headers });
    expect(first.status).toBe(201);
    const retry = await api.call("POST", "/purchases", { token: alice.idToken, body, headers });
    expect(retry.status).toBe(201);
    expect(retry.body.purchaseId, "the retry answers the first purchase").toBe(first.body.purchaseId);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    const list = await api.call("GET", "/purchases?limit=100", { token: alice.idToken });
    expect(list.body.purchases.filter((p: { item: string }) => p.item === body.item)).toHaveLength(1);
  });

  it("pages hold every purchase of the tenant exactly once, newest first", async () => {
    const carol = await api.user(WorkshopApi.newTenantId("val-p"), "member");
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const res = await api.call("POST", "/purchases", {
        token: carol.idToken,
        body: aPurchase({ item: `item ${i}` }),
      });
      expect(res.status).toBe(201);
      ids.push(res.body.purchaseId);
    }
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await api.call(
        "GET",
        `/purchases?limit=3${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ""}`,
        { token: carol.idToken },
      );
      expect(page.status).toBe(200);
      expect(page.body.purchases.length).toBeLessThanOrEqual(3);
      seen.push(...idsOf(page.body.purchases));
      nextToken = page.body.nextToken;
      pages += 1;
    } while (nextToken && pages < 10);
    expect(seen).toEqual([...ids].reverse());
  });

  it("another tenant's purchase is a 404 (not 403: its existence is not revealed), even to an admin's DELETE", async () => {
    expect((await api.call("GET", `/purchases/${bobsPurchaseId}`, { token: alice.idToken })).status).toBe(404);
    expect((await api.call("DELETE", `/purchases/${bobsPurchaseId}`, { token: anne.idToken })).status).toBe(404);
    expect((await api.call("GET", `/purchases/${bobsPurchaseId}`, { token: bob.idToken })).status).toBe(200);
  });
});
