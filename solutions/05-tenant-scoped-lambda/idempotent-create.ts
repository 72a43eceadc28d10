/**
 * `POST /purchases` with an `Idempotency-Key` header: a client that retries
 * (a timeout, a lost response) gets the first result back and nothing is
 * stored twice. Conditional writes only, no transactions (dynalite has none).
 *
 * A record per key lives beside the tenant's purchases, in a partition of its
 * own (`<tenantId>#idempotency`), so listing purchases never meets one; the
 * table's TTL removes it after a day. Its sort key is `<userId>#<key>`: a key
 * belongs to the user who sent it, so another member of the tenant can neither
 * learn it (by a 422) nor block it.
 *
 * A DELETE must win over a late store: a retry of a first attempt that died
 * after storing its purchase, or a slow first attempt, would otherwise put a
 * deleted purchase back. So DELETE first leaves a tombstone (partition
 * `<tenantId>#deleted`), then deletes; every idempotent store reads the
 * tombstone after it writes, and takes the purchase out again if there is one.
 * Whichever order the two run in, the purchase ends deleted.
 */
import { createHash } from "node:crypto";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { FieldError, NewPurchase, Parsed, Purchase } from "./purchase.ts";
import type { TenantPurchases } from "./purchases-repository.ts";

export const IDEMPOTENCY_HEADER = "Idempotency-Key";
const RECORD_TTL_SECONDS = 24 * 60 * 60;

/** Written before a purchase is deleted; kept as long as a create of it may still be retried. */
export async function leaveTombstone(
  db: DynamoDBDocumentClient,
  tableName: string,
  tenantId: string,
  purchaseId: string,
  now: Date,
) {
  const expiresAt = Math.floor(now.getTime() / 1000) + RECORD_TTL_SECONDS;
  await db.send(new PutCommand({ TableName: tableName, Item: { ...tombstoneKey(tenantId, purchaseId), expiresAt } }));
}

const tombstoneKey = (tenantId: string, purchaseId: string) => ({ tenantId: `${tenantId}#deleted`, purchaseId });

async function wasDeleted(
  db: DynamoDBDocumentClient,
  tableName: string,
  tenantId: string,
  purchaseId: string,
): Promise<boolean> {
  const { Item } = await db.send(
    new GetCommand({ TableName: tableName, Key: tombstoneKey(tenantId, purchaseId), ConsistentRead: true }),
  );
  return Item !== undefined;
}

export type CreateOutcome =
  { kind: "created" | "replayed"; purchase: Purchase } | { kind: "conflict"; message: string };

interface IdempotencyRecord {
  tenantId: string;
  purchaseId: string;
  fingerprint: string;
  purchase: Purchase;
  state: "pending" | "done";
  expiresAt: number;
}

/** The key from the headers (any case), if the client sent one; 1 to 255 visible ASCII characters. */
export function parseIdempotencyKey(headers: Record<string, string | undefined> | null): Parsed<string | undefined> {
  const entry = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === IDEMPOTENCY_HEADER.toLowerCase());
  const key = entry?.[1];
  if (key === undefined) return { ok: true, value: undefined };
  if (/^[\x21-\x7e]{1,255}$/.test(key)) return { ok: true, value: key };
  const error: FieldError = { field: IDEMPOTENCY_HEADER, message: "must be 1 to 255 visible ASCII characters" };
  return { ok: false, errors: [error] };
}

/** Same caller, same body: the same request. A key reused for anything else is a conflict. */
export function requestFingerprint(userId: string, body: NewPurchase): string {
  return createHash("sha256").update(JSON.stringify({ userId, body })).digest("base64url");
}

export async function createOnce(
  db: DynamoDBDocumentClient,
  tableName: string,
  purchases: TenantPurchases,
  purchase: Purchase,
  request: { key: string; fingerprint: string; now: Date },
): Promise<CreateOutcome> {
  // The purchase is the caller's: its createdBy is the user the key belongs to.
  const recordKey = {
    tenantId: `${purchase.tenantId}#idempotency`,
    purchaseId: `${purchase.createdBy}#${request.key}`,
  };
  const record: IdempotencyRecord = {
    ...recordKey,
    fingerprint: request.fingerprint,
    purchase,
    state: "pending",
    expiresAt: Math.floor(request.now.getTime() / 1000) + RECORD_TTL_SECONDS,
  };
  const markDone = (done: IdempotencyRecord) =>
    db.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...done, state: "done" },
        ConditionExpression: "fingerprint = :fingerprint",
        ExpressionAttributeValues: { ":fingerprint": done.fingerprint },
      }),
    );
  // Stores the purchase; a copy already there (the first attempt got this far) is fine.
  const store = async (item: Purchase) => {
    try {
      await purchases.create(item);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // Read after the write: a DELETE that came first left its tombstone, and wins.
    if (await wasDeleted(db, tableName, item.tenantId, item.purchaseId)) await purchases.delete(item.purchaseId);
  };

  try {
    // A new key, or one whose record has expired (DynamoDB's TTL deletes it some time later, not at once).
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: record,
        ConditionExpression: "attribute_not_exists(purchaseId) OR expiresAt < :now",
        ExpressionAttributeValues: { ":now": Math.floor(request.now.getTime() / 1000) },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: recordKey, ConsistentRead: true }));
    const first = Item as IdempotencyRecord | undefined;
    // Deleted between the two calls: this is a new request after all.
    if (!first) return createOnce(db, tableName, purchases, purchase, request);
    if (first.fingerprint !== request.fingerprint) {
      return {
        kind: "conflict",
        message: `${IDEMPOTENCY_HEADER} ${request.key} was already used for a different request`,
      };
    }
    if (first.state === "pending") {
      // The first attempt is in flight, or stopped before it finished: finish it with its own purchase.
      await store(first.purchase);
      await markDone(first);
    }
    return { kind: "replayed", purchase: first.purchase };
  }
  await store(purchase);
  await markDone(record);
  return { kind: "created", purchase };
}
