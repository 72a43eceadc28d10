/**
 * Runs a step 06 validation suite in a child vitest process against the stack
 * named by an outputs file: how the checkpoint grades a suite on the reference
 * system and on each mutant, and how `npm run validate` runs it for you.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PROJECT_ROOT } from "../project-root.ts";
import { type Target } from "../outputs-file.ts";

const require = createRequire(import.meta.url);
export const VALIDATION_CONFIG = join(PROJECT_ROOT, "shared", "validation", "vitest.config.ts");

/** One test of the suite, as vitest's JSON reporter gives it. */
export interface SuiteTest {
  /** `describe > … > test`, as the suite names it. */
  name: string;
  state: "passed" | "failed" | "skipped" | "todo" | "pending";
  /** The first line of the failure, for a failed test. */
  failure?: string;
}

export interface SuiteRun {
  passed: boolean;
  /** Every test the suite ran, in order: the failed ones are those that caught a bug. */
  tests: SuiteTest[];
  /** What vitest printed, for a failure's details. */
  output: string;
}

export async function runValidationSuite(options: {
  suiteFile: string;
  target: Target;
  outputsFile?: string;
  /** Print vitest's output as it runs (a person is watching) instead of collecting it. */
  inherit?: boolean;
}): Promise<SuiteRun> {
  const vitest = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
  const reportDir = await mkdtemp(join(tmpdir(), "workshop-suite-"));
  const reportFile = join(reportDir, "results.json");
  // The JSON report names each test and its state; the other reporter is for a person.
  const args = [vitest, "run", "--config", VALIDATION_CONFIG, options.suiteFile];
  args.push(options.inherit ? "--reporter=default" : "--reporter=dot", "--reporter=json");
  args.push(`--outputFile.json=${reportFile}`);
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      WORKSHOP_TARGET: options.target,
      ...(options.outputsFile ? { WORKSHOP_OUTPUTS_FILE: options.outputsFile } : {}),
      // Colour only for a person at a terminal.
      ...(options.inherit ? {} : { FORCE_COLOR: "0" }),
    },
    stdio: options.inherit ? "inherit" : ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", resolve);
    });
    return { passed: code === 0, tests: await readTests(reportFile), output };
  } finally {
    await rm(reportDir, { recursive: true, force: true });
  }
}

interface JsonReport {
  testResults?: {
    assertionResults?: { ancestorTitles?: string[]; title: string; status: string; failureMessages?: string[] }[];
  }[];
}

/** The tests of vitest's JSON report; none when the suite could not even load (the output says why). */
async function readTests(reportFile: string): Promise<SuiteTest[]> {
  let report: JsonReport;
  try {
    report = JSON.parse(await readFile(reportFile, "utf8")) as JsonReport;
  } catch {
    return [];
  }
  return (report.testResults ?? []).flatMap((file) =>
    (file.assertionResults ?? []).map((test) => {
      const failure = test.failureMessages?.[0]?.split("\n").find((line) => line.trim().length > 0);
      return {
        name: [...(test.ancestorTitles ?? []), test.title].join(" > "),
        state: test.status as SuiteTest["state"],
        ...(failure ? { failure: failure.trim() } : {}),
      };
    }),
  );
}
