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
import { writeOutputsFile } from "../../../shared/local-stack/outputs-file.ts";
import { runValidationSuite, type SuiteRun } from "../../../shared/validation/run-validation-suite.ts";
import { MUTANTS } from "./mutants.ts";

const SUITE = "purchases-api.validation.test.ts";
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

const lastLines = (text: string, count = 15) => text.trim().split("\n").slice(-count).join("\n");

check(
  "your suite passes on the reference system",
  { hint: "a validation test must pass when the system is right; run `npm run validate` to see which test fails", todo: SUITE },
  async () => {
    const run = await runSuiteAgainst({});
    if (!run.passed) throw new Error(`Your suite fails on the reference system:\n${lastLines(run.output)}`);
  },
  120_000,
);

for (const mutant of MUTANTS) {
  check(
    `catches the mutant ${mutant.name}`,
    { hint: `${mutant.bug}: write a test that fails on such a system`, todo: `${SUITE}, ${mutant.todo}` },
    async () => {
      const run = await runSuiteAgainst(mutant.stack);
      if (run.passed) throw new Error(`${mutant.todo} is not done yet: the mutant survived (every test passed on it)`);
    },
    120_000,
  );
}
