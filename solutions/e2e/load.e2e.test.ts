/**
 * Load through the local API Gateway: 1,000 concurrent POSTs from 10 tenants.
 * Every one is answered 201 and stored exactly once, under its own tenant.
 * Then 200 of them are retried with their Idempotency-Key: nothing new is stored.
 *
 * It tests the handler under concurrency, not the stage throttle: the deployed
 * stage (burst 100, 50 rps) would answer most of 1,000 simultaneous POSTs 429.
 * So this suite starts its own local stack with the throttle raised to API
 * Gateway's default account-level quota (10,000 rps, burst 5,000), as a stage
 * without stage limits would have; the shared stack keeps the deployed limits,
 * and the gateway's own tests prove the throttle.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../../shared/local-stack/local-stack.ts";
import { WorkshopApi, aPurchase, type ApiResponse, type TestUser } from "../../shared/test-helpers/workshop-api.ts";

const TENANTS = 10;
const PER_TENANT = 100;
/** API Gateway's default account-level throttle quota per Region. */
const ACCOUNT_LEVEL_THROTTLE = { rateLimit: 10_000, burstLimit: 5_000 };
let stack: LocalStack;
let api: WorkshopApi;
let members: TestUser[];
let admins: TestUser[];

interface Sent {
  user: TestUser;
  key: string;
  body: ReturnType<typeof aPurchase>;
  response: ApiResponse<{ purchaseId: string; tenantId: string }>;
}
const sent: Sent[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ throttle: ACCOUNT_LEVEL_THROTTLE });
  api = new WorkshopApi(stack.outputs);
  const tenants = Array.from({ length: TENANTS }, () => WorkshopApi.newTenantId("load"));
  members = await Promise.all(tenants.map((t) => api.user(t, "member")));
  admins = await Promise.all(tenants.map((t) => api.user(t, "admin")));
});

afterAll(async () => {
  await api?.cleanup();
  api?.close();
  await stack?.stop();
});

async function storedPurchases(admin: TestUser): Promise<{ purchaseId: string; tenantId: string }[]> {
  const all: { purchaseId: string; tenantId: string }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await api.call("GET", `/purchases?limit=100${nextToken ? `&nextToken=${nextToken}` : ""}`, {
      token: admin.idToken,
    });
    expect(page.status).toBe(200);
    all.push(...page.body.purchases);
    nextToken = page.body.nextToken;
  } while (nextToken);
  return all;
}

const post = (user: TestUser, key: string, body: ReturnType<typeof aPurchase>) =>
  api.call<{ purchaseId: string; tenantId: string }>("POST", "/purchases", {
    token: user.idToken,
    body,
    headers: { "Idempotency-Key": key },
  });

describe("load", () => {
  it("1,000 concurrent POSTs from 10 tenants: all 201, each stored once under its tenant", async () => {
    const requests = members.flatMap((user) =>
      Array.from({ length: PER_TENANT }, (_, i) => ({
        user,
        key: randomUUID(),
        body: aPurchase({ item: `load ${user.tenantId} #${i}`, amountCents: i + 1 }),
      })),
    );
    const responses = await Promise.all(requests.map((r) => post(r.user, r.key, r.body)));
    requests.forEach((r, i) => sent.push({ ...r, response: responses[i]! }));

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s === 201)).toBe(true);
    expect(new Set(responses.map((r) => r.body.purchaseId)).size).toBe(TENANTS * PER_TENANT);

    for (const [i, admin] of admins.entries()) {
      const stored = await storedPurchases(admin);
      expect(stored).toHaveLength(PER_TENANT);
      expect(stored.every((p) => p.tenantId === members[i]!.tenantId)).toBe(true);
    }
  }, 300_000);

  it("retrying 200 of them with their Idempotency-Key returns the first result and stores nothing new", async () => {
    const retried = sent.filter((_, i) => i % 5 === 0);
    expect(retried).toHaveLength(200);
    const responses = await Promise.all(retried.map((s) => post(s.user, s.key, s.body)));
    for (const [i, response] of responses.entries()) {
      expect(response.status).toBe(201);
      expect(response.body.purchaseId).toBe(retried[i]!.response.body.purchaseId);
    }
    let total = 0;
    for (const admin of admins) total += (await storedPurchases(admin)).length;
    expect(total).toBe(TENANTS * PER_TENANT);
  }, 300_000);
});
