import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../project-root.ts";
import { startSuiteRunner, type SuiteRunner } from "./run-validation-suite.ts";

const fixtures = join(PROJECT_ROOT, "shared", "validation", "fixtures");
const suiteFile = join(fixtures, "two-failures.suite.ts");
let runner: SuiteRunner;

beforeAll(async () => {
  runner = await startSuiteRunner({ config: join(fixtures, "vitest.config.ts") });
});
afterAll(() => runner?.close());

const states = (tests: { name: string; state: string }[]) => tests.map(({ name, state }) => `${name}: ${state}`);

describe("a suite runner", () => {
  it("ends a mutant's run at its first failed test, and tells the suite its stack is thrown away", async () => {
    const run = await runner.run({ suiteFile, target: "local", throwaway: true, stopAtFirstFailure: true });
    expect(run.passed).toBe(false);
    expect(states(run.tests)).toEqual([
      "fails first, naming the run's stack: failed",
      "fails second: skipped",
      "passes: skipped",
    ]);
    expect(run.tests[0]?.failure).toBe("Error: throwaway stack: 1");
  });

  it("runs every test otherwise, with nothing left of an earlier run's environment", async () => {
    const run = await runner.run({ suiteFile, target: "local" });
    expect(states(run.tests)).toEqual([
      "fails first, naming the run's stack: failed",
      "fails second: failed",
      "passes: passed",
    ]);
    expect(run.tests[0]?.failure).toBe("Error: throwaway stack: unset");
  });
});
