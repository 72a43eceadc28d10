/** `npm run progress`: one line per step, passed or not yet, from the steps' checkpoints. */
import { runCheckpoint } from "../shared/checkpoint/run-checkpoint.ts";
import { STEPS, stepExists } from "../shared/checkpoint/steps.ts";
import { runMain } from "./lib/cli-args.ts";
import { PASS, style } from "./lib/console-style.ts";

async function main() {
  console.log(
    style.dim(
      "Running each step's checkpoint on your code in steps/ (a minute or two: step 6 builds twelve broken systems)…",
    ),
  );
  for (const step of STEPS) {
    const label = `Step ${step.number} ${step.title}`.padEnd(32);
    if (!stepExists(step)) {
      console.log(`  ${label} ${style.dim("not in this workshop yet")}`);
      continue;
    }
    const { checks, loadErrors } = await runCheckpoint(step, "steps");
    const passed = checks.filter((c) => c.passed).length;
    const done = loadErrors.length === 0 && checks.length > 0 && passed === checks.length;
    console.log(
      `${done ? PASS : " "} ${label} ${done ? "passed" : style.yellow("not yet")} ${style.dim(`(${passed}/${checks.length})`)}`,
    );
  }
}

runMain(main);
