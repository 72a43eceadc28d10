/**
 * `npm run check:step-N [-- --solution] [-- --verbose]`: runs step N's
 * checkpoint against your code in `steps/` (or the finished code in
 * `solutions/`) and tells you, per check, what passed and what to open next.
 */
import { parseArgs } from "node:util";
import { runCheckpoint } from "../shared/checkpoint/run-checkpoint.ts";
import { STEPS, stepExists } from "../shared/checkpoint/steps.ts";
import { runMain } from "./lib/cli-args.ts";
import { FAIL, PASS, style } from "./lib/console-style.ts";

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { solution: { type: "boolean", default: false }, verbose: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const number = Number(positionals[0]);
  const step = STEPS.find((s) => s.number === number);
  if (!step) throw new Error(`There is no step ${positionals[0] ?? ""}: the steps are 1 to ${STEPS.length}.`);
  if (!stepExists(step)) throw new Error(`Step ${number} (${step.title}) does not exist yet in this workshop.`);

  const target = values.solution ? "solutions" : "steps";
  console.log(style.bold(`Step ${number}: ${step.title}`) + style.dim(` (flow steps ${step.flowSteps}), checking ${target}/${step.slug}/`));
  const report = await runCheckpoint(step, target);

  for (const error of report.loadErrors) {
    console.log(`${FAIL} the checkpoint could not run: ${error}`);
    console.log(style.dim(`    fix this first: a compile or import error in ${target}/${step.slug}/ stops every check`));
  }
  for (const check of report.checks) {
    if (check.passed) {
      console.log(`${PASS} ${check.name}`);
      continue;
    }
    console.log(`${FAIL} ${check.name}`);
    if (check.hint) console.log(`    ${style.yellow("hint:")} ${check.hint}`);
    if (check.todo) console.log(`    ${style.yellow("open:")} ${target}/${step.slug}/${check.todo}`);
    if (check.reason) console.log(`    ${style.dim(`got:  ${check.reason}`)}`);
    if (values.verbose && check.details) console.log(style.dim(check.details.replace(/^/gm, "      ")));
  }

  const passed = report.checks.filter((c) => c.passed).length;
  const total = report.checks.length;
  const allPassed = report.loadErrors.length === 0 && total > 0 && passed === total;
  console.log(`\n${allPassed ? PASS : FAIL} ${style.bold(`${passed}/${total} checks passed`)}`);
  if (!allPassed && !values.verbose) console.log(style.dim("  Add -- --verbose for the full failure output."));
  return allPassed ? 0 : 1;
}

runMain(main);
