/**
 * The handler's given code, the part of purchases-handler.ts the learner does not write:
 * response headers, the clock, body limits, defence in depth, malformed ids and
 * page parameters. What the learner writes (callerFrom, the repository) is
 * tested by step 05's checkpoint only; this file runs on the solution.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { decodeTime } from "ulid";
import type { Role } from "../../shared/runtime/purchases-api.ts";
import { startDynamoDbEmulator, type DynamoDbEmulator } from "../../shared/local-stack/dynamodb-emulator.ts";
import { LOCAL_CREDENTIALS } from "../../shared/local-stack/local-credentials.ts";
import { createPurchasesTable } from "../../shared/local-stack/purchases-table-local.ts";
import { authorizerContext, proxyEvent, type AuthorizerContext } from "../../shared/test-helpers/proxy-events.ts";
import type { Purchase } from "./purchase.ts";
import { createPurchasesHandler, type ProxyHandler } from "./purchases-handler.ts";

const TABLE_NAME = "purchases-handler-given-test";
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

let emulator: DynamoDbEmulator;
let client: DynamoDBClient;
let db: DynamoDBDocumentClient;
let handler: ProxyHandler;
const loggedErrors: unknown[] = [];

beforeAll(async () => {
  emulator = await startDynamoDbEmulator();
  client = new DynamoDBClient({ endpoint: emulator.endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
  await createPurchasesTable(client, TABLE_NAME);
  db = DynamoDBDocumentClient.from(client);
  handler = createPurchasesHandler({ db, tableName: TABLE_NAME, logError: (_, error) => loggedErrors.push(error) });
});

afterAll(async () => {
  client?.destroy();
  await emulator?.stop();
});

const aPurchase = (overrides: Record<string, unknown> = {}) => ({
  item: "Espresso machine",
  amountCents: 45_900,
  currency: "USD",
  ...overrides,
});
const newTenant = () => `tenant-${randomUUID().slice(0, 8)}`;
type Extra = { headers?: Record<string, string>; query?: Record<string, string> };

function caller(authorizer: AuthorizerContext | null, via: ProxyHandler = handler) {
  const send = async (
    method: string,
    resource: string,
    options: Extra & { pathParameters?: Record<string, string>; body?: unknown } = {},
  ) => {
    const result = await via(proxyEvent({ method, resource, authorizer, ...options }));
    return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
  };
  return {
    send,
    list: (query: Record<string, string> = {}) => send("GET", "/purchases", { query }),
    create: (body: unknown = aPurchase(), extra: Extra = {}) => send("POST", "/purchases", { body, ...extra }),
    get: (purchaseId: string) => send("GET", "/purchases/{purchaseId}", { pathParameters: { purchaseId } }),
    remove: (purchaseId: string) => send("DELETE", "/purchases/{purchaseId}", { pathParameters: { purchaseId } }),
  };
}
const callerOf = (tenantId: string, role: Role = "member", via: ProxyHandler = handler) =>
  caller(authorizerContext({ tenantId, role }), via);

async function stored(tenantId: string, purchaseId: string) {
  const { Item } = await db.send(new GetCommand({ TableName: TABLE_NAME, Key: { tenantId, purchaseId } }));
  return Item;
}

describe("POST /purchases: what the handler adds to the stored purchase", () => {
  it("201, JSON, a Location; the purchase has exactly its fields, a ULID id and an ISO createdAt", async () => {
    const tenantId = newTenant();
    const response = await callerOf(tenantId).create();
    expect(response.statusCode).toBe(201);
    expect(response.headers?.["Content-Type"]).toMatch(/application\/json/);
    const purchase = response.json as Purchase;
    expect(Object.keys(purchase).sort()).toEqual([
      "amountCents",
      "createdAt",
      "createdBy",
      "currency",
      "item",
      "purchaseId",
      "tenantId",
    ]);
    expect(purchase.purchaseId).toMatch(ULID);
    expect(new Date(purchase.createdAt).toISOString()).toBe(purchase.createdAt);
    expect(String(response.headers?.Location)).toMatch(new RegExp(`/purchases/${purchase.purchaseId}$`));
    expect(await stored(tenantId, purchase.purchaseId)).toEqual(purchase);
  });

  it("the id sorts by time and createdAt is the handler's clock", async () => {
    const at = new Date("2025-01-02T03:04:05.678Z");
    const fixedClock = createPurchasesHandler({ db, tableName: TABLE_NAME, now: () => at });
    const purchase = (await callerOf(newTenant(), "admin", fixedClock).create()).json as Purchase;
    expect(purchase.createdAt).toBe(at.toISOString());
    expect(decodeTime(purchase.purchaseId)).toBe(at.getTime());
  });
});

describe("bodies: every mistake a bounded 400 (or 413) naming the field, nothing stored", () => {
  it.each<[string, { body?: string }]>([
    ["no body at all", {}],
    ["a JSON array", { body: "[]" }],
    ["JSON null", { body: "null" }],
  ])("%s -> 400 naming body", async (_, body) => {
    const member = callerOf(newTenant());
    const response = await member.send("POST", "/purchases", body);
    expect(response.statusCode).toBe(400);
    expect(response.json.errors.map((e: { field: string }) => e.field)).toEqual(["body"]);
    expect((await member.list()).json.purchases).toEqual([]);
  });

  it("a 759 KB body of 70,000 unknown fields is a 413 naming the limit, in a short answer", async () => {
    const member = callerOf(newTenant());
    const raw = JSON.stringify(aPurchase(Object.fromEntries(Array.from({ length: 70_000 }, (_, i) => [`f${i}`, 0]))));
    expect(raw.length).toBeGreaterThan(700_000);
    const response = await member.create(raw);
    expect(response.statusCode).toBe(413);
    expect(response.json.message).toMatch(/at most 16384 bytes/);
    expect(response.json.errors).toEqual([{ field: "body", message: "must be at most 16384 bytes (16 KiB)" }]);
    expect(response.body.length).toBeLessThan(300);
    expect((await member.list()).json.purchases).toEqual([]);
  });

  it("1,500 unknown fields under the limit: five listed, then how many more; a long name is cut short", async () => {
    const many = await callerOf(newTenant()).create(
      aPurchase(Object.fromEntries(Array.from({ length: 1_500 }, (_, i) => [`f${i}`, 0]))),
    );
    expect(many.statusCode).toBe(400);
    expect(many.json.errors.map((e: { field: string }) => e.field)).toEqual(["f0", "f1", "f2", "f3", "f4"]);
    expect(many.json.message).toMatch(/; and 1495 more$/);
    expect(many.body.length).toBeLessThan(1_000);

    const long = await callerOf(newTenant()).create(aPurchase({ ["x".repeat(10_000)]: 1 }));
    expect(long.statusCode).toBe(400);
    expect(long.body.length).toBeLessThan(600);
    expect(long.json.errors[0].field).toMatch(/^x+…$/);
  });
});

describe("defence in depth: the handler re-checks the role the policy already checked", () => {
  it("a viewer, or an unknown role (fail closed), may not POST: 403, nothing stored", async () => {
    const tenantId = newTenant();
    expect((await callerOf(tenantId, "viewer").create()).statusCode).toBe(403);
    expect((await caller({ ...authorizerContext({ tenantId }), role: "superuser" }).create()).statusCode).toBe(403);
    expect((await callerOf(tenantId).list()).json.purchases).toEqual([]);
  });

  it.each<Role>(["member", "viewer"])("a %s may not DELETE: 403, and the item is still there", async (role) => {
    const tenantId = newTenant();
    const purchase = (await callerOf(tenantId, "admin").create()).json as Purchase;
    expect((await callerOf(tenantId, role).remove(purchase.purchaseId)).statusCode).toBe(403);
    expect(await stored(tenantId, purchase.purchaseId)).toEqual(purchase);
  });
});

describe("malformed ids and page parameters never reach DynamoDB as such", () => {
  it.each(["not-a-ulid", "01arz3ndektsv4rrffq69g5fav", "../other-tenant"])(
    "GET and DELETE of id %j -> 404",
    async (id) => {
      const admin = callerOf(newTenant(), "admin");
      expect((await admin.get(id)).statusCode).toBe(404);
      expect((await admin.remove(id)).statusCode).toBe(404);
    },
  );

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

describe("the idempotent path", () => {
  it("reads its own writes too: a POST with an Idempotency-Key reads strongly consistent", async () => {
    const spiedDb = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: emulator.endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS }),
    );
    const send = vi.spyOn(spiedDb, "send");
    try {
      const admin = callerOf(
        newTenant(),
        "admin",
        createPurchasesHandler({ db: spiedDb, tableName: TABLE_NAME, logError: () => {} }),
      );
      expect((await admin.create(aPurchase(), { headers: { "Idempotency-Key": "consistent-1" } })).statusCode).toBe(
        201,
      );
      const reads = send.mock.calls
        .map(([command]) => command as { constructor: { name: string }; input: { ConsistentRead?: boolean } })
        .filter((command) => ["GetCommand", "QueryCommand"].includes(command.constructor.name));
      expect(reads.length, "createOnce reads the idempotency record").toBeGreaterThan(0);
      for (const read of reads) expect(read.input.ConsistentRead, read.constructor.name).toBe(true);
    } finally {
      send.mockRestore();
      spiedDb.destroy();
    }
  });
});

it("logged no unexpected errors over the whole file", () => {
  expect(loggedErrors).toEqual([]);
});
