/**
 * How long a learner waits for `npm run check -- N`: each step's checkpoint on
 * the finished code, as the learner runs it (a fresh process), against a bare
 * vitest start (a fresh process running one empty test), the two alternating.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { STEPS } from "../../steps/manifest.ts";
import { PROJECT_ROOT } from "../../shared/project-root.ts";
import type { Progress } from "./progress.ts";
import { round2, type BenchRow } from "./report.ts";
import { baselineFirst, median, nowMs } from "./stats.ts";
import { childCpuMs } from "./process-cpu.ts";

/**
 * The learner's targets (issue 11): a check they can run after every edit, for
 * the core steps. The going-further steps start whole local stacks, several
 * times: their times are reported, with no target.
 */
const TARGET_SECONDS: Readonly<Record<number, number>> = { 1: 3, 2: 3, 3: 3, 4: 3, 5: 3, 6: 15 };

export interface CheckTimesOptions {
  rounds: number;
  /** Which steps (default: every step). */
  steps?: readonly number[];
  progress: Progress;
}

export async function benchCheckTimes(options: CheckTimesOptions): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "bench-bare-vitest-"));
  const bareTest = join(dir, "bare.test.ts");
  writeFileSync(bareTest, 'import { it } from "vitest";\nit("starts", () => {});\n');
  const vitest = join(PROJECT_ROOT, "node_modules", "vitest", "vitest.mjs");
  const bare = () => timed(process.execPath, [vitest, "run", "--root", dir, bareTest]);
  try {
    const rows: BenchRow[] = [];
    for (const step of STEPS.filter((s) => !options.steps || options.steps.includes(s.number))) {
      const check = () =>
        timed(process.execPath, ["--import", "tsx", "scripts/check-step.ts", String(step.number), "--solution"]);
      const bareMs: number[] = [];
      const checkMs: number[] = [];
      const checkCpuMs: number[] = [];
      for (let round = 0; round < options.rounds; round++) {
        options.progress.update(`check -- ${step.number}: round ${round + 1} of ${options.rounds}`);
        const order = baselineFirst(round) ? [bare, check] : [check, bare];
        const [first, second] = order.map((run) => run());
        (baselineFirst(round) ? bareMs : checkMs).push(first!.ms);
        (baselineFirst(round) ? checkMs : bareMs).push(second!.ms);
        const cpu = (baselineFirst(round) ? second : first)!.cpuMs;
        if (cpu !== undefined) checkCpuMs.push(cpu);
      }
      const baseline = median(bareMs);
      const subject = median(checkMs);
      const cpu = checkCpuMs.length > 0 ? median(checkCpuMs) : undefined;
      const target = TARGET_SECONDS[step.number];
      rows.push({
        id: `check-step-${step.number}`,
        figure: `npm run check -- ${step.number} (finished code)`,
        baseline: { label: "bare vitest start", value: round2(baseline), unit: "ms" },
        subject: { label: "check", value: round2(subject), unit: "ms" },
        ratio: round2(subject / baseline),
        target: target === undefined ? "report" : `≤ ${target} s`,
        met: target === undefined ? null : subject <= target * 1000,
        note:
          `check -- ${step.number}: ${(subject / 1000).toFixed(1)} s, of which a bare vitest start is ${(baseline / 1000).toFixed(1)} s` +
          (cpu === undefined ? "." : `; CPU time (user + system, all its processes) ${(cpu / 1000).toFixed(1)} s.`),
        details: { rounds: options.rounds, ...(cpu === undefined ? {} : { checkCpuMs: round2(cpu) }) },
      });
    }
    options.progress.done();
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Milliseconds a command takes, from spawn to exit, and the CPU time of it and
 * its descendants (the figure a busy machine inflates least); a failed run is
 * an error, not a figure.
 */
function timed(command: string, args: string[]): { ms: number; cpuMs?: number } {
  const cpuBefore = childCpuMs();
  const started = nowMs();
  const run = spawnSync(command, args, { cwd: PROJECT_ROOT, env: { ...process.env, NO_COLOR: "1" }, encoding: "utf8" });
  const elapsed = nowMs() - started;
  const cpuAfter = childCpuMs();
  if (run.status !== 0)
    throw new Error(`${args.join(" ")} failed: ${(run.stdout + run.stderr).trim().split("\n").pop()}`);
  return { ms: elapsed, cpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore };
}
