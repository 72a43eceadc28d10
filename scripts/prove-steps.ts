/**
 * Part of `npm test`: proves the workshop's promise for every step. The
 * solution passes its checkpoint; the starter fails it, and only because the
 * learner's part (a TODO) is missing, never a compile or import error; and the
 * starter's files mirror the solution's, so copying a solution over its
 * starter is exactly what `--solution` checks.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { manifestProblems, pointerProblems } from "../shared/checkpoint/authoring-check.ts";
import { runCheckpoint } from "../shared/checkpoint/run-checkpoint.ts";
import { PROJECT_ROOT } from "../shared/project-root.ts";
import { STEPS, stepExists, stepFolder, type StepInfo } from "../shared/checkpoint/steps.ts";
import { runMain } from "./lib/cli-args.ts";
import { FAIL, PASS } from "./lib/console-style.ts";
import { todoIsOpen } from "./lib/step-todos.ts";

async function proveStep(step: StepInfo): Promise<string[]> {
  const problems: string[] = [];

  const solution = await runCheckpoint(step, "solutions");
  problems.push(...solution.loadErrors.map((e) => `solution: ${e}`));
  for (const check of solution.checks.filter((c) => !c.passed))
    problems.push(`solution fails "${check.name}": ${check.reason}`);
  problems.push(...pointerProblems(step, solution.checks));

  // A learner's checkout: its starter is their work, not the workshop's, and is not proven.
  const learnerFiles = filesWithLearnersCode(step);
  if (learnerFiles.length > 0) {
    const summary = `solution ${solution.checks.filter((c) => c.passed).length}/${solution.checks.length}, starter not proven`;
    console.log(`${problems.length === 0 ? PASS : FAIL} step ${step.number} ${step.slug}: ${summary}`);
    for (const problem of problems) console.log(`    ${problem}`);
    console.log(
      `    steps/${step.slug} has your code in it (${learnerFiles.join(", ")}): npm test proves the workshop's own starters; run \`npm run check -- ${step.number}\` for your code, or \`git stash\` to prove the workshop.`,
    );
    return problems;
  }

  const starter = await runCheckpoint(step, "steps");
  problems.push(...starter.loadErrors.map((e) => `starter does not load: ${e}`));
  const failures = starter.checks.filter((c) => !c.passed);
  if (failures.length === 0) problems.push("starter passes every check: the learner has nothing to do");
  for (const check of failures) {
    if (!check.reason?.includes("TODO"))
      problems.push(`starter fails "${check.name}" for a reason that is not a TODO: ${check.reason}`);
  }
  if (starter.checks.length !== solution.checks.length) {
    problems.push(`starter ran ${starter.checks.length} checks, solution ${solution.checks.length}`);
  }

  const solutionFiles = new Set(readdirSync(stepFolder(step, "solutions")));
  for (const file of readdirSync(stepFolder(step, "steps")).filter((f) => f.endsWith(".ts"))) {
    if (!solutionFiles.has(file)) {
      problems.push(`steps/${step.slug}/${file} has no solution file of the same name`);
      continue;
    }
    // A starter file with no TODO is given code: it must be the solution's, not a copy drifting apart.
    const starter = readFileSync(join(stepFolder(step, "steps"), file), "utf8");
    if (!/\bTODO\b/.test(starter) && starter !== readFileSync(join(stepFolder(step, "solutions"), file), "utf8")) {
      problems.push(`steps/${step.slug}/${file} has no TODO but differs from solutions/${step.slug}/${file}`);
    }
  }

  const summary = `solution ${solution.checks.filter((c) => c.passed).length}/${solution.checks.length}, starter ${starter.checks.filter((c) => c.passed).length}/${starter.checks.length}`;
  console.log(`${problems.length === 0 ? PASS : FAIL} step ${step.number} ${step.slug}: ${summary}`);
  for (const problem of problems) console.log(`    ${problem}`);
  return problems;
}

/**
 * The starter files in which the learner has done a TODO: its `todo("n: …")`
 * call is in git's HEAD and no longer in the file. An author rewriting a TODO's
 * comment keeps the call, so the proof stays strict for them. No git: none.
 */
function filesWithLearnersCode(step: StepInfo): string[] {
  const files: string[] = [];
  for (const [file, todos] of Object.entries(step.todos)) {
    const path = `steps/${step.slug}/${file}`;
    let head: string;
    try {
      head = execFileSync("git", ["show", `HEAD:${path}`], { cwd: PROJECT_ROOT, encoding: "utf8", stdio: "pipe" });
    } catch {
      continue;
    }
    const now = existsSync(join(PROJECT_ROOT, path)) ? readFileSync(join(PROJECT_ROOT, path), "utf8") : "";
    if (now === head) continue;
    const done = todos.filter((t) => todoIsOpen(head, t.number) && !todoIsOpen(now, t.number)).map((t) => t.number);
    if (done.length > 0) files.push(`${file}: TODO${done.length === 1 ? "" : "s"} ${done.join(", ")} done`);
  }
  return files;
}

async function main(): Promise<number> {
  let passed = 0;
  let failed = 0;
  const authoring = manifestProblems(PROJECT_ROOT, STEPS);
  console.log(
    `${authoring.length === 0 ? PASS : FAIL} the manifest, the step folders, their TODOs, scripts and README agree`,
  );
  for (const problem of authoring) console.log(`    ${problem}`);
  if (authoring.length > 0) failed += 1;
  // `npx tsx scripts/prove-steps.ts 3` proves step 3 only.
  const only = process.argv.slice(2).map(Number);
  for (const step of STEPS.filter(stepExists).filter((s) => only.length === 0 || only.includes(s.number))) {
    if ((await proveStep(step)).length === 0) passed += 1;
    else failed += 1;
  }
  console.log(`steps: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

runMain(main);
