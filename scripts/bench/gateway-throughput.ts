/**
 * Rows 5 and 6: requests per second through the local API Gateway with the
 * authorizer cache on (TTL 300 s) against the same gateway with it off (TTL 0).
 *
 * - Row 5, the whole stack: `GET /purchases` with one signed-in user's token,
 *   the real authorizer and the real handler on dynalite.
 * - Row 6, the cache alone: the same gateway and authorizer in front of a
 *   function that does nothing, so the authorizer's share is all there is.
 *
 * Loopback only, a fixed concurrency over a fixed number of requests per
 * round, the two gateways taking turns to go first.
 */
import { Agent, request } from "node:http";
import { ROUTES, STAGE_NAME } from "../../shared/runtime/purchases-api.ts";
import {
  startLocalApiGateway,
  type LocalApiGateway,
  type LocalApiGatewayStats,
} from "../../shared/local-stack/api-gateway/index.ts";
import { startLocalStack, type LocalStack } from "../../shared/local-stack/local-stack.ts";
import { startJwksServer } from "../../shared/test-helpers/jwks-server.ts";
import { createSigningKey } from "../../shared/test-helpers/token-factory.ts";
import { aPurchase, WorkshopApi } from "../../shared/test-helpers/workshop-api.ts";
import { createAuthorizer } from "../../solutions/03-authorizer/authorizer.ts";
import { BENCH_CLIENT_ID, BENCH_USER_POOL_ID, benchIdToken } from "./fixtures.ts";
import type { Progress } from "./progress.ts";
import type { BenchRow } from "./report.ts";
import { baselineFirst, median, nowMs } from "./stats.ts";

export interface ThroughputOptions {
  /** Requests per gateway per round. */
  requests: number;
  rounds: number;
  /** Requests in flight at once. */
  concurrency: number;
  progress: Progress;
}

export const CACHE_ON_TTL_SECONDS = 300;
export const CACHE_TARGET_RATIO = 3;
/**
 * No throttle: the bench measures what the gateway itself costs per request,
 * which the deployed stage's limit (50 req/s) would hide behind 429s.
 */
const UNTHROTTLED = { rateLimit: Number.POSITIVE_INFINITY, burstLimit: Number.POSITIVE_INFINITY };
/** No single request may take longer than this: a stuck gateway fails the bench instead of hanging it. */
const REQUEST_TIMEOUT_MS = 15_000;

interface Target {
  url: string;
  token: string;
  stats: LocalApiGatewayStats;
}

interface Comparison {
  offRps: number;
  onRps: number;
  ratio: number;
  medianPairedRatio: number;
  /** Main-thread milliseconds per request, from the medians (1000 / req/s): what the cache saves. */
  savedMsPerRequest: number;
  msPerRequestOff: number;
  invocationsOn: number;
  invocationsOff: number;
  requestsEach: number;
}

/** Row 5: the local stack, cache on vs off, `GET /purchases`. */
export async function benchGatewayThroughput(options: ThroughputOptions): Promise<BenchRow> {
  const { requests, rounds, concurrency, progress } = options;
  progress.step(
    `Local gateway, GET /purchases: two local stacks (authorizer cache ${CACHE_ON_TTL_SECONDS} s and off), ${rounds} rounds of ${requests} requests, concurrency ${concurrency}`,
  );
  const started: LocalStack[] = [];
  const apis: WorkshopApi[] = [];
  try {
    // Both at once (each starts a Cognito emulator); whichever started is stopped below, even if the other failed.
    const [on, off] = await startedAll(
      [
        startLocalStack({ authorizerCacheTtlSeconds: CACHE_ON_TTL_SECONDS, throttle: UNTHROTTLED }),
        startLocalStack({ authorizerCacheTtlSeconds: 0, throttle: UNTHROTTLED }),
      ],
      started,
    );
    const targets = await Promise.all(
      [on, off].map(async (stack): Promise<Target> => {
        const api = new WorkshopApi(stack.outputs);
        apis.push(api);
        const user = await api.user(WorkshopApi.newTenantId("bench"), "member");
        // A few purchases, so the list is not empty.
        for (let i = 0; i < 5; i++) {
          const created = await api.call("POST", "/purchases", {
            token: user.idToken,
            body: aPurchase({ item: `Bench purchase ${i + 1}` }),
          });
          if (created.status !== 201) throw new Error(`POST /purchases answered ${created.status}: ${created.text}`);
        }
        return { url: `${api.apiUrl}/purchases`, token: user.idToken, stats: stack.gatewayStats };
      }),
    );
    const result = await compare(targets[0] as Target, targets[1] as Target, options);
    const met = result.ratio >= CACHE_TARGET_RATIO;
    return {
      id: "gateway-throughput",
      figure: "local gateway GET /purchases, authorizer cache on",
      baseline: { label: "cache off", value: result.offRps, unit: "req/s" },
      subject: { label: "cache on", value: result.onRps, unit: "req/s" },
      ratio: result.ratio,
      target: `report; cache on ≥ ${CACHE_TARGET_RATIO}×`,
      met,
      note:
        `${invocations(result)} ${saving(result)} ` +
        (met
          ? ""
          : "Not met, and not faked: locally the authorizer is a function call in the gateway's process costing well under a " +
            "millisecond (rows 1 and 6), while every request's Query through the AWS SDK to dynalite costs milliseconds, cached or not. " +
            "In AWS the authorizer is a separate Lambda invocation costing tens of ms (hundreds on a cold start): that is what the cache saves. " +
            "Row 6 shows the cache on its own. ") +
        `Medians over ${rounds} rounds of ${requests} requests a side, concurrency ${concurrency}, loopback.`,
      details: { ...result, concurrency, rounds },
    };
  } finally {
    for (const api of apis) api.close();
    await Promise.all(started.map((stack) => stack.stop()));
  }
}

/** Row 6: the same gateway and authorizer before a function that does nothing: the cache's effect alone. */
export async function benchGatewayAuthorizerOnly(options: ThroughputOptions): Promise<BenchRow> {
  const { requests, rounds, concurrency, progress } = options;
  progress.step(
    `Local gateway, authorizer only: a function that does nothing, cache on vs off, ${rounds} rounds of ${requests} requests`,
  );
  const key = createSigningKey({ kid: "bench-gateway-kid" });
  const jwks = await startJwksServer([key.jwk]);
  const gateways: LocalApiGateway[] = [];
  try {
    const authorizer = await createAuthorizer({
      userPoolId: BENCH_USER_POOL_ID,
      clientId: BENCH_CLIENT_ID,
      jwksUrl: jwks.url,
    });
    const nothing = async () => ({ statusCode: 200, headers: { "Content-Type": "application/json" }, body: "{}" });
    const start = (authorizerCacheTtlSeconds: number) =>
      startLocalApiGateway({
        routes: ROUTES,
        // The bench calls GET /purchases only; sign-out and me are stubs.
        functions: { purchases: nothing, signOut: async () => ({ statusCode: 204, body: "" }), me: nothing },
        authorizer,
        region: "us-east-1",
        accountId: "123456789012",
        apiId: "bench",
        stage: STAGE_NAME,
        authorizerCacheTtlSeconds,
        throttle: UNTHROTTLED,
      });
    const [on, off] = await startedAll([start(CACHE_ON_TTL_SECONDS), start(0)], gateways);
    const token = benchIdToken(key);
    const result = await compare(
      { url: `${on.url}/purchases`, token, stats: on.stats },
      { url: `${off.url}/purchases`, token, stats: off.stats },
      options,
    );
    return {
      id: "gateway-authorizer-only",
      figure: "local gateway, no-op function, authorizer cache on",
      baseline: { label: "cache off", value: result.offRps, unit: "req/s" },
      subject: { label: "cache on", value: result.onRps, unit: "req/s" },
      ratio: result.ratio,
      target: "report (the cache in isolation)",
      met: null,
      note:
        "Same gateway code and real authorizer, before a function answering {} at once: what remains is HTTP on loopback, " +
        `the gateway's own work and the authorizer. ${invocations(result)} ${saving(result)} ` +
        "In AWS the saving per request is a whole authorizer invocation.",
      details: { ...result, concurrency, rounds },
    };
  } finally {
    await Promise.all(gateways.map((gateway) => gateway.close()));
    await jwks.close();
  }
}

function invocations(result: Comparison): string {
  return (
    `In the timed rounds (${result.requestsEach} requests a side) the authorizer ran ${result.invocationsOn} times with the cache on ` +
    `(the warm-up had cached the token's policy) and ${result.invocationsOff} times with it off.`
  );
}

/** What the cache saves per request, in the gateway process's time (1000 / req/s); noise said as such. */
function saving(result: Comparison): string {
  const per = `${result.msPerRequestOff.toFixed(2)} ms per request`;
  return result.savedMsPerRequest >= 0.05
    ? `The cache saves ≈ ${result.savedMsPerRequest.toFixed(2)} ms of ${per}.`
    : `No saving measurable above the noise (${per} with the cache off).`;
}

/** Awaits every start; each one that succeeded goes into `started` (to be stopped), then the first failure is thrown. */
async function startedAll<T>(starting: [Promise<T>, Promise<T>], started: T[]): Promise<[T, T]> {
  const settled = await Promise.allSettled(starting);
  for (const outcome of settled) if (outcome.status === "fulfilled") started.push(outcome.value);
  const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  if (failed) throw failed.reason;
  return [started.at(-2) as T, started.at(-1) as T];
}

async function compare(on: Target, off: Target, options: ThroughputOptions): Promise<Comparison> {
  const { requests, rounds, concurrency, progress } = options;
  const agents = {
    on: new Agent({ keepAlive: true, maxSockets: concurrency }),
    off: new Agent({ keepAlive: true, maxSockets: concurrency }),
  };
  try {
    const run = (target: Target, agent: Agent, count: number) => load(target, agent, count, concurrency);
    // Warm-up: connections open, JIT warm, the cache-on gateway holding the token's policy.
    await run(on, agents.on, requests);
    await run(off, agents.off, requests);
    const invocationsBefore = { on: on.stats.authorizerInvocations, off: off.stats.authorizerInvocations };

    const onRps: number[] = [];
    const offRps: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      let rpsOff: number;
      let rpsOn: number;
      if (baselineFirst(round)) {
        rpsOff = await run(off, agents.off, requests);
        rpsOn = await run(on, agents.on, requests);
      } else {
        rpsOn = await run(on, agents.on, requests);
        rpsOff = await run(off, agents.off, requests);
      }
      onRps.push(rpsOn);
      offRps.push(rpsOff);
      ratios.push(rpsOn / rpsOff);
      progress.update(
        `round ${round + 1} / ${rounds}: ${Math.round(rpsOn)} req/s cache on, ${Math.round(rpsOff)} req/s cache off`,
      );
    }
    progress.done();
    const medianOn = median(onRps);
    const medianOff = median(offRps);
    return {
      onRps: medianOn,
      offRps: medianOff,
      // The ratio of the medians, so the table's numbers agree; the paired per-round ratio goes to the details.
      ratio: medianOn / medianOff,
      medianPairedRatio: median(ratios),
      msPerRequestOff: 1000 / medianOff,
      savedMsPerRequest: 1000 / medianOff - 1000 / medianOn,
      invocationsOn: on.stats.authorizerInvocations - invocationsBefore.on,
      invocationsOff: off.stats.authorizerInvocations - invocationsBefore.off,
      requestsEach: requests * rounds,
    };
  } finally {
    agents.on.destroy();
    agents.off.destroy();
  }
}

/** `count` GETs, `concurrency` at a time, each expected to answer 200; requests per second. */
async function load(target: Target, agent: Agent, count: number, concurrency: number): Promise<number> {
  let issued = 0;
  const worker = async () => {
    while (issued < count) {
      issued++;
      const status = await get(target, agent);
      if (status !== 200) throw new Error(`GET ${target.url} answered ${status}`);
    }
  };
  const started = nowMs();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return (count / (nowMs() - started)) * 1000;
}

function get(target: Target, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      target.url,
      { agent, headers: { Authorization: `Bearer ${target.token}` }, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${target.url} within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end();
  });
}
