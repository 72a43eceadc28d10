import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDynamoDbEmulator, type DynamoDbEmulator } from "../../shared/local-stack/dynamodb-emulator.ts";
import { LOCAL_CREDENTIALS } from "../../shared/local-stack/local-credentials.ts";
import { createPurchasesTable } from "../../shared/local-stack/purchases-table-local.ts";
import { authorizerContext, proxyEvent } from "../../shared/test-helpers/proxy-events.ts";
import { parseIdempotencyKey } from "./idempotent-create.ts";
import { createPurchasesHandler, type ProxyHandler } from "./purchases-handler.ts";

const TABLE = "idempotency-test";
let dynamodb: DynamoDbEmulator;
let db: DynamoDBDocumentClient;
let handler: ProxyHandler;

const body = { item: "Desk lamp", amountCents: 3900, currency: "USD" };
const post = (key: string | undefined, overrides: { body?: unknown; tenantId?: string; userId?: string } = {}) =>
  handler(
    proxyEvent({
      method: "POST",
      resource: "/purchases",
      body: overrides.body ?? body,
      headers: key === undefined ? {} : { "idempotency-key": key },
      authorizer: authorizerContext({ tenantId: overrides.tenantId ?? "tenant-a", userId: overrides.userId ?? "user-1", role: "member" }),
    }),
  );

async function purchasesOf(tenantId: string) {
  const { Items = [] } = await db.send(
    new QueryCommand({ TableName: TABLE, KeyConditionExpression: "tenantId = :t", ExpressionAttributeValues: { ":t": tenantId } }),
  );
  return Items;
}

beforeAll(async () => {
  dynamodb = await startDynamoDbEmulator();
  const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
  await createPurchasesTable(client, TABLE);
  db = DynamoDBDocumentClient.from(client);
  handler = createPurchasesHandler({ db, tableName: TABLE, logError: (m, e) => { throw new Error(`${m}: ${String(e)}`); } });
});

afterAll(async () => {
  db?.destroy();
  await dynamodb?.stop();
});

describe("POST /purchases with an Idempotency-Key", () => {
  it("a retry returns the first result, marked as a replay, and stores nothing new", async () => {
    const first = await post("retry-1");
    const again = await post("retry-1");
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(JSON.parse(again.body)).toEqual(JSON.parse(first.body));
    expect(first.headers?.["Idempotent-Replayed"]).toBeUndefined();
    expect(again.headers?.["Idempotent-Replayed"]).toBe("true");
    const stored = (await purchasesOf("tenant-a")).filter((p) => p.purchaseId === JSON.parse(first.body).purchaseId);
    expect(stored).toHaveLength(1);
  });

  it("ten concurrent requests with one key store one purchase and all answer with it", async () => {
    const before = (await purchasesOf("tenant-c")).length;
    const responses = await Promise.all(Array.from({ length: 10 }, () => post("concurrent-1", { tenantId: "tenant-c" })));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    expect(new Set(responses.map((r) => JSON.parse(r.body).purchaseId)).size).toBe(1);
    expect((await purchasesOf("tenant-c")).length).toBe(before + 1);
  });

  it("the same key with another body is a 422 that says why, and stores nothing", async () => {
    await post("reused-1");
    const before = (await purchasesOf("tenant-a")).length;
    const res = await post("reused-1", { body: { ...body, amountCents: 1 } });
    expect(res.statusCode).toBe(422);
    expect(JSON.parse(res.body).message).toMatch(/already used for a different request/);
    expect((await purchasesOf("tenant-a")).length).toBe(before);
  });

  it("keys are per user: two users of one tenant using the same key each get their own 201", async () => {
    const mine = await post("reused-2", { userId: "user-1" });
    const theirs = await post("reused-2", { userId: "user-2" });
    expect([mine.statusCode, theirs.statusCode]).toEqual([201, 201]);
    expect(theirs.headers?.["Idempotent-Replayed"]).toBeUndefined();
    expect(JSON.parse(theirs.body).createdBy).toBe("user-2");
    expect(JSON.parse(theirs.body).purchaseId).not.toBe(JSON.parse(mine.body).purchaseId);
    // And each user's retry still replays their own purchase.
    expect(JSON.parse((await post("reused-2", { userId: "user-2" })).body)).toEqual(JSON.parse(theirs.body));
  });

  it("keys are per tenant: the same key in two tenants makes two purchases", async () => {
    const a = await post("shared-key", { tenantId: "tenant-x" });
    const b = await post("shared-key", { tenantId: "tenant-y" });
    expect(JSON.parse(a.body).tenantId).toBe("tenant-x");
    expect(JSON.parse(b.body).tenantId).toBe("tenant-y");
    expect(b.headers?.["Idempotent-Replayed"]).toBeUndefined();
  });

  it("idempotency records never show up in the tenant's list", async () => {
    await post("listed-1", { tenantId: "tenant-l" });
    const list = await handler(proxyEvent({ method: "GET", resource: "/purchases", authorizer: authorizerContext({ tenantId: "tenant-l" }) }));
    expect(JSON.parse(list.body).purchases).toHaveLength(1);
  });

  it.each([
    ["empty", ""],
    ["too long", "k".repeat(256)],
    ["with a space", "two words"],
  ])("a key that is %s is a 400 naming the header", async (_case, key) => {
    const res = await post(key);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).errors[0].field).toBe("Idempotency-Key");
  });

  it("reads the header in any case", () => {
    expect(parseIdempotencyKey({ "IDEMPOTENCY-KEY": "abc" })).toEqual({ ok: true, value: "abc" });
    expect(parseIdempotencyKey(null)).toEqual({ ok: true, value: undefined });
  });
});

describe("an expired idempotency record", () => {
  it("no longer replays: the key makes a new purchase", async () => {
    const at = (iso: string) =>
      createPurchasesHandler({ db, tableName: TABLE, now: () => new Date(iso), logError: (m, e) => { throw new Error(`${m}: ${String(e)}`); } });
    const event = (tenantId: string) =>
      proxyEvent({ method: "POST", resource: "/purchases", body, headers: { "Idempotency-Key": "old-key" }, authorizer: authorizerContext({ tenantId, role: "member" }) });
    const first = await at("2026-01-01T00:00:00Z")(event("tenant-e"));
    const dayLater = await at("2026-01-02T00:00:01Z")(event("tenant-e"));
    expect(dayLater.statusCode).toBe(201);
    expect(dayLater.headers?.["Idempotent-Replayed"]).toBeUndefined();
    expect(JSON.parse(dayLater.body).purchaseId).not.toBe(JSON.parse(first.body).purchaseId);
  });
});
