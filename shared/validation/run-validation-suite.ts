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
import { SUITE_RUN_ENV } from "./suite-run-env.ts";

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

/** One run of a SuiteRunner. */
export interface SuiteRunOptions {
  suiteFile: string;
  target: Target;
  outputsFile?: string;
  /** The stack is stopped and thrown away after this run: the suite's clean-up is skipped (suite-run-env.ts). */
  throwaway?: boolean;
  /** The first failed test ends the run, the rest skipped: for a mutant, where one failure is the whole answer. */
  stopAtFirstFailure?: boolean;
}

/** Runs of a validation suite, one at a time, by one vitest process that stays up between them. */
export interface SuiteRunner {
  /** Like runValidationSuite's run (its output collected): a fresh worker, this run's target and outputs file. */
  run(options: SuiteRunOptions): Promise<SuiteRun>;
  close(): Promise<void>;
}

const SUITE_RUNNER_CHILD = join(PROJECT_ROOT, "shared", "validation", "suite-runner-child.mjs");

/**
 * Starts a vitest for many runs of validation suites (suite-runner-child.mjs):
 * step 06's checkpoint grades one suite on 17 systems, and a vitest process
 * of its own per run cost the start of vitest and the transform of the suite
 * and its helpers at every run. Each run still has a worker process of its
 * own, with the environment of that run only.
 */
export async function startSuiteRunner({ config = VALIDATION_CONFIG } = {}): Promise<SuiteRunner> {
  const reportDir = await mkdtemp(join(tmpdir(), "workshop-suite-"));
  const child = spawn(process.execPath, [SUITE_RUNNER_CHILD], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      WORKSHOP_SUITE_RUNNER: JSON.stringify({ config, reportFile: join(reportDir, "results.json") }),
      FORCE_COLOR: "0",
    },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  // What the child printed outside its runs: why it could not start or went away.
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  type Reply =
    | { type: "ready" }
    | { type: "failed"; error: string }
    | { type: "ran"; id: number; passed: boolean; output: string };
  const waiting = new Map<
    number,
    { resolve: (reply: Reply & { type: "ran" }) => void; reject: (error: Error) => void }
  >();
  let exited: Error | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.on("message", (reply: Reply) => {
      if (reply.type === "ready") resolve();
      else if (reply.type === "failed")
        reject(new Error(`the validation suite's vitest did not start: ${reply.error}`));
      else if (reply.type === "ran") {
        waiting.get(reply.id)?.resolve(reply);
        waiting.delete(reply.id);
      }
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      exited = new Error(`the validation suite's vitest exited (${signal ?? `code ${code}`}): ${log.trim()}`);
      reject(exited);
      for (const { reject: rejectRun } of waiting.values()) rejectRun(exited);
      waiting.clear();
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      if (child.connected) child.send({ type: "close" });
      else child.kill();
      await gone;
    }
    await rm(reportDir, { recursive: true, force: true });
  };
  try {
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }

  let nextId = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const runOne = async (options: SuiteRunOptions): Promise<SuiteRun> => {
    const { suiteFile, target, outputsFile, throwaway = false, stopAtFirstFailure = false } = options;
    if (exited) throw exited;
    const id = nextId++;
    const reply = await new Promise<Reply & { type: "ran" }>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      child.send({
        type: "run",
        id,
        suiteFile,
        // null unsets a variable an earlier run set (IPC's JSON drops an undefined one).
        env: {
          WORKSHOP_TARGET: target,
          WORKSHOP_OUTPUTS_FILE: outputsFile ?? process.env.WORKSHOP_OUTPUTS_FILE ?? null,
          [SUITE_RUN_ENV.throwawayStack]: throwaway ? "1" : null,
          [SUITE_RUN_ENV.stopAtFirstFailure]: stopAtFirstFailure ? "1" : null,
        },
      });
    });
    return { passed: reply.passed, tests: await readTests(join(reportDir, "results.json")), output: reply.output };
  };
  return {
    run(options) {
      const result = queue.then(() => runOne(options));
      queue = result.catch(() => {});
      return result;
    },
    close: stop,
  };
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
