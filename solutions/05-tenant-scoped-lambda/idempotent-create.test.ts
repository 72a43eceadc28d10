import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
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
      authorizer: authorizerContext({
        tenantId: overrides.tenantId ?? "tenant-a",
        userId: overrides.userId ?? "user-1",
        role: "member",
      }),
    }),
  );

async function purchasesOf(tenantId: string) {
  const { Items = [] } = await db.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: "tenantId = :t",
      ExpressionAttributeValues: { ":t": tenantId },
    }),
  );
  return Items;
}

beforeAll(async () => {
  dynamodb = await startDynamoDbEmulator();
  const client = new DynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: "us-east-1",
    credentials: LOCAL_CREDENTIALS,
  });
  await createPurchasesTable(client, TABLE);
  db = DynamoDBDocumentClient.from(client);
  handler = createPurchasesHandler({
    db,
    tableName: TABLE,
    logError: (m, e) => {
      throw new Error(`${m}: ${String(e)}`);
    },
  });
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
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => post("concurrent-1", { tenantId: "tenant-c" })),
    );
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
    const list = await handler(
      proxyEvent({ method: "GET", resource: "/purchases", authorizer: authorizerContext({ tenantId: "tenant-l" }) }),
    );
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
      createPurchasesHandler({
        db,
        tableName: TABLE,
        now: () => new Date(iso),
        logError: (m, e) => {
          throw new Error(`${m}: ${String(e)}`);
        },
      });
    const event = (tenantId: string) =>
      proxyEvent({
        method: "POST",
        resource: "/purchases",
        body,
        headers: { "Idempotency-Key": "old-key" },
        authorizer: authorizerContext({ tenantId, role: "member" }),
      });
    const first = await at("2026-01-01T00:00:00Z")(event("tenant-e"));
    const dayLater = await at("2026-01-02T00:00:01Z")(event("tenant-e"));
    expect(dayLater.statusCode).toBe(201);
    expect(dayLater.headers?.["Idempotent-Replayed"]).toBeUndefined();
    expect(JSON.parse(dayLater.body).purchaseId).not.toBe(JSON.parse(first.body).purchaseId);
  });
});

describe("a DELETE wins over a later retry", () => {
  type Command = Parameters<DynamoDBDocumentClient["send"]>[0];
  /** The table through `intercept`, which may throw or wait before a command goes through. */
  const through = (intercept: (command: Command) => Promise<void>) =>
    ({
      send: async (command: Command) => (await intercept(command), db.send(command as PutCommand)),
    }) as unknown as DynamoDBDocumentClient;
  const isMarkDone = (c: Command) => c instanceof PutCommand && c.input.Item?.state === "done";
  const isPurchasePut = (c: Command) =>
    c instanceof PutCommand && c.input.Item?.state === undefined && !String(c.input.Item?.tenantId).includes("#");
  const handlerOver = (over: DynamoDBDocumentClient, errors: unknown[] = []) =>
    createPurchasesHandler({ db: over, tableName: TABLE, logError: (_, e) => errors.push(e) });
  const event = (
    tenantId: string,
    userId: string,
    key: string,
    role: "member" | "admin" = "member",
    purchaseId?: string,
  ) =>
    proxyEvent({
      method: purchaseId ? "DELETE" : "POST",
      resource: purchaseId ? "/purchases/{purchaseId}" : "/purchases",
      ...(purchaseId ? { pathParameters: { purchaseId } } : { body, headers: { "Idempotency-Key": key } }),
      authorizer: authorizerContext({ tenantId, userId, role }),
    });
  const storedPurchase = async (tenantId: string, purchaseId: string) =>
    (await db.send(new GetCommand({ TableName: TABLE, Key: { tenantId, purchaseId }, ConsistentRead: true }))).Item;

  it("a first attempt that stored the purchase, then died: DELETE, then the client's retry, and it stays deleted", async () => {
    const errors: unknown[] = [];
    const crashing = handlerOver(
      through(async (c) => {
        if (isMarkDone(c)) throw new Error("simulated crash before marking the record done");
      }),
      errors,
    );
    const first = await crashing(event("tenant-d", "user-1", "crash-1"));
    expect(first.statusCode).toBe(500);
    expect(String(errors[0])).toMatch(/simulated crash/);
    const [purchase] = await purchasesOf("tenant-d");
    expect(purchase?.purchaseId).toBeTypeOf("string");
    const purchaseId = String(purchase?.purchaseId);

    expect((await handler(event("tenant-d", "admin-1", "", "admin", purchaseId))).statusCode).toBe(204);
    const retry = await handler(event("tenant-d", "user-1", "crash-1"));
    expect(retry.statusCode).toBe(201);
    expect(retry.headers?.["Idempotent-Replayed"]).toBe("true");
    expect(JSON.parse(retry.body).purchaseId).toBe(purchaseId);
    expect(await storedPurchase("tenant-d", purchaseId)).toBeUndefined();
    // The record is done now: a further retry replays without storing either.
    await handler(event("tenant-d", "user-1", "crash-1"));
    expect(await purchasesOf("tenant-d")).toEqual([]);
  });

  it("a slow first attempt that stores after a retry finished and an admin deleted: the purchase stays deleted", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let stalled!: () => void;
    const reachedStore = new Promise<void>((resolve) => (stalled = resolve));
    const slow = handlerOver(
      through(async (c) => {
        if (isPurchasePut(c)) {
          stalled();
          await gate;
        }
      }),
    );
    const first = slow(event("tenant-s", "user-1", "slow-1"));
    await reachedStore;
    const retry = await handler(event("tenant-s", "user-1", "slow-1"));
    expect(retry.statusCode).toBe(201);
    const { purchaseId } = JSON.parse(retry.body) as { purchaseId: string };
    expect((await handler(event("tenant-s", "admin-1", "", "admin", purchaseId))).statusCode).toBe(204);
    release();
    expect((await first).statusCode).toBe(201);
    expect(await storedPurchase("tenant-s", purchaseId)).toBeUndefined();
    expect(await purchasesOf("tenant-s")).toEqual([]);
  });
});
