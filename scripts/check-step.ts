/**
 * `npm run check -- N [--solution] [--verbose] [--watch]` (or `npm run check:step-N`):
 * runs step N's checkpoint against your code in `steps/` (or the finished code
 * in `solutions/`) and tells you the one next thing: the TODO that blocks the
 * most checks, with its first hint. `--watch` checks again on every save.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runCheckpoint, type CheckpointReport } from "../shared/checkpoint/run-checkpoint.ts";
import { stepExists, stepFolder, stepNumbered, type CheckTarget, type StepInfo } from "../shared/checkpoint/steps.ts";
import { runMain } from "./lib/cli-args.ts";
import { checkReportLines, isAllPassed } from "./lib/check-report.ts";
import { statusLine } from "./lib/console-style.ts";
import { openTodos } from "./lib/step-todos.ts";
import { recordCheck } from "./lib/workshop-state.ts";
import { watchStep } from "./lib/watch-step.ts";

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: {
      solution: { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
      watch: { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  const step = stepNumbered(positionals[0]);
  if (!stepExists(step)) throw new Error(`Step ${step.number} (${step.title}) does not exist yet in this workshop.`);
  const target: CheckTarget = values.solution ? "solutions" : "steps";
  const show = (report: CheckpointReport) => showReport(step, target, report, values.verbose);

  if (values.watch) return watchStep(step, target, show);
  const clear = statusLine(`Checking ${target}/${step.slug}/…`);
  const report = await runCheckpoint(step, target);
  clear();
  return show(report);
}

/** Prints the report, remembers a run of `steps/` for `npm run progress`, and gives the exit code. */
function showReport(step: StepInfo, target: CheckTarget, report: CheckpointReport, verbose: boolean): number {
  const folder = stepFolder(step, target);
  const source = (file: string) =>
    existsSync(join(folder, file)) ? readFileSync(join(folder, file), "utf8") : undefined;
  const open = target === "steps" ? openTodos(step, source) : [];
  for (const line of checkReportLines(step, report, { target, open, verbose })) console.log(line);
  if (target === "steps") {
    recordCheck(step, {
      passed: report.checks.filter((c) => c.passed).length,
      total: report.checks.length,
      loadErrors: report.loadErrors.length,
    });
  }
  return isAllPassed(report) ? 0 : 1;
}

runMain(main);
