import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { DEMO_USERS } from "./demo-cast.ts";
import { deleteTenantPurchases, demoEmails, demoTenants } from "./demo-cleanup.ts";

describe("what cleanup removes", () => {
  it("the demo's users and tenants, from demo-cast.ts", () => {
    expect(demoEmails()).toEqual(Object.values(DEMO_USERS).map((user) => user.email));
    expect(demoTenants()).toEqual(["acme", "globex"]);
  });
});

describe("deleteTenantPurchases", () => {
  /** A table of one tenant's keys that pages by 30 and leaves some deletes unprocessed at first. */
  function fakeTable(count: number, unprocessedOnce: number) {
    const items = Array.from({ length: count }, (_, i) => ({
      tenantId: "acme",
      purchaseId: String(i).padStart(4, "0"),
    }));
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    let toRefuse = unprocessedOnce;
    const db = {
      async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
        sent.push({ name: command.constructor.name, input: command.input });
        if (command.constructor.name === "QueryCommand") {
          const after = (command.input.ExclusiveStartKey as { purchaseId?: string } | undefined)?.purchaseId ?? "";
          const page = items.filter((item) => item.purchaseId > after).slice(0, 30);
          return { Items: page, LastEvaluatedKey: page.length === 30 ? page.at(-1) : undefined };
        }
        const requests = (
          command.input.RequestItems as Record<string, { DeleteRequest: { Key: { purchaseId: string } } }[]>
        ).table!;
        const refused = requests.slice(0, toRefuse);
        toRefuse = 0;
        for (const request of requests.slice(refused.length)) {
          items.splice(
            items.findIndex((item) => item.purchaseId === request.DeleteRequest.Key.purchaseId),
            1,
          );
        }
        return { UnprocessedItems: refused.length ? { table: refused } : {} };
      },
    };
    return { db: db as unknown as DynamoDBDocumentClient, sent, items };
  }

  it("queries the tenant's partition page by page, deletes in batches of 25, retries what was unprocessed", async () => {
    const { db, sent, items } = fakeTable(70, 3);
    expect(await deleteTenantPurchases(db, "table", "acme", async () => {})).toBe(70);
    expect(items).toEqual([]);
    const names = sent.map((call) => call.name);
    expect(names).not.toContain("ScanCommand");
    expect(names.filter((name) => name === "QueryCommand").length).toBeGreaterThanOrEqual(3);
    const batches = sent
      .filter((call) => call.name === "BatchWriteCommand")
      .map((call) => (call.input.RequestItems as Record<string, unknown[]>).table!.length);
    expect(Math.max(...batches)).toBeLessThanOrEqual(25);
    expect(batches).toContain(3); // the retry of the 3 unprocessed deletes
    const query = sent.find((call) => call.name === "QueryCommand")!.input;
    expect(query).toMatchObject({
      TableName: "table",
      KeyConditionExpression: "#pk = :tenant",
      ExpressionAttributeValues: { ":tenant": "acme" },
    });
  });

  it("an empty partition: nothing to delete, no write", async () => {
    const { db, sent } = fakeTable(0, 0);
    expect(await deleteTenantPurchases(db, "table", "acme")).toBe(0);
    expect(sent.map((call) => call.name)).toEqual(["QueryCommand"]);
  });
});
