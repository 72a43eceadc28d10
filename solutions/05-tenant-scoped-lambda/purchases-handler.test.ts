/**
 * The purchases handler against a real local DynamoDB (dynalite), called with
 * the proxy events API Gateway sends after the tenant authorizer allowed a call.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { APIGatewayProxyResult } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createPurchasesTable } from "../../shared/local-stack/purchases-table-local.ts";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { decodeTime } from "ulid";
import type { Role } from "../../shared/api/purchases-api.ts";
import { startDynamoDbEmulator, type DynamoDbEmulator } from "../../shared/local-stack/dynamodb-emulator.ts";
import { LOCAL_CREDENTIALS } from "../../shared/local-stack/local-credentials.ts";
import { authorizerContext, proxyEvent, type AuthorizerContext } from "../../shared/test-helpers/proxy-events.ts";
import type { Purchase } from "./purchase.ts";
import { createPurchasesHandler, type ProxyHandler } from "./purchases-handler.ts";

const TABLE_NAME = "purchases-handler-test";
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

let emulator: DynamoDbEmulator;
let client: DynamoDBClient;
let db: DynamoDBDocumentClient;
let handler: ProxyHandler;
const loggedErrors: unknown[] = [];

function newClient(): DynamoDBClient {
  return new DynamoDBClient({ endpoint: emulator.endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
}

beforeAll(async () => {
  emulator = await startDynamoDbEmulator();
  client = newClient();
  await createPurchasesTable(client, TABLE_NAME);
  db = DynamoDBDocumentClient.from(client);
  handler = createPurchasesHandler({ db, tableName: TABLE_NAME, logError: (_, error) => loggedErrors.push(error) });
});

afterAll(async () => {
  client?.destroy();
  await emulator?.stop();
});

// ---------------------------------------------------------------------------
// A caller of the API, as the authorizer vouched for it.

const aPurchase = (overrides: Record<string, unknown> = {}) => ({ item: "Espresso machine", amountCents: 45_900, currency: "USD", ...overrides });

interface Response<T = any> extends APIGatewayProxyResult {
  json: T;
}

function callerOf(tenantId: string, role: Role = "member", via: ProxyHandler = handler) {
  const authorizer = authorizerContext({ tenantId, role });
  return caller(authorizer, via);
}

function caller(authorizer: AuthorizerContext | null, via: ProxyHandler = handler) {
  const send = async (
    method: string,
    resource: string,
    options: { pathParameters?: Record<string, string>; query?: Record<string, string>; headers?: Record<string, string>; body?: unknown } = {},
  ): Promise<Response> => {
    const result = await via(proxyEvent({ method, resource, authorizer, ...options }));
    return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
  };
  return {
    context: authorizer,
    list: (query: Record<string, string> = {}, headers: Record<string, string> = {}) => send("GET", "/purchases", { query, headers }),
    create: (body: unknown = aPurchase(), extra: { headers?: Record<string, string>; query?: Record<string, string> } = {}) =>
      send("POST", "/purchases", { body, ...extra }),
    get: (purchaseId: string, extra: { headers?: Record<string, string>; query?: Record<string, string> } = {}) =>
      send("GET", "/purchases/{purchaseId}", { pathParameters: { purchaseId }, ...extra }),
    remove: (purchaseId: string) => send("DELETE", "/purchases/{purchaseId}", { pathParameters: { purchaseId } }),
  };
}

const newTenant = () => `tenant-${randomUUID().slice(0, 8)}`;

async function created(who: ReturnType<typeof caller>, body: unknown = aPurchase()): Promise<Purchase> {
  const response = await who.create(body);
  expect(response.statusCode).toBe(201);
  return response.json as Purchase;
}

/** What is really in the table, bypassing the handler. */
async function stored(tenantId: string, purchaseId: string) {
  const { Item } = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: { tenantId, purchaseId } }));
  return Item;
}

// ---------------------------------------------------------------------------

describe("POST /purchases", () => {
  it("201 with the stored item: tenant from the context, createdBy = userId, ULID id, ISO createdAt", async () => {
    const tenantId = newTenant();
    const member = callerOf(tenantId, "member");
    const response = await member.create(aPurchase({ item: "Grinder", amountCents: 12_999, currency: "EUR" }));
    expect(response.statusCode).toBe(201);
    expect(response.headers?.["Content-Type"]).toMatch(/application\/json/);
    const purchase = response.json as Purchase;
    expect(purchase).toMatchObject({ item: "Grinder", amountCents: 12_999, currency: "EUR", tenantId, createdBy: member.context?.userId });
    expect(Object.keys(purchase).sort()).toEqual(["amountCents", "createdAt", "createdBy", "currency", "item", "purchaseId", "tenantId"]);
    expect(purchase.purchaseId).toMatch(ULID);
    expect(new Date(purchase.createdAt).toISOString()).toBe(purchase.createdAt);
    expect(String(response.headers?.Location)).toMatch(new RegExp(`/purchases/${purchase.purchaseId}$`));
    // Stored exactly as returned, under the caller's tenant.
    expect(await stored(tenantId, purchase.purchaseId)).toEqual(purchase);
  });

  it("the id sorts by time and createdAt is the handler's clock", async () => {
    const at = new Date("2025-01-02T03:04:05.678Z");
    const fixedClock = createPurchasesHandler({ db, tableName: TABLE_NAME, now: () => at });
    const purchase = (await callerOf(newTenant(), "admin", fixedClock).create()).json as Purchase;
    expect(purchase.createdAt).toBe(at.toISOString());
    expect(decodeTime(purchase.purchaseId)).toBe(at.getTime());
  });

  it("a tenantId in the body is a 400 naming tenantId, and nothing is stored", async () => {
    const tenantId = newTenant();
    const member = callerOf(tenantId);
    const victim = newTenant();
    const response = await member.create(aPurchase({ tenantId: victim }));
    expect(response.statusCode).toBe(400);
    expect(response.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: "tenantId" })]));
    expect(response.json.message).toContain("tenantId");
    expect((await member.list()).json.purchases).toEqual([]);
    expect((await callerOf(victim).list()).json.purchases).toEqual([]);
  });

  it("an X-Tenant-Id header or ?tenantId= query is ignored: the purchase goes to the caller's tenant", async () => {
    const tenantId = newTenant();
    const other = newTenant();
    const member = callerOf(tenantId);
    const response = await member.create(aPurchase(), { headers: { "X-Tenant-Id": other, "x-tenant-id": other }, query: { tenantId: other } });
    expect(response.statusCode).toBe(201);
    expect(response.json.tenantId).toBe(tenantId);
    expect(await stored(other, response.json.purchaseId)).toBeUndefined();
    expect((await callerOf(other).list()).json.purchases).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ["malformed JSON", "{\"item\": \"x\",", "body"],
    ["a JSON array", "[]", "body"],
    ["JSON null", "null", "body"],
    ["an empty item", aPurchase({ item: "" }), "item"],
    ["a fractional amount", aPurchase({ amountCents: 1.5 }), "amountCents"],
    ["an amount as a string", aPurchase({ amountCents: "12" }), "amountCents"],
    ["a lower-case currency", aPurchase({ currency: "usd" }), "currency"],
    ["a createdBy of someone else", aPurchase({ createdBy: "someone-else" }), "createdBy"],
  ])("%s -> 400 naming %s", async (_, body, field) => {
    const member = callerOf(newTenant());
    const response = await member.create(body);
    expect(response.statusCode).toBe(400);
    expect(response.json.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect((await member.list()).json.purchases).toEqual([]);
  });

  it("a 759 KB body of 70,000 unknown fields is a 413 naming the limit, in a short answer, and nothing is stored", async () => {
    const member = callerOf(newTenant());
    const fields = Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`f${i}`, 0]));
    const raw = JSON.stringify(aPurchase(fields));
    expect(raw.length).toBeGreaterThan(700_000);
    const response = await member.create(raw);
    expect(response.statusCode).toBe(413);
    expect(response.json.message).toMatch(/at most 16384 bytes/);
    expect(response.json.errors).toEqual([{ field: "body", message: "must be at most 16384 bytes (16 KiB)" }]);
    expect(response.body.length).toBeLessThan(300);
    expect((await member.list()).json.purchases).toEqual([]);
  });

  it("a body under the limit with 1,500 unknown fields lists five of them, then how many more", async () => {
    const fields = Object.fromEntries(Array.from({ length: 1_500 }, (_, i) => [`f${i}`, 0]));
    const response = await callerOf(newTenant()).create(aPurchase(fields));
    expect(response.statusCode).toBe(400);
    expect(response.json.errors.map((e: { field: string }) => e.field)).toEqual(["f0", "f1", "f2", "f3", "f4"]);
    expect(response.json.message).toMatch(/; and 1495 more$/);
    expect(response.body.length).toBeLessThan(1_000);
  });

  it("a long unknown field name is echoed cut short, never whole", async () => {
    const response = await callerOf(newTenant()).create(aPurchase({ ["x".repeat(10_000)]: 1 }));
    expect(response.statusCode).toBe(400);
    expect(response.body.length).toBeLessThan(600);
    expect(response.json.errors[0].field).toMatch(/^x+…$/);
  });

  it("no body at all -> 400 naming body", async () => {
    const response = await handler(proxyEvent({ method: "POST", resource: "/purchases", authorizer: authorizerContext({ tenantId: newTenant() }) }));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors).toEqual([expect.objectContaining({ field: "body" })]);
  });

  it("a viewer may not POST: 403 and nothing stored (defence in depth)", async () => {
    const tenantId = newTenant();
    const viewer = callerOf(tenantId, "viewer");
    const response = await viewer.create();
    expect(response.statusCode).toBe(403);
    expect((await viewer.list()).json.purchases).toEqual([]);
  });

  it("an unknown role counts as a viewer (fail closed): POST is 403", async () => {
    const tenantId = newTenant();
    const response = await caller({ ...authorizerContext({ tenantId }), role: "superuser" }).create();
    expect(response.statusCode).toBe(403);
    expect((await callerOf(tenantId).list()).json.purchases).toEqual([]);
  });
});

describe("GET /purchases", () => {
  it("lists the caller's tenant's purchases only, newest first", async () => {
    const tenantId = newTenant();
    const member = callerOf(tenantId);
    const mine = [];
    for (const item of ["first", "second", "third"]) mine.push(await created(member, aPurchase({ item })));
    await created(callerOf(newTenant()), aPurchase({ item: "someone else's" }));

    const response = await callerOf(tenantId, "viewer").list();
    expect(response.statusCode).toBe(200);
    expect(response.json.purchases.map((p: Purchase) => p.item)).toEqual(["third", "second", "first"]);
    expect(response.json.purchases).toEqual([...mine].reverse());
    expect(response.json.nextToken).toBeUndefined();
  });

  it("?tenantId= and X-Tenant-Id do not switch tenants", async () => {
    const a = newTenant();
    const b = newTenant();
    const mineA = await created(callerOf(a));
    await created(callerOf(b));
    const response = await callerOf(a).list({ tenantId: b }, { "X-Tenant-Id": b });
    expect(response.statusCode).toBe(200);
    expect(response.json.purchases).toEqual([mineA]);
  });

  it("pages with limit 2 over 5 items: every item exactly once, newest first", async () => {
    const tenantId = newTenant();
    const member = callerOf(tenantId);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await created(member, aPurchase({ item: `item-${i}` }))).purchaseId);

    const seen: string[] = [];
    const pageSizes: number[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const response = await member.list(nextToken ? { limit: "2", nextToken } : { limit: "2" });
      expect(response.statusCode).toBe(200);
      pageSizes.push(response.json.purchases.length);
      seen.push(...response.json.purchases.map((p: Purchase) => p.purchaseId));
      nextToken = response.json.nextToken;
      pages += 1;
    } while (nextToken && pages < 10);

    expect(nextToken).toBeUndefined();
    expect(pageSizes.every((n) => n <= 2)).toBe(true);
    expect(seen).toEqual([...ids].reverse());
    expect(new Set(seen).size).toBe(5);
  });

  it("another tenant's nextToken never pages into that tenant", async () => {
    const a = newTenant();
    const b = newTenant();
    const memberA = callerOf(a);
    // B's purchase is older than all of A's, so it sorts after A's ids.
    const mineB = await created(callerOf(b), aPurchase({ item: "b's" }));
    for (let i = 0; i < 3; i += 1) await created(memberA);
    const tokenOfA = (await memberA.list({ limit: "1" })).json.nextToken as string;
    expect(tokenOfA).toBeTypeOf("string");

    const response = await callerOf(b).list({ nextToken: tokenOfA });
    expect(response.statusCode).toBe(200);
    // The token only says "after this id": the partition is still the caller's.
    expect(response.json.purchases).toEqual([mineB]);
  });

  it.each<[Record<string, string>, string]>([
    [{ limit: "0" }, "limit"],
    [{ limit: "101" }, "limit"],
    [{ limit: "two" }, "limit"],
    [{ nextToken: "forged" }, "nextToken"],
    [{ nextToken: Buffer.from(JSON.stringify({ tenantId: "x", purchaseId: "y" })).toString("base64url") }, "nextToken"],
  ])("%j -> 400 naming %s", async (query, field) => {
    const response = await callerOf(newTenant()).list(query);
    expect(response.statusCode).toBe(400);
    expect(response.json.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
});

describe("GET /purchases/{purchaseId}", () => {
  it("200 with the purchase, for any role of the tenant", async () => {
    const tenantId = newTenant();
    const purchase = await created(callerOf(tenantId));
    for (const role of ["viewer", "member", "admin"] as const) {
      const response = await callerOf(tenantId, role).get(purchase.purchaseId);
      expect(response.statusCode).toBe(200);
      expect(response.json).toEqual(purchase);
    }
  });

  it("another tenant's id is a 404, never a 403 or the item", async () => {
    const purchase = await created(callerOf(newTenant()));
    const response = await callerOf(newTenant(), "admin").get(purchase.purchaseId, {
      headers: { "X-Tenant-Id": purchase.tenantId },
      query: { tenantId: purchase.tenantId },
    });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain(purchase.purchaseId);
    expect(response.body).not.toContain(purchase.item);
  });

  it.each(["not-a-ulid", "01arz3ndektsv4rrffq69g5fav", "../other-tenant", "01ARZ3NDEKTSV4RRFFQ69G5FAV"])("unknown id %j -> 404", async (id) => {
    const response = await callerOf(newTenant()).get(id);
    expect(response.statusCode).toBe(404);
  });
});

describe("DELETE /purchases/{purchaseId}", () => {
  it("an admin deletes: 204, then 404 on GET and on a second DELETE", async () => {
    const tenantId = newTenant();
    const admin = callerOf(tenantId, "admin");
    const purchase = await created(admin);
    const response = await admin.remove(purchase.purchaseId);
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe("");
    expect((await admin.get(purchase.purchaseId)).statusCode).toBe(404);
    expect((await admin.remove(purchase.purchaseId)).statusCode).toBe(404);
    expect(await stored(tenantId, purchase.purchaseId)).toBeUndefined();
  });

  it("another tenant's id: 404, and the item is still there", async () => {
    const owner = callerOf(newTenant(), "admin");
    const purchase = await created(owner);
    const response = await callerOf(newTenant(), "admin").remove(purchase.purchaseId);
    expect(response.statusCode).toBe(404);
    expect((await owner.get(purchase.purchaseId)).json).toEqual(purchase);
    expect(await stored(purchase.tenantId, purchase.purchaseId)).toEqual(purchase);
  });

  it.each<Role>(["member", "viewer"])("a %s may not DELETE: 403, and the item is still there (defence in depth)", async (role) => {
    const tenantId = newTenant();
    const purchase = await created(callerOf(tenantId, "admin"));
    const response = await callerOf(tenantId, role).remove(purchase.purchaseId);
    expect(response.statusCode).toBe(403);
    expect(await stored(tenantId, purchase.purchaseId)).toEqual(purchase);
  });
});

describe("without a tenant from the authorizer", () => {
  const withoutTenant: [string, AuthorizerContext | null][] = [
    ["no authorizer context", null],
    ["context without tenantId", { userId: "u-1", email: "u@x.test", role: "admin", principalId: "u-1" }],
    ["empty tenantId", { tenantId: "", userId: "u-1", email: "u@x.test", role: "admin", principalId: "u-1" }],
    ["context without userId", { tenantId: "tenant-x", email: "u@x.test", role: "admin", principalId: "u-1" }],
  ];

  it.each(withoutTenant)("%s -> 403 on every route, tenant from headers/query never used", async (_, authorizer) => {
    const victim = newTenant();
    const purchase = await created(callerOf(victim, "admin"));
    const anonymous = caller(authorizer);
    const sneaky = { headers: { "X-Tenant-Id": victim }, query: { tenantId: victim } };
    expect((await anonymous.list({ tenantId: victim }, { "X-Tenant-Id": victim })).statusCode).toBe(403);
    expect((await anonymous.create(aPurchase(), sneaky)).statusCode).toBe(403);
    expect((await anonymous.get(purchase.purchaseId, sneaky)).statusCode).toBe(403);
    expect((await anonymous.remove(purchase.purchaseId)).statusCode).toBe(403);
    expect(await stored(victim, purchase.purchaseId)).toEqual(purchase);
  });
});

describe("data access", () => {
  it("never Scans: a full run of every route uses Query, Get, Put and Delete only", async () => {
    // Its own clients, so the spy and the wire log see this run only.
    const spiedClient = newClient();
    const onTheWire: string[] = [];
    spiedClient.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers?: Record<string, string> };
        const target = request.headers?.["x-amz-target"] ?? request.headers?.["X-Amz-Target"];
        if (target) onTheWire.push(target.replace(/^DynamoDB_\d+\./, ""));
        return next(args);
      },
      { step: "finalizeRequest", name: "recordDynamoDbOperations" },
    );
    const spiedDb = DynamoDBDocumentClient.from(spiedClient);
    const send = vi.spyOn(spiedDb, "send");
    const spied = createPurchasesHandler({ db: spiedDb, tableName: TABLE_NAME, logError: () => {} });
    try {
      const tenantId = newTenant();
      const admin = callerOf(tenantId, "admin", spied);
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const response = await admin.create(aPurchase({ item: `scan-check-${i}` }));
        expect(response.statusCode).toBe(201);
        ids.push(response.json.purchaseId);
      }
      expect((await admin.list()).statusCode).toBe(200);
      const firstPage = await admin.list({ limit: "1" });
      expect((await admin.list({ limit: "1", nextToken: firstPage.json.nextToken })).statusCode).toBe(200);
      expect((await admin.get(ids[0]!)).statusCode).toBe(200);
      expect((await admin.remove(ids[0]!)).statusCode).toBe(204);
      expect((await admin.remove(ids[0]!)).statusCode).toBe(404);
      expect((await callerOf(newTenant(), "admin", spied).get(ids[1]!)).statusCode).toBe(404);

      const commands = send.mock.calls.map(([command]) => (command as object).constructor.name);
      expect(commands.length).toBeGreaterThan(0);
      expect(commands).not.toContain("ScanCommand");
      expect(new Set(commands)).toEqual(new Set(["PutCommand", "QueryCommand", "GetCommand", "DeleteCommand"]));
      expect(onTheWire).not.toContain("Scan");
      expect(new Set(onTheWire)).toEqual(new Set(["PutItem", "Query", "GetItem", "DeleteItem"]));
    } finally {
      send.mockRestore();
      spiedClient.destroy();
    }
  });

  it("reads its own writes: every GetItem and Query of the table is a strongly consistent read", async () => {
    const spiedDb = DynamoDBDocumentClient.from(newClient());
    const send = vi.spyOn(spiedDb, "send");
    const spied = createPurchasesHandler({ db: spiedDb, tableName: TABLE_NAME, logError: () => {} });
    try {
      const admin = callerOf(newTenant(), "admin", spied);
      const { purchaseId } = (await admin.create(aPurchase(), { headers: { "Idempotency-Key": "consistent-1" } })).json as Purchase;
      expect((await admin.list()).statusCode).toBe(200);
      expect((await admin.get(purchaseId)).statusCode).toBe(200);
      const reads = send.mock.calls
        .map(([command]) => command as { constructor: { name: string }; input: { ConsistentRead?: boolean } })
        .filter((command) => ["GetCommand", "QueryCommand"].includes(command.constructor.name));
      expect(new Set(reads.map((r) => r.constructor.name))).toEqual(new Set(["GetCommand", "QueryCommand"]));
      for (const read of reads) expect(read.input.ConsistentRead, read.constructor.name).toBe(true);
    } finally {
      send.mockRestore();
      spiedDb.destroy();
    }
  });

  it("logged no unexpected errors over the whole file", () => {
    expect(loggedErrors).toEqual([]);
  });
});
