/**
 * Property-based fuzzing over HTTP through the local stack: random and hostile
 * methods, paths, queries, headers, bodies and tokens. Whatever a client sends:
 * never a 5xx, never a stored item from a rejected request, never a word of
 * another tenant's data. Bounded in runs, so it ends in seconds.
 *
 * The stack keeps the deployed stage throttle (429 past it): a fuzzed request
 * may be throttled (a 429 stores nothing), and the suite's own bookkeeping
 * calls back off and retry, as AWS tells a throttled client to. Its own stack,
 * so its hundreds of calls do not spend the other suites' throttle budget.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { STAGE_THROTTLING } from "../../shared/runtime/purchases-api.ts";
import { startLocalStack, type LocalStack } from "../../shared/local-stack/local-stack.ts";
import { WorkshopApi, aPurchase, type ApiResponse, type TestUser } from "../../shared/test-helpers/workshop-api.ts";

let stack: LocalStack; // the deployed limits, throttle included
let api: WorkshopApi;
let attacker: TestUser; // admin of tenant A: may call every route
let victim: TestUser; // member of tenant B
const secretItem = `secret-${randomUUID()}`;
let secretPurchaseId: string;

beforeAll(async () => {
  stack = await startLocalStack();
  api = new WorkshopApi(stack.outputs);
  [attacker, victim] = await Promise.all([
    api.user(WorkshopApi.newTenantId("fuzz-a"), "admin"),
    api.user(WorkshopApi.newTenantId("fuzz-b"), "member"),
  ]);
  const created = await callPatiently("POST", "/purchases", {
    token: victim.idToken,
    body: aPurchase({ item: secretItem }),
  });
  secretPurchaseId = created.body.purchaseId;
});

afterAll(async () => {
  await api?.cleanup();
  api?.close();
  await stack?.stop();
});

/** A call of the suite's own (setup, counting): retried after a pause while the stage throttles it. */
async function callPatiently(...args: Parameters<WorkshopApi["call"]>): Promise<ApiResponse<any>> {
  for (let attempt = 1; ; attempt++) {
    const response = await api.call(...args);
    if (response.status !== 429 || attempt === 50) return response;
    await new Promise((resolve) => setTimeout(resolve, (1000 / STAGE_THROTTLING.rateLimit) * attempt));
  }
}

async function countPurchases(user: TestUser): Promise<number> {
  let count = 0;
  let nextToken: string | undefined;
  do {
    const page = await callPatiently("GET", `/purchases?limit=100${nextToken ? `&nextToken=${nextToken}` : ""}`, {
      token: user.idToken,
    });
    expect(page.status).toBe(200);
    count += page.body.purchases.length;
    nextToken = page.body.nextToken;
  } while (nextToken);
  return count;
}

const hostileString = () =>
  fc.oneof(
    fc.string(),
    fc.string({ unit: "grapheme" }),
    fc.constantFrom(
      "",
      " ",
      "null",
      "undefined",
      "../../etc/passwd",
      "%00",
      "' OR 1=1 --",
      '{"$ne":null}',
      "\u0000",
      "🙂".repeat(50),
    ),
    fc.constant(() => victim.tenantId).map((f) => f()),
    fc.constant(() => secretPurchaseId).map((f) => f()),
  );

const body = () =>
  fc.oneof(
    fc.constant(undefined),
    hostileString(),
    fc.json(),
    fc
      .record(
        {
          item: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
          amountCents: fc.oneof(fc.integer(), fc.double(), fc.string()),
          currency: hostileString(),
        },
        { requiredKeys: [] },
      )
      .map((o) => JSON.stringify(o)),
    fc.constant(null).map(() => JSON.stringify(aPurchase({ tenantId: victim.tenantId }))),
    fc.constant(null).map(() => JSON.stringify(aPurchase({ item: "x".repeat(10_000) }))),
    fc.constant(null).map(() => JSON.stringify(aPurchase())),
  );

/** Names a parser on a plain `{}` would mistake for its own (the local gateway once answered them 500). */
const builtInName = () =>
  fc.constantFrom(
    "constructor",
    "__proto__",
    "toString",
    "hasOwnProperty",
    "valueOf",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
  );

const queryName = () =>
  fc.oneof(
    fc.constantFrom("limit", "nextToken", "tenantId", "purchaseId", "x"),
    builtInName(),
    fc.string({ minLength: 1, maxLength: 20 }),
  );

/** Any HTTP token, but not the framing headers fetch itself owns. */
const headerName = () =>
  fc.oneof(
    fc.constantFrom("X-Tenant-Id", "X-Forwarded-For", "Content-Type", "X-Amz-Target"),
    builtInName(),
    fc
      .stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}$/)
      .filter(
        (name) =>
          !/^(host|content-length|transfer-encoding|connection|keep-alive|upgrade|expect|te|trailer|authorization)$/i.test(
            name,
          ),
      ),
  );

const request = () =>
  fc.record({
    method: fc.constantFrom("GET", "POST", "DELETE", "PUT", "PATCH"),
    path: fc.oneof(
      fc.constant("/purchases"),
      hostileString().map((id) => `/purchases/${encodeURIComponent(id)}`),
      fc.constant(null).map(() => `/purchases/${secretPurchaseId}`),
      fc.webPath(),
    ),
    // Pairs, not a dictionary: a name may repeat, and `__proto__` stays a name.
    query: fc.array(fc.tuple(queryName(), hostileString()), { maxLength: 3 }),
    headers: fc.array(
      fc.tuple(
        headerName(),
        hostileString().map((s) => s.replace(/[^\x20-\x7e]/g, "")),
      ),
      { maxLength: 3 },
    ),
    body: body(),
    token: fc.oneof(
      { weight: 4, arbitrary: fc.constant("attacker") },
      { weight: 1, arbitrary: hostileString().map((s) => s.replace(/[^\x20-\x7e]/g, "")) },
    ),
  });

it("no request, however hostile, gets a 5xx, stores a rejected item, or sees another tenant's data", async () => {
  let stored = await countPurchases(attacker);
  await fc.assert(
    fc.asyncProperty(request(), async (req) => {
      const query = new URLSearchParams(req.query).toString();
      const res = await api.call(req.method, `${req.path}${query ? `?${query}` : ""}`, {
        authorization: req.token === "attacker" ? `Bearer ${attacker.idToken}` : req.token,
        rawBody: req.method === "GET" || req.method === "DELETE" ? undefined : req.body,
        headers: Object.fromEntries(req.headers),
      });
      expect(res.status, `${req.method} ${req.path}: ${res.text}`).toBeLessThan(500);
      expect(res.text).not.toContain(secretItem);
      expect(res.text).not.toContain(victim.tenantId);
      expect(res.text).not.toContain(secretPurchaseId);
      const now = await countPurchases(attacker);
      const expected = stored + (res.status === 201 ? 1 : 0) - (res.status === 204 ? 1 : 0);
      expect(now, `${req.method} ${req.path} answered ${res.status}`).toBe(expected);
      stored = now;
    }),
    { numRuns: 150, interruptAfterTimeLimit: 60_000 },
  );
  // The victim's purchase survived everything.
  expect((await callPatiently("GET", `/purchases/${secretPurchaseId}`, { token: victim.idToken })).status).toBe(200);
}, 120_000);
