/**
 * Grades a validation suite by mutation testing: it must pass on the reference
 * system, and fail on each broken system (mutant) of mutants.ts. A mutant your
 * suite passes on "survives": a real bug your tests would let through.
 *
 * The runs happen first, while this file loads, so that each check's name can
 * say which of your tests killed its mutant (a passing check prints its name
 * only). A survivor's check says what the broken system answers where the
 * reference answers otherwise: where to look, not which test to write.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { check, pathUnderTest } from "../../../shared/checkpoint/check.ts";
import { startEmulatorHost } from "../../../shared/local-stack/emulator-host.ts";
import { startLocalStack, type LocalStackOptions } from "../../../shared/local-stack/local-stack.ts";
import { writeOutputsFile } from "../../../shared/outputs-file.ts";
import {
  startSuiteRunner,
  type SuiteRun,
  type SuiteRunner,
  type SuiteTest,
} from "../../../shared/validation/run-validation-suite.ts";
import { MUTANTS, type Mutant } from "./mutants.ts";

const SUITE = "purchases-api.validation.test.ts";
const RUNS_AT_A_TIME = 2;
/** How much of a killing assertion a check's name shows. */
const ASSERTION_SHOWN = 100;
// A path, not an import: the suite under test is run by a vitest of its own against each stack,
// and importing it here would run its tests in this process instead.
const suiteFile = pathUnderTest(import.meta.url, SUITE);

/**
 * A fresh local stack (the reference system, or a mutant), the suite run against it, the stack stopped
 * and thrown away: the suite need not clean up, and on a mutant its first failed test ends the run.
 */
async function runSuiteAgainst(
  runner: Promise<SuiteRunner>,
  options: LocalStackOptions,
  { mutant }: { mutant: boolean },
): Promise<SuiteRun> {
  const stack = await startLocalStack(options);
  const dir = await mkdtemp(join(tmpdir(), "workshop-mutant-"));
  try {
    const outputsFile = await writeOutputsFile("local", stack.outputs, join(dir, "outputs.json"));
    return await (
      await runner
    ).run({ suiteFile, target: "local", outputsFile, throwaway: true, stopAtFirstFailure: mutant });
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** A run, or the error that kept it from running (a stack that did not start). */
type Outcome = { run: SuiteRun } | { error: unknown };
async function outcomeOf(
  runner: Promise<SuiteRunner>,
  options: LocalStackOptions,
  kind: { mutant: boolean },
): Promise<Outcome> {
  try {
    return { run: await runSuiteAgainst(runner, options, kind) };
  } catch (error) {
    return { error };
  }
}

/** The suite's failed tests, in the order they ran. */
function failedTests(run: SuiteRun): SuiteTest[] {
  return run.tests.filter((test) => test.state === "failed");
}

/** What a failed test's assertion said, without vitest's decoration, cut short: "GET /purchases: expected 200 to be 401". */
function assertionOf(failure: string | undefined): string | undefined {
  const said = failure?.replace(/^AssertionError: /, "").replace(/ \/\/ Object\.is equality$/, "");
  return said && said.length > ASSERTION_SHOWN ? `${said.slice(0, ASSERTION_SHOWN - 1)}…` : said;
}

/** The last lines vitest printed: why a suite with no failed test still failed (it did not load, say). */
function tail(output: string): string {
  return output.trim().split("\n").slice(-3).join(" ");
}

/**
 * The name of a mutant's check: once killed, it names the test of your suite that killed it (the run's
 * first failure) and what its assertion saw, since a test that checks several things may catch a mutant
 * with a check that is not its title's.
 */
function checkName(mutant: Mutant, outcome: Outcome | undefined): string {
  const name = `catches the mutant ${mutant.name}`;
  if (!outcome || !("run" in outcome) || outcome.run.passed) return name;
  const [killer] = failedTests(outcome.run);
  if (!killer) return `${name} (your suite failed on it without a failed test: it did not load)`;
  const assertion = assertionOf(killer.failure);
  return `${name}, killed by "${killer.name}"${assertion ? ` (${assertion})` : ""}`;
}

// One vitest per lane, kept up between its runs (run-validation-suite.ts's startSuiteRunner), all
// started at once.
const runners = Array.from({ length: RUNS_AT_A_TIME }, () => startSuiteRunner());
// One cognito-local process for every stack, loaded once (emulator-host.ts): each stack still gets a
// cognito-local instance of its own in it (its own server, pool, app clients and mail), and all the rest
// of a stack is its own, so a suite that reuses fixed emails or tenant ids meets a clean system each run.
const emulators = startEmulatorHost();
// Two at a time: each mutant still has a fresh stack and a run of its own (its own worker process and
// environment), so nothing one mutant does can reach another's run, and two runs fill a two-core
// machine that one run leaves half idle. The first lane grades the reference system while the others
// start on the mutants.
const queue = [...MUTANTS];
const mutantOutcomes = new Map<string, Outcome>();
const lane = async (runner: Promise<SuiteRunner>) => {
  for (let mutant = queue.shift(); mutant; mutant = queue.shift())
    mutantOutcomes.set(mutant.name, await outcomeOf(runner, { ...mutant.stack, emulators }, { mutant: true }));
};
const passes = (outcome: Outcome) => "run" in outcome && outcome.run.passed;
const [first, ...others] = runners;
let reference: Outcome;
try {
  [reference] = await Promise.all([
    (async () => {
      const outcome = await outcomeOf(first!, { emulators }, { mutant: false });
      // A suite that fails on the reference system would "catch" every mutant: grade no more of them.
      if (!passes(outcome)) queue.length = 0;
      await lane(first!);
      return outcome;
    })(),
    ...others.map(lane),
  ]);
} finally {
  await Promise.all([
    ...runners.map((runner) => runner.then((r) => r.close()).catch(() => {})),
    emulators.close().catch(() => {}),
  ]);
}

// Mutants are graded only when the suite passes on the real system.
const outcomes = passes(reference) ? mutantOutcomes : new Map<string, Outcome>();

check(
  "your suite passes on the reference system",
  {
    hint: "a validation test must pass when the system is right; run `npm run validate` to see which test fails",
    todo: SUITE,
  },
  () => {
    if ("error" in reference) throw reference.error;
    if (reference.run.passed) return;
    const failed = failedTests(reference.run).map((test) => test.name);
    throw new Error(
      `Your suite fails on the reference system: ${failed.length > 0 ? failed.join("; ") : tail(reference.run.output)}\n\n${reference.run.output}`,
    );
  },
);

for (const mutant of MUTANTS) {
  const outcome = outcomes.get(mutant.name);
  check(
    checkName(mutant, outcome),
    {
      hint: `a system where ${mutant.bug}: your suite must fail on it`,
      // A mutant no TODO names points at the whole suite: which promise it breaks is yours to find.
      todo: mutant.todo ? `${SUITE}, ${mutant.todo}` : SUITE,
    },
    () => {
      if (!outcome) throw new Error("not graded: first make your suite pass on the reference system (the first check)");
      if ("error" in outcome) throw outcome.error;
      if (!outcome.run.passed) return;
      const where = mutant.todo ? `${mutant.todo}` : "no TODO names this promise";
      throw new Error(`survives (${where}): ${mutant.symptom}`);
    },
  );
}
