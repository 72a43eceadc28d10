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
    const { Items = [], LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "tenantId = :tenantId",
        ExpressionAttributeValues: { ":tenantId": this.tenantId },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: limit,
        ExclusiveStartKey: after ? { tenantId: this.tenantId, purchaseId: after } : undefined,
      }),
    );
    return { purchases: Items as Purchase[], lastPurchaseId: LastEvaluatedKey?.purchaseId as string | undefined };
  }

  async get(purchaseId: string): Promise<Purchase | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { tenantId: this.tenantId, purchaseId }, ConsistentRead: true }),
    );
    return Item as Purchase | undefined;
  }

  async create(purchase: Purchase): Promise<void> {
    if (purchase.tenantId !== this.tenantId) throw new Error("A purchase must belong to the caller's tenant.");
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: purchase,
        // Never overwrite: a ULID collision must fail loudly, not replace a purchase.
        ConditionExpression: "attribute_not_exists(purchaseId)",
      }),
    );
  }

  /** False when the tenant has no purchase with that id (another tenant's included). */
  async delete(purchaseId: string): Promise<boolean> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { tenantId: this.tenantId, purchaseId },
          ConditionExpression: "attribute_exists(purchaseId)",
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
