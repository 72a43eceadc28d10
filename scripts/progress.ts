/**
 * `npm run progress`: one line per step, from the last `npm run check` of it
 * (`.workshop/check-results.json`). A step whose files changed since, or that
 * never ran, is checked now; the others are not run again.
 */
import { runCheckpoint } from "../shared/checkpoint/run-checkpoint.ts";
import { STEPS, stepExists } from "../shared/checkpoint/steps.ts";
import { runMain } from "./lib/cli-args.ts";
import { PASS, statusLine, style } from "./lib/console-style.ts";
import { takenInStep } from "./lib/hints.ts";
import { readCheckResults, readHintsTaken, recordCheck, stepFingerprint } from "./lib/workshop-state.ts";

async function main() {
  const hints = readHintsTaken();
  let rerun = 0;
  for (const step of STEPS) {
    const label = `Step ${step.number} ${step.title}`.padEnd(32);
    if (!stepExists(step)) {
      console.log(`  ${label} ${style.dim("not in this workshop yet")}`);
      continue;
    }
    let result = readCheckResults()[String(step.number)];
    if (result?.fingerprint !== stepFingerprint(step)) {
      const clear = statusLine(
        `  ${label} ${style.dim(result ? "changed since its last check: checking…" : "checking…")}`,
      );
      const { checks, loadErrors } = await runCheckpoint(step, "steps");
      clear();
      recordCheck(step, {
        passed: checks.filter((c) => c.passed).length,
        total: checks.length,
        loadErrors: loadErrors.length,
      });
      result = readCheckResults()[String(step.number)]!;
      rerun += 1;
    }
    const done = result.loadErrors === 0 && result.total > 0 && result.passed === result.total;
    const taken = takenInStep(hints, step.number);
    console.log(
      `${done ? PASS : " "} ${label} ${done ? "passed " : style.yellow("not yet")} ${style.dim(
        `(${result.passed}/${result.total}${result.loadErrors > 0 ? ", does not load" : ""}${taken > 0 ? `, ${taken} hint${taken === 1 ? "" : "s"} taken` : ""})`,
      )}`,
    );
  }
  console.log(
    style.dim(
      rerun === 0
        ? "From each step's last check: nothing changed since."
        : `Checked ${rerun} step${rerun === 1 ? "" : "s"} whose files changed or that never ran; the rest from their last check.`,
    ),
  );
}

runMain(main);
