/**
 * Flow step 7: the purchases table, read and written for one tenant at a time.
 * Every call names the tenant's partition key: Query, never Scan.
 *
 * Reads are strongly consistent (`ConsistentRead: true`, at twice the read
 * units of an eventually consistent read): a client that POSTs and then reads
 * at once must find its purchase, on AWS as on the emulator. That works on the
 * table's own key; a GSI could only be read eventually consistent.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import type { Purchase } from "./purchase.ts";
import { todo } from "../../shared/checkpoint/todo.ts";

export interface PurchasePage {
  purchases: Purchase[];
  /** The last purchase id of this page, when there may be more. */
  lastPurchaseId?: string;
}

export class TenantPurchases {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly tenantId: string,
  ) {}

  /** Newest first: purchase ids are ULIDs, so the sort key orders by time. */
  async list(limit: number, after?: string): Promise<PurchasePage> {
    // TODO 2: One page of this tenant's purchases: newest first, at most `limit`, continuing after
    // `after` when it is given, and the last id when DynamoDB says there may be more. It reads this
    // tenant's items and never anyone else's: not the whole table with a filter, which one forgotten
    // filter turns into a leak of every tenant. A purchase POSTed a moment ago must be on it, on AWS
    // too, where a read is eventually consistent unless it asks otherwise.
    return todo("2: one page of this tenant's purchases, newest first");
  }

  async get(purchaseId: string): Promise<Purchase | undefined> {
    // TODO 3: This tenant's purchase with that id, or undefined. Another tenant's id must be exactly as
    // absent as an id that never existed (the handler answers 404 for both, and reveals nothing), and a
    // purchase created a moment ago must be found.
    return todo("3: this tenant's purchase with that id, if there is one");
  }

  async create(purchase: Purchase): Promise<void> {
    if (purchase.tenantId !== this.tenantId) throw new Error("A purchase must belong to the caller's tenant.");
    // TODO 4: Store the purchase. It must never replace an item that has the same key: a collision must
    // fail loudly, with the stored purchase untouched, rather than overwrite it.
    return todo("4: store the purchase, never over an existing one");
  }

  /** False when the tenant has no purchase with that id (another tenant's included). */
  async delete(purchaseId: string): Promise<boolean> {
    // TODO 5: Yours to decide: how a delete tells "deleted" from "there was nothing to delete". DynamoDB
    // deletes a missing item without complaint, yet the handler must answer 404, never a 204 that claims
    // success nor a 403 that tells the caller the id exists elsewhere, for an id this tenant does not
    // have: never created, already deleted, or another tenant's. Any other failure must still surface.
    return todo("5: delete this tenant's purchase, and say whether there was one");
  }
}
