/**
 * The bench harness: every figure, each against its baseline measured in the
 * same run, in one call. `npm run bench` (scripts/bench/index.ts) prints and saves
 * what this returns; the smoke test runs it with `quick`.
 */
import { loadavg } from "node:os";
import { benchAuthorizerSession } from "./authorizer-session.ts";
import { benchAuthorizerWarm } from "./authorizer-warm.ts";
import { STEPS } from "../../steps/manifest.ts";
import { benchCheckTimes } from "./check-times.ts";
import { benchColdStart } from "./cold-start.ts";
import { benchGatewayAuthorizerOnly, benchGatewayThroughput } from "./gateway-throughput.ts";
import { benchListLatency } from "./list-latency.ts";
import { silentProgress, type Progress } from "./progress.ts";
import { describeMachine, round2, type BenchResult, type BenchRow, type RowId } from "./report.ts";
import { nowMs } from "./stats.ts";

/**
 * The parts of the bench, in the order they run and are shown (the session
 * check, added with step 07, comes last so the rows before it keep their numbers).
 */
export const BENCH_PARTS = [
  "authorizer-warm",
  "cold-start",
  "list-latency",
  "gateway",
  "checks",
  "session-check",
] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

/** Which rows each part produces. */
export const ROWS_OF_PART: Record<BenchPart, RowId[]> = {
  "authorizer-warm": ["authorizer-warm"],
  "cold-start": ["authorizer-cold-start", "authorizer-bundle"],
  "list-latency": ["list-latency"],
  gateway: ["gateway-throughput", "gateway-authorizer-only"],
  checks: STEPS.map((step) => `check-step-${step.number}` as const),
  "session-check": ["authorizer-session-check"],
};

export const ALL_ROW_IDS: RowId[] = BENCH_PARTS.flatMap((part) => ROWS_OF_PART[part]);

/** The counts of a run: the full run's take about two minutes on two cores; quick's are for the smoke test only. */
export const SETTINGS = {
  full: {
    authorizerWarm: { rounds: 30, perRound: 100, warmup: 150 },
    coldStart: { pairs: 25, warmupPairs: 3 },
    listLatency: { otherItems: 100_000, calls: 300, warmupCalls: 30 },
    gateway: { requests: 150, rounds: 20, concurrency: 8 },
    gatewayAuthorizerOnly: { requests: 400, rounds: 20, concurrency: 8 },
    checks: { rounds: 3, steps: undefined },
    sessionCheck: { rounds: 30, perRound: 100, warmup: 150, otherRecords: 1_000 },
  },
  quick: {
    authorizerWarm: { rounds: 3, perRound: 10, warmup: 10 },
    coldStart: { pairs: 2, warmupPairs: 0 },
    listLatency: { otherItems: 1_000, calls: 10, warmupCalls: 2 },
    gateway: { requests: 16, rounds: 2, concurrency: 4 },
    gatewayAuthorizerOnly: { requests: 16, rounds: 2, concurrency: 4 },
    // One round of the quickest step: a smoke run proves the row, not the figures.
    checks: { rounds: 1, steps: [4] },
    sessionCheck: { rounds: 3, perRound: 10, warmup: 10, otherRecords: 20 },
  },
} as const;

export interface RunBenchOptions {
  quick?: boolean;
  /** Only these parts (default: all). */
  only?: readonly BenchPart[];
  progress?: Progress;
}

export async function runBench(options: RunBenchOptions = {}): Promise<BenchResult> {
  const quick = options.quick ?? false;
  const progress = options.progress ?? silentProgress;
  const parts = options.only && options.only.length > 0 ? options.only : BENCH_PARTS;
  const settings = quick ? SETTINGS.quick : SETTINGS.full;
  const machine = describeMachine();
  const started = nowMs();
  const rows: BenchRow[] = [];

  for (const part of BENCH_PARTS) {
    if (!parts.includes(part)) continue;
    switch (part) {
      case "authorizer-warm":
        rows.push(await benchAuthorizerWarm({ ...settings.authorizerWarm, progress }));
        break;
      case "cold-start":
        rows.push(...(await benchColdStart({ ...settings.coldStart, progress })));
        break;
      case "list-latency":
        rows.push(await benchListLatency({ ...settings.listLatency, progress }));
        break;
      case "gateway":
        rows.push(await benchGatewayThroughput({ ...settings.gateway, progress }));
        rows.push(await benchGatewayAuthorizerOnly({ ...settings.gatewayAuthorizerOnly, progress }));
        break;
      case "checks":
        rows.push(...(await benchCheckTimes({ ...settings.checks, progress })));
        break;
      case "session-check":
        rows.push(await benchAuthorizerSession({ ...settings.sessionCheck, progress }));
        break;
    }
  }

  return {
    generatedAt: new Date().toISOString(),
    quick,
    durationSeconds: round2((nowMs() - started) / 1000),
    machine: { ...machine, loadAverageAtEnd: round2(loadavg()[0] ?? 0) },
    rows,
  };
}

export function parseParts(value: string | undefined): BenchPart[] | undefined {
  if (value === undefined || value === "") return undefined;
  const names = value.split(",").map((name) => name.trim());
  const unknown = names.filter((name) => !(BENCH_PARTS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`--only takes ${BENCH_PARTS.join(", ")} (comma-separated), not ${unknown.join(", ")}.`);
  return names as BenchPart[];
}
