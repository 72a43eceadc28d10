/**
 * `npm run check -- N [--solution] [--verbose]` (or `npm run check:step-N`): runs step N's
 * checkpoint against your code in `steps/` (or the finished code in
 * `solutions/`) and tells you, per check, what passed and what to open next.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runCheckpoint } from "../shared/checkpoint/run-checkpoint.ts";
import { stepExists, stepFolder, stepNumbered, type StepInfo } from "../shared/checkpoint/steps.ts";
import { runMain } from "./lib/cli-args.ts";
import { FAIL, PASS, style } from "./lib/console-style.ts";

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { solution: { type: "boolean", default: false }, verbose: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const step = stepNumbered(positionals[0]);
  const { number } = step;
  if (!stepExists(step)) throw new Error(`Step ${number} (${step.title}) does not exist yet in this workshop.`);

  const target = values.solution ? "solutions" : "steps";
  console.log(
    style.bold(`Step ${number}: ${step.title}`) +
      style.dim(` (flow steps ${step.flowSteps}), checking ${target}/${step.slug}/`),
  );
  const report = await runCheckpoint(step, target);

  const todoFiles = todoLocations(step);
  for (const error of report.loadErrors) {
    console.log(`${FAIL} the checkpoint could not run: ${error}`);
    console.log(
      style.dim(`    fix this first: a compile or import error in ${target}/${step.slug}/ stops every check`),
    );
  }
  for (const check of report.checks) {
    if (check.passed) {
      console.log(`${PASS} ${check.name}`);
      continue;
    }
    console.log(`${FAIL} ${check.name}`);
    if (check.hint) console.log(`    ${style.yellow("hint:")} ${check.hint}`);
    // A TODO that threw names the place to work better than the check's own pointer.
    const thrownTodo = /^(?:did not run: )?TODO (\d+)\b/.exec(check.reason ?? "")?.[1];
    const open =
      thrownTodo && todoFiles.has(thrownTodo) ? `${todoFiles.get(thrownTodo)}, TODO ${thrownTodo}` : check.todo;
    if (open) console.log(`    ${style.yellow("open:")} ${target}/${step.slug}/${open}`);
    if (check.reason) console.log(`    ${style.dim(`got:  ${check.reason}`)}`);
    if (values.verbose && check.details) console.log(style.dim(check.details.replace(/^/gm, "      ")));
  }

  const passed = report.checks.filter((c) => c.passed).length;
  const total = report.checks.length;
  const allPassed = report.loadErrors.length === 0 && total > 0 && passed === total;
  console.log(
    `\n${allPassed ? PASS : FAIL} ${style.bold(total > 0 ? `${passed}/${total} checks passed` : "no check could run")}`,
  );
  if (!allPassed && !values.verbose) console.log(style.dim("  Add -- --verbose for the full failure output."));
  return allPassed ? 0 : 1;
}

/** Which starter file holds each `// TODO n:` of the step. */
function todoLocations(step: StepInfo): Map<string, string> {
  const folder = stepFolder(step, "steps");
  const locations = new Map<string, string>();
  for (const file of readdirSync(folder).filter((f) => f.endsWith(".ts"))) {
    for (const [, n] of readFileSync(join(folder, file), "utf8").matchAll(/\/\/\s*TODO (\d+)\b/g)) {
      if (n && !locations.has(n)) locations.set(n, file);
    }
  }
  return locations;
}

runMain(main);
