/**
 * The purchases table's keys: the tenant is the partition key, so every read
 * names one tenant's partition, and a ULID sort key orders it by time. The CDK
 * construct and the local stack both create the table from this.
 */
export const PURCHASES_TABLE_KEYS = {
  partitionKey: "tenantId",
  sortKey: "purchaseId",
} as const;
