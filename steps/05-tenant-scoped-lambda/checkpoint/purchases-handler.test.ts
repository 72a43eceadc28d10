/**
 * Step 05's checkpoint, part 1: your purchases handler against the DynamoDB
 * emulator (started by setup.ts), called with the proxy events API Gateway
 * sends once the tenant authorizer has allowed a request.
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, vi } from "vitest";
import type { APIGatewayProxyResult } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { monotonicFactory } from "ulid";
import type { Role } from "../../../shared/runtime/purchases-api.ts";
import { check } from "../../../shared/checkpoint/check.ts";
import { isTodoError } from "../../../shared/checkpoint/todo.ts";
import { LOCAL_CREDENTIALS } from "../../../shared/local-stack/local-credentials.ts";
import { authorizerContext, proxyEvent, type AuthorizerContext } from "../../../shared/test-helpers/proxy-events.ts";
import type { Purchase } from "../purchase.ts";
import { callerFrom, createPurchasesHandler, type ProxyHandler } from "../purchases-handler.ts";
import { TenantPurchases } from "../purchases-repository.ts";

const { dynamoDbEndpoint, tableName } = inject("step05");

const clients: DynamoDBClient[] = [];
function newDocumentClient(): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    endpoint: dynamoDbEndpoint,
    region: "us-east-1",
    credentials: LOCAL_CREDENTIALS,
  });
  clients.push(client);
  return DynamoDBDocumentClient.from(client);
}
afterAll(() => {
  for (const client of clients) client.destroy();
});

/**
 * Your handler, over `db`. It answers 500 when something inside it throws
 * (a TODO included) and logs the error: this wrapper throws that error
 * instead, so a check says which TODO or which bug.
 */
function handlerOver(db: DynamoDBDocumentClient): ProxyHandler {
  const logged: unknown[] = [];
  const handler = createPurchasesHandler({ db, tableName, logError: (_, error) => logged.push(error) });
  return async (event) => {
    logged.length = 0;
    const result = await handler(event);
    const [error] = logged;
    if (error !== undefined) {
      if (isTodoError(error)) throw error;
      throw new Error(`the handler answered ${result.statusCode} because it failed: ${String(error)}`, {
        cause: error,
      });
    }
    return result;
  };
}

const db = newDocumentClient();
const handler = handlerOver(db);

// ---------------------------------------------------------------------------
// Callers, as the authorizer vouched for them, and the table as it really is.

const aPurchase = (overrides: Record<string, unknown> = {}) => ({
  item: "Espresso machine",
  amountCents: 45_900,
  currency: "USD",
  ...overrides,
});
const newTenant = () => `tenant-${randomUUID().slice(0, 8)}`;

interface Response extends APIGatewayProxyResult {
  json: any;
}
interface Extra {
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
}

function callerOf(tenantId: string, role: Role = "member", via: ProxyHandler = handler) {
  return caller(authorizerContext({ tenantId, role }), via);
}

function caller(authorizer: AuthorizerContext | null, via: ProxyHandler = handler) {
  const send = async (
    method: string,
    resource: string,
    options: Extra & { body?: unknown } = {},
  ): Promise<Response> => {
    const result = await via(proxyEvent({ method, resource, authorizer, ...options }));
    return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
  };
  return {
    context: authorizer,
    list: (query: Record<string, string> = {}, extra: Omit<Extra, "query"> = {}) =>
      send("GET", "/purchases", { query, ...extra }),
    create: (body: unknown = aPurchase(), extra: Extra = {}) => send("POST", "/purchases", { body, ...extra }),
    get: (purchaseId: string, extra: Extra = {}) =>
      send("GET", "/purchases/{purchaseId}", { ...extra, pathParameters: { ...extra.pathParameters, purchaseId } }),
    remove: (purchaseId: string, extra: Extra = {}) =>
      send("DELETE", "/purchases/{purchaseId}", { ...extra, pathParameters: { ...extra.pathParameters, purchaseId } }),
  };
}

async function created(who: ReturnType<typeof caller>, body: unknown = aPurchase()): Promise<Purchase> {
  const response = await who.create(body);
  expect(response.statusCode, `POST /purchases answered ${response.body}`).toBe(201);
  return response.json as Purchase;
}

const nextPurchaseId = monotonicFactory();

/**
 * A purchase written straight to the table (not through your POST), so a
 * check of GET or DELETE depends on that route's TODO only. Ids sort by time.
 */
async function seeded(tenantId: string, overrides: Partial<Purchase> = {}): Promise<Purchase> {
  const purchase: Purchase = {
    ...aPurchase(),
    tenantId,
    purchaseId: nextPurchaseId(),
    createdBy: `user-${randomUUID()}`,
    createdAt: new Date().toISOString(),
    ...overrides,
  };
  await db.send(new PutCommand({ TableName: tableName, Item: purchase }));
  return purchase;
}

/** One item, read straight from the table by its key. */
async function stored(tenantId: string, purchaseId: string): Promise<Purchase | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: { tenantId, purchaseId } }));
  return Item as Purchase | undefined;
}

/** A tenant's whole partition, read straight from the table. */
async function partition(tenantId: string): Promise<Purchase[]> {
  const { Items = [] } = await db.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "tenantId = :t",
      ExpressionAttributeValues: { ":t": tenantId },
    }),
  );
  return Items as Purchase[];
}

const ids = (purchases: Purchase[]) => purchases.map((p) => p.purchaseId);

// ---------------------------------------------------------------------------

describe("the caller comes from the authorizer", () => {
  check(
    "callerFrom reads tenantId, userId and role from requestContext.authorizer",
    {
      hint: "callerFrom must give tenantId, userId and role exactly as the authorizer's context states them",
      todo: "purchases-handler.ts, TODO 1",
    },
    () => {
      for (const role of ["viewer", "member", "admin"] as const) {
        const event = proxyEvent({
          method: "GET",
          resource: "/purchases",
          authorizer: authorizerContext({ tenantId: "tenant-a", userId: "user-1", role }),
        });
        expect(callerFrom(event)).toEqual({ tenantId: "tenant-a", userId: "user-1", role });
      }
    },
  );

  check(
    "a tenantId in the headers, query, path or body is never the caller's; no context means no caller (403)",
    {
      hint: "only the authorizer's context names the caller: a tenantId elsewhere is ignored, and no non-empty tenantId or userId there means no caller",
      todo: "purchases-handler.ts, TODO 1",
    },
    async () => {
      const sneaky = {
        method: "POST",
        resource: "/purchases",
        headers: { "X-Tenant-Id": "tenant-b", tenantId: "tenant-b" },
        query: { tenantId: "tenant-b" },
        pathParameters: { tenantId: "tenant-b" },
        body: aPurchase({ tenantId: "tenant-b" }),
      };
      expect(
        callerFrom(proxyEvent({ ...sneaky, authorizer: authorizerContext({ tenantId: "tenant-a", userId: "user-1" }) }))
          ?.tenantId,
      ).toBe("tenant-a");
      expect(callerFrom(proxyEvent({ ...sneaky, authorizer: null }))).toBeUndefined();
      const base = authorizerContext({ tenantId: "tenant-a", userId: "user-1", role: "admin" });
      const { tenantId: _tenant, ...withoutTenant } = base;
      const { userId: _user, ...withoutUser } = base;
      for (const context of [withoutTenant, withoutUser, { ...base, tenantId: "" }, { ...base, userId: "" }]) {
        expect(callerFrom(proxyEvent({ ...sneaky, authorizer: context })), JSON.stringify(context)).toBeUndefined();
      }

      const victim = newTenant();
      const purchase = await seeded(victim);
      const anonymous = caller(null);
      const pointing = {
        headers: { "X-Tenant-Id": victim },
        query: { tenantId: victim },
        pathParameters: { tenantId: victim },
      };
      expect((await anonymous.list({ tenantId: victim }, { headers: { "X-Tenant-Id": victim } })).statusCode).toBe(403);
      expect((await anonymous.create(aPurchase(), pointing)).statusCode).toBe(403);
      expect((await anonymous.get(purchase.purchaseId, pointing)).statusCode).toBe(403);
      expect((await anonymous.remove(purchase.purchaseId, pointing)).statusCode).toBe(403);
      expect(await stored(victim, purchase.purchaseId)).toEqual(purchase);
    },
  );
});

describe("the caller's role", () => {
  check(
    "a role the API does not know counts as a viewer (fail closed)",
    {
      hint: "a role that is not one of ROLES must give no more than the least privileged role: viewer",
      todo: "purchases-handler.ts, TODO 1",
    },
    () => {
      for (const role of ["superuser", "Admin", ""]) {
        const authorizer = { ...authorizerContext({ tenantId: "tenant-a", userId: "user-1" }), role };
        const event = proxyEvent({ method: "GET", resource: "/purchases", authorizer });
        expect(callerFrom(event)?.role, JSON.stringify(role)).toBe("viewer");
      }
    },
  );
});

describe("the four routes", () => {
  check(
    "create never overwrites: a purchase whose key exists already is refused, the stored one untouched",
    {
      hint: "creating a purchase whose key exists must fail with ConditionalCheckFailedException, the stored item untouched",
      todo: "purchases-repository.ts, TODO 4",
    },
    async () => {
      const tenantId = newTenant();
      const purchase = await seeded(tenantId);
      const repository = new TenantPurchases(db, tableName, tenantId);
      const error = await repository.create({ ...purchase, item: "Overwritten" }).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (isTodoError(error)) throw error;
      expect(error, "the Put succeeded: it replaced an existing purchase").toBeInstanceOf(Error);
      expect((error as Error).name).toBe("ConditionalCheckFailedException");
      expect(await stored(tenantId, purchase.purchaseId)).toEqual(purchase);
    },
  );

  check(
    "POST /purchases: 201 with the stored item, under the caller's tenant's partition key",
    {
      hint: "POST must store the purchase in the caller's tenant's partition, exactly as it answers it",
      todo: "purchases-repository.ts, TODO 4",
    },
    async () => {
      const tenantId = newTenant();
      const member = callerOf(tenantId, "member");
      const response = await member.create(aPurchase({ item: "Grinder", amountCents: 12_999, currency: "EUR" }));
      expect(response.statusCode).toBe(201);
      expect(response.json).toMatchObject({
        item: "Grinder",
        amountCents: 12_999,
        currency: "EUR",
        tenantId,
        createdBy: member.context?.userId,
      });
      // Read the table directly: the item is in the caller's tenant's partition, exactly as returned.
      expect(await stored(tenantId, response.json.purchaseId)).toEqual(response.json);
    },
  );

  check(
    "GET /purchases: 200 with the caller's tenant's purchases only, newest first",
    {
      hint: "the list must hold the caller's tenant's purchases only, newest first, and no nextToken when there is no more",
      todo: "purchases-repository.ts, TODO 2",
    },
    async () => {
      const tenantId = newTenant();
      const member = callerOf(tenantId, "viewer");
      const mine: Purchase[] = [];
      for (const item of ["first", "second", "third"]) mine.push(await seeded(tenantId, { item }));
      await seeded(newTenant(), { item: "another tenant's" });

      const response = await member.list();
      expect(response.statusCode).toBe(200);
      expect(response.json.purchases.map((p: Purchase) => p.item)).toEqual(["third", "second", "first"]);
      expect(response.json.purchases).toEqual([...mine].reverse());
      expect(response.json.nextToken).toBeUndefined();
    },
  );

  check(
    "GET /purchases/{purchaseId}: 200 with the purchase for any role of the tenant, 404 for an unknown id",
    {
      hint: "get must find the tenant's purchase by its id for any role, and nothing for an id the tenant does not have",
      todo: "purchases-repository.ts, TODO 3",
    },
    async () => {
      const tenantId = newTenant();
      const purchase = await seeded(tenantId);
      for (const role of ["viewer", "member", "admin"] as const) {
        const response = await callerOf(tenantId, role).get(purchase.purchaseId);
        expect(response.statusCode, role).toBe(200);
        expect(response.json).toEqual(purchase);
      }
      expect((await callerOf(tenantId).get("01ARZ3NDEKTSV4RRFFQ69G5FAV")).statusCode).toBe(404);
    },
  );

  check(
    "list and get are strongly consistent reads, so a purchase is readable right after its POST on AWS too",
    {
      hint: "both reads, the list (TODO 2) and the get (TODO 3), must ask DynamoDB for a strongly consistent read",
      todo: "purchases-repository.ts, TODO 2",
    },
    async () => {
      const spiedDb = newDocumentClient();
      const send = vi.spyOn(spiedDb, "send");
      try {
        const tenantId = newTenant();
        const purchase = await seeded(tenantId);
        const viewer = callerOf(tenantId, "viewer", handlerOver(spiedDb));
        expect((await viewer.list()).statusCode).toBe(200);
        expect((await viewer.get(purchase.purchaseId)).statusCode).toBe(200);
        const reads = send.mock.calls.map(
          ([command]) => command as { constructor: { name: string }; input: { ConsistentRead?: boolean } },
        );
        expect(reads.map((r) => r.constructor.name)).toEqual(["QueryCommand", "GetCommand"]);
        for (const read of reads)
          expect(read.input.ConsistentRead, `${read.constructor.name} without ConsistentRead: true`).toBe(true);
      } finally {
        send.mockRestore();
      }
    },
  );

  check(
    "DELETE /purchases/{purchaseId}: 204, then 404 on GET and on a second DELETE; the item is gone from the table",
    {
      hint: "DELETE must remove the item and answer 204 once; an id that is no longer there must then be a 404",
      todo: "purchases-repository.ts, TODO 5",
    },
    async () => {
      const tenantId = newTenant();
      const admin = callerOf(tenantId, "admin");
      const purchase = await seeded(tenantId);
      const response = await admin.remove(purchase.purchaseId);
      expect(response.statusCode).toBe(204);
      expect(response.body).toBe("");
      expect(await stored(tenantId, purchase.purchaseId)).toBeUndefined();
      expect((await admin.get(purchase.purchaseId)).statusCode).toBe(404);
      expect((await admin.remove(purchase.purchaseId)).statusCode).toBe(404);
    },
  );

  check(
    "a bad body is a 400 that names the field, and nothing is stored",
    {
      hint: "validation is given (purchase.ts); it runs once the handler knows its caller (callerFrom)",
      todo: "purchases-handler.ts, TODO 1",
    },
    async () => {
      const tenantId = newTenant();
      const member = callerOf(tenantId);
      const cases: [unknown, string][] = [
        ['{"item": "x",', "body"],
        [aPurchase({ item: "" }), "item"],
        [aPurchase({ amountCents: 1.5 }), "amountCents"],
        [aPurchase({ amountCents: "12" }), "amountCents"],
        [aPurchase({ currency: "usd" }), "currency"],
        [aPurchase({ createdBy: "someone-else" }), "createdBy"],
      ];
      for (const [body, field] of cases) {
        const response = await member.create(body);
        expect(response.statusCode, JSON.stringify(body)).toBe(400);
        expect(response.json.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect(await partition(tenantId)).toEqual([]);
    },
  );

  check(
    "pagination: limit 2 over 5 purchases returns every one exactly once, newest first; another tenant's nextToken pages the caller's own partition",
    {
      hint: "pages of `limit` must hold every purchase exactly once, newest first; a token says where to continue, never whose partition",
      todo: "purchases-repository.ts, TODO 2",
    },
    async () => {
      const otherTenant = newTenant();
      // Older than every purchase of the caller, so its id sorts after theirs: where their nextToken points.
      const theirs = await seeded(otherTenant, { item: "another tenant's, on no page" });
      const tenantId = newTenant();
      const member = callerOf(tenantId);
      const createdIds: string[] = [];
      for (let i = 0; i < 5; i += 1) createdIds.push((await seeded(tenantId, { item: `item-${i}` })).purchaseId);

      const seen: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const response = await member.list(nextToken ? { limit: "2", nextToken } : { limit: "2" });
        expect(response.statusCode).toBe(200);
        expect(response.json.purchases.length).toBeLessThanOrEqual(2);
        seen.push(...ids(response.json.purchases));
        nextToken = response.json.nextToken;
        pages += 1;
      } while (nextToken && pages < 10);

      expect(nextToken, "the last page has no nextToken").toBeUndefined();
      expect(seen).toEqual([...createdIds].reverse());

      // A token only says "after this id": the other tenant's Query stays in their own partition.
      const tokenOfCaller = (await member.list({ limit: "1" })).json.nextToken;
      expect(tokenOfCaller, "a first page of 1 of 5 has a nextToken").toBeTypeOf("string");
      const paged = await callerOf(otherTenant).list({ nextToken: tokenOfCaller });
      expect(paged.statusCode).toBe(200);
      expect(paged.json.purchases).toEqual([theirs]);
    },
  );
});

describe("tenant isolation", () => {
  check(
    "a tenantId in the body is a 400; in the path, query or headers it changes nothing",
    {
      hint: "the tenant is the authorizer's: a tenantId in the body is a 400, one in the path, query or headers changes nothing (and POST needs TODO 4)",
      todo: "purchases-handler.ts, TODO 1",
    },
    async () => {
      const mine = newTenant();
      const other = newTenant();
      const member = callerOf(mine);

      const inBody = await member.create(aPurchase({ tenantId: other }));
      expect(inBody.statusCode).toBe(400);
      expect(inBody.json.errors.map((e: { field: string }) => e.field)).toContain("tenantId");

      const pointing = {
        headers: { "X-Tenant-Id": other },
        query: { tenantId: other },
        pathParameters: { tenantId: other },
      };
      const response = await member.create(aPurchase(), pointing);
      expect(response.statusCode).toBe(201);
      expect(response.json.tenantId).toBe(mine);
      expect(ids(await partition(mine))).toEqual([response.json.purchaseId]);
      expect(await partition(other)).toEqual([]);

      const theirs = await seeded(other);
      const listed = await member.list(
        { tenantId: other },
        { headers: { "X-Tenant-Id": other }, pathParameters: { tenantId: other } },
      );
      expect(ids(listed.json.purchases)).toEqual([response.json.purchaseId]);
      expect((await member.get(theirs.purchaseId, pointing)).statusCode).toBe(404);
    },
  );

  check(
    "another tenant's purchase id: 404 on GET and on DELETE (never 403), and the item survives",
    {
      hint: "another tenant's id must be as absent as one that never existed, on GET (TODO 3) and DELETE (TODO 5): 404, the item untouched",
      todo: "purchases-repository.ts, TODO 3",
    },
    async () => {
      const ownerTenant = newTenant();
      const owner = callerOf(ownerTenant, "admin");
      const purchase = await seeded(ownerTenant);
      const intruder = callerOf(newTenant(), "admin");
      const pointing = { headers: { "X-Tenant-Id": purchase.tenantId }, query: { tenantId: purchase.tenantId } };

      const read = await intruder.get(purchase.purchaseId, pointing);
      expect(read.statusCode).toBe(404);
      expect(read.body).not.toContain(purchase.item);
      expect(read.body).not.toContain(purchase.purchaseId);
      expect((await intruder.remove(purchase.purchaseId, pointing)).statusCode).toBe(404);

      expect(await stored(purchase.tenantId, purchase.purchaseId)).toEqual(purchase);
      expect((await owner.get(purchase.purchaseId)).json).toEqual(purchase);
    },
  );

  check(
    "the handler never Scans: every route is a Query, Get, Put or Delete on the caller's partition key",
    {
      hint: "every command must name the caller's partition key: no Scan, no filter standing in for the key",
      todo: "purchases-repository.ts, TODO 2",
    },
    async () => {
      const spiedDb = newDocumentClient();
      const send = vi.spyOn(spiedDb, "send");
      const spied = handlerOver(spiedDb);
      const tenantId = newTenant();
      const other = newTenant();
      try {
        const admin = callerOf(tenantId, "admin", spied);
        const purchaseIds: string[] = [];
        for (let i = 0; i < 3; i += 1)
          purchaseIds.push((await created(admin, aPurchase({ item: `scan-check-${i}` }))).purchaseId);
        const firstPage = await admin.list({ limit: "1" });
        expect((await admin.list({ limit: "1", nextToken: firstPage.json.nextToken })).statusCode).toBe(200);
        expect((await admin.get(purchaseIds[0]!)).statusCode).toBe(200);
        expect((await admin.remove(purchaseIds[0]!)).statusCode).toBe(204);
        const fromOtherTenant = send.mock.calls.length;
        expect((await callerOf(other, "admin", spied).get(purchaseIds[1]!)).statusCode).toBe(404);
        expect((await callerOf(other, "admin", spied).remove(purchaseIds[1]!)).statusCode).toBe(404);

        const commands = send.mock.calls.map(
          ([command]) => command as { constructor: { name: string }; input: Record<string, any> },
        );
        const names = commands.map((c) => c.constructor.name);
        expect(names).not.toContain("ScanCommand");
        expect(new Set(names)).toEqual(new Set(["PutCommand", "QueryCommand", "GetCommand", "DeleteCommand"]));
        // Every command names exactly one tenant's partition: the caller's (or the caller's
        // `<tenantId>#deleted`, where DELETE leaves its tombstone: given code, idempotent-create.ts).
        const keyTenants = commands.map(({ constructor: { name }, input }) => {
          if (name === "PutCommand") return String(input.Item?.tenantId).replace(/#deleted$/, "");
          if (name === "QueryCommand") {
            expect(input.FilterExpression, "a Query needs no filter: the key condition is the tenant").toBeUndefined();
            if (input.ExclusiveStartKey) expect(input.ExclusiveStartKey.tenantId).toBe(tenantId);
            return Object.values(input.ExpressionAttributeValues ?? {}).find((value) => value === tenantId);
          }
          return input.Key?.tenantId;
        });
        expect(keyTenants).toEqual(names.map((_, i) => (i < fromOtherTenant ? tenantId : other)));
      } finally {
        send.mockRestore();
      }
    },
  );
});
