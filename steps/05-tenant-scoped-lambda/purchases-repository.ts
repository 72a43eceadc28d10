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
    // TODO 2: a QueryCommand on this tenant's partition (KeyConditionExpression "tenantId = :tenantId"),
    // newest first (ScanIndexForward: false), at most `limit` items, continuing after `after` when given
    // (ExclusiveStartKey: the full key { tenantId, purchaseId }), a strongly consistent read (ConsistentRead: true).
    // Return the Items and LastEvaluatedKey's purchaseId.
    return todo("2: Query this tenant's partition, newest first, one page of `limit` items after `after`");
  }

  async get(purchaseId: string): Promise<Purchase | undefined> {
    // TODO 3: a GetCommand with the full key { tenantId: this.tenantId, purchaseId }: another tenant's id is
    // simply not in this partition. Strongly consistent (ConsistentRead: true). Return the Item (undefined when there is none).
    return todo("3: Get the purchase by its key in this tenant's partition");
  }

  async create(purchase: Purchase): Promise<void> {
    if (purchase.tenantId !== this.tenantId) throw new Error("A purchase must belong to the caller's tenant.");
    // TODO 4: a PutCommand of the purchase that never overwrites an existing item:
    // ConditionExpression "attribute_not_exists(purchaseId)".
    return todo("4: Put the purchase, on condition that no item with its key exists");
  }

  /** False when the tenant has no purchase with that id (another tenant's included). */
  async delete(purchaseId: string): Promise<boolean> {
    // TODO 5: a DeleteCommand on the key { tenantId: this.tenantId, purchaseId } with ConditionExpression
    // "attribute_exists(purchaseId)", so a missing item fails; return true, or false when it throws
    // ConditionalCheckFailedException (rethrow anything else).
    return todo("5: Delete the purchase from this tenant's partition, on condition that it exists");
  }
}
