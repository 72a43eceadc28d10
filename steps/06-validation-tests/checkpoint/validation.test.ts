/**
 * Grades a validation suite by mutation testing: it must pass on the reference
 * system, and fail on each broken system (mutant) of mutants.ts. A mutant your
 * suite passes on "survives": a real bug your tests would let through.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { check, pathUnderTest } from "../../../shared/checkpoint/check.ts";
import { startLocalStack, type LocalStackOptions } from "../../../shared/local-stack/local-stack.ts";
import { writeOutputsFile } from "../../../shared/outputs-file.ts";
import { runValidationSuite, type SuiteRun } from "../../../shared/validation/run-validation-suite.ts";
import { MUTANTS } from "./mutants.ts";

const SUITE = "purchases-api.validation.test.ts";
// A path, not an import: the suite under test is run by a vitest of its own against each stack,
// and importing it here would run its tests in this process instead.
const suiteFile = pathUnderTest(import.meta.url, SUITE);

/** A fresh local stack (the reference system, or a mutant), the suite run against it, the stack stopped. */
async function runSuiteAgainst(options: LocalStackOptions): Promise<SuiteRun> {
  const stack = await startLocalStack(options);
  const dir = await mkdtemp(join(tmpdir(), "workshop-mutant-"));
  try {
    const outputsFile = await writeOutputsFile("local", stack.outputs, join(dir, "outputs.json"));
    return await runValidationSuite({ suiteFile, target: "local", outputsFile });
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The names of the tests that failed, from vitest's summary, on one line. */
function failedTests(output: string): string {
  const names = output
    .split("\n")
    .filter((line) => /^\s*FAIL\s/.test(line))
    .map((line) =>
      line
        .replace(/^\s*FAIL\s+/, "")
        .replace(/^\S*validation\.test\.ts\s*>?\s*/, "")
        .trim(),
    );
  return names.length > 0 ? names.join("; ") : output.trim().split("\n").slice(-3).join(" ");
}

/** Mutants are graded only once the suite passes on the real system: a suite that always fails "catches" them all. */
let referencePassed = false;

check(
  "your suite passes on the reference system",
  {
    hint: "a validation test must pass when the system is right; run `npm run validate` to see which test fails",
    todo: SUITE,
  },
  async () => {
    const run = await runSuiteAgainst({});
    if (!run.passed)
      throw new Error(`Your suite fails on the reference system: ${failedTests(run.output)}\n\n${run.output}`);
    referencePassed = true;
  },
  120_000,
);

for (const mutant of MUTANTS) {
  check(
    `catches the mutant ${mutant.name}`,
    { hint: `${mutant.bug}: write a test that fails on such a system`, todo: `${SUITE}, ${mutant.todo}` },
    async () => {
      if (!referencePassed)
        throw new Error("not graded: first make your suite pass on the reference system (the first check)");
      const run = await runSuiteAgainst(mutant.stack);
      if (run.passed) throw new Error(`${mutant.todo}: no test catches this bug yet (every test passed on the mutant)`);
    },
    120_000,
  );
}
