/**
 * Row 4: `GET /purchases` (limit 50) for a tenant with 50 purchases, through
 * the real handler on dynalite, in a table holding 100 000 items of other
 * tenants, against the same call in a table holding 100 items. A Query on the
 * tenant's partition reads the tenant's items only, whatever the table holds;
 * a Scan would read them all.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createPurchasesTable } from "../../shared/local-stack/purchases-table-local.ts";
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { monotonicFactory } from "ulid";
import { startDynamoDbEmulator } from "../../shared/local-stack/dynamodb-emulator.ts";
import { LOCAL_CREDENTIALS } from "../../shared/local-stack/local-credentials.ts";
import { authorizerContext, proxyEvent } from "../../shared/test-helpers/proxy-events.ts";
import {
  createPurchasesHandler,
  type ProxyHandler,
} from "../../solutions/05-tenant-scoped-lambda/purchases-handler.ts";
import type { Purchase } from "../../solutions/05-tenant-scoped-lambda/purchase.ts";
import type { Progress } from "./progress.ts";
import type { BenchRow } from "./report.ts";
import { baselineFirst, median, nowMs, quantile } from "./stats.ts";

export interface ListLatencyOptions {
  /** Items of other tenants in the big table (100 000 in the full run). */
  otherItems: number;
  /** Timed calls per table, alternating between the tables. */
  calls: number;
  warmupCalls: number;
  progress: Progress;
}

/** The measured tenant's purchases, and the page size asked for. */
export const TENANT_ITEMS = 50;
/** Items of other tenants in the small table. */
const SMALL_TABLE_OTHERS = 50;
const ITEMS_PER_OTHER_TENANT = 100;
const BATCH_SIZE = 25;
const WRITE_CONCURRENCY = 4;
const MEASURED_TENANT = "tenant-measured";

export async function benchListLatency(options: ListLatencyOptions): Promise<BenchRow> {
  const { otherItems, calls, warmupCalls, progress } = options;
  progress.step(
    `GET /purchases: seeding a table of ${otherItems.toLocaleString("en-US")} other tenants' items and one of ${SMALL_TABLE_OTHERS}, then ${calls} calls each`,
  );
  const dynamodb = await startDynamoDbEmulator();
  const client = new DynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: "us-east-1",
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 10,
  });
  const db = DynamoDBDocumentClient.from(client);
  try {
    const large = "bench-purchases-large";
    const small = "bench-purchases-small";
    await Promise.all([createPurchasesTable(client, large), createPurchasesTable(client, small)]);

    const items = purchaseFactory();
    await seed(
      db,
      small,
      [...items(MEASURED_TENANT, TENANT_ITEMS), ...otherTenants(items, SMALL_TABLE_OTHERS, 10)],
      () => {},
    );
    const total = otherItems + TENANT_ITEMS;
    await seed(
      db,
      large,
      [...items(MEASURED_TENANT, TENANT_ITEMS), ...otherTenants(items, otherItems, ITEMS_PER_OTHER_TENANT)],
      (written) =>
        progress.update(`seeding ${written.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} items`),
    );
    progress.done();

    const handlers = {
      small: createPurchasesHandler({ db, tableName: small, logError: logAndThrow }),
      large: createPurchasesHandler({ db, tableName: large, logError: logAndThrow }),
    };
    for (let i = 0; i < warmupCalls; i++) {
      await timedList(handlers.small);
      await timedList(handlers.large);
    }
    const smallMs: number[] = [];
    const largeMs: number[] = [];
    for (let call = 0; call < calls; call++) {
      if (baselineFirst(call)) {
        smallMs.push(await timedList(handlers.small));
        largeMs.push(await timedList(handlers.large));
      } else {
        largeMs.push(await timedList(handlers.large));
        smallMs.push(await timedList(handlers.small));
      }
      if (call % 20 === 19) progress.update(`call ${call + 1} / ${calls}`);
    }
    progress.done();

    const p50Small = median(smallMs);
    const p50Large = median(largeMs);
    const ratio = p50Large / p50Small;
    return {
      id: "list-latency",
      figure: `GET /purchases p50, tenant with ${TENANT_ITEMS} items`,
      baseline: {
        label: `${(TENANT_ITEMS + SMALL_TABLE_OTHERS).toLocaleString("en-US")}-item table`,
        value: p50Small,
        unit: "ms",
      },
      subject: { label: `${total.toLocaleString("en-US")}-item table`, value: p50Large, unit: "ms" },
      ratio,
      target: "≤ 1.5× (Query, not Scan)",
      met: ratio <= 1.5,
      note:
        "The real purchases handler called directly with proxy events (limit 50), DynamoDB on dynalite in this process; " +
        `${calls} calls per table, alternating. p90: ${quantile(smallMs, 0.9).toFixed(2)} ms vs ${quantile(largeMs, 0.9).toFixed(2)} ms. ` +
        `The big table's other items are spread over ${Math.ceil(otherItems / ITEMS_PER_OTHER_TENANT).toLocaleString("en-US")} tenants.`,
      details: {
        calls,
        warmupCalls,
        largeTableItems: total,
        smallTableItems: TENANT_ITEMS + SMALL_TABLE_OTHERS,
        p90SmallMs: quantile(smallMs, 0.9),
        p90LargeMs: quantile(largeMs, 0.9),
        medianPairedRatio: median(largeMs.map((ms, i) => ms / (smallMs[i] as number))),
      },
    };
  } finally {
    client.destroy();
    await dynamodb.stop();
  }
}

/** Purchases as the handler writes them: ULID ids, a creator, a time. */
function purchaseFactory() {
  const nextId = monotonicFactory();
  const started = Date.now() - 86_400_000;
  let n = 0;
  return (tenantId: string, count: number): Purchase[] =>
    Array.from({ length: count }, () => {
      n += 1;
      const at = started + n;
      return {
        tenantId,
        purchaseId: nextId(at),
        item: `Bench item ${n}`,
        amountCents: 100 + (n % 10_000),
        currency: "USD",
        createdBy: `user-${tenantId}`,
        createdAt: new Date(at).toISOString(),
      };
    });
}

function otherTenants(items: ReturnType<typeof purchaseFactory>, count: number, perTenant: number): Purchase[] {
  const all: Purchase[] = [];
  for (let tenant = 0; all.length < count; tenant++) {
    all.push(...items(`tenant-other-${String(tenant).padStart(5, "0")}`, Math.min(perTenant, count - all.length)));
  }
  return all;
}

/** BatchWriteItem, 25 items a call, a few calls in flight; unprocessed items are sent again. */
async function seed(
  db: DynamoDBDocumentClient,
  tableName: string,
  items: Purchase[],
  onProgress: (written: number) => void,
): Promise<void> {
  let next = 0;
  let written = 0;
  const writer = async () => {
    while (next < items.length) {
      const batch = items.slice(next, next + BATCH_SIZE);
      next += BATCH_SIZE;
      let requests: { PutRequest: { Item: Record<string, unknown> } }[] = batch.map((item) => ({
        PutRequest: { Item: { ...item } },
      }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 10) throw new Error(`seeding ${tableName}: items still unprocessed after ${attempt} attempts`);
        const { UnprocessedItems } = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
        if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
      }
      written += batch.length;
      onProgress(written);
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, writer));
}

const LIST_EVENT = proxyEvent({
  method: "GET",
  resource: "/purchases",
  query: { limit: String(TENANT_ITEMS) },
  authorizer: authorizerContext({ tenantId: MEASURED_TENANT, role: "member" }),
});

/** Milliseconds for one `GET /purchases?limit=50` through the handler; checks the page is the tenant's 50. */
async function timedList(handler: ProxyHandler): Promise<number> {
  const started = nowMs();
  const response = await handler(LIST_EVENT);
  const elapsed = nowMs() - started;
  if (response.statusCode !== 200) throw new Error(`GET /purchases answered ${response.statusCode}: ${response.body}`);
  const { purchases } = JSON.parse(response.body) as { purchases: Purchase[] };
  if (purchases.length !== TENANT_ITEMS || purchases.some((p) => p.tenantId !== MEASURED_TENANT)) {
    throw new Error(`GET /purchases returned ${purchases.length} items, not the tenant's ${TENANT_ITEMS}`);
  }
  return elapsed;
}

function logAndThrow(message: string, error: unknown): never {
  throw new Error(`${message}: ${String(error)}`);
}
