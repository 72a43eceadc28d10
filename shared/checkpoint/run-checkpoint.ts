/**
 * Runs one step's checkpoint suite with vitest's Node API and collects, per
 * check, whether it passed and why not: the data behind `npm run check:step-N`,
 * `npm run progress` and the proof in `npm test`.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, watch } from "node:fs";
import { join, relative } from "node:path";
import type { Reporter, TestCase, TestModule, Vitest } from "vitest/node";
import { PROJECT_ROOT } from "../project-root.ts";
import { redirectStarterImportsToSolutions } from "./solution-redirect.ts";
import { CHECK_TARGET_ENV, checkTarget, stepFolder, stepNumbered, type CheckTarget, type StepInfo } from "./steps.ts";
import { firstLine } from "../first-line.ts";

export interface CheckResult {
  name: string;
  passed: boolean;
  hint?: string;
  todo?: string;
  /** The first line of the failure, for the learner. */
  reason?: string;
  /** The whole failure with its stack, for `--verbose`. */
  details?: string;
}

export interface CheckpointReport {
  checks: CheckResult[];
  /** Suites that could not even load (a compile or import error), with the error. */
  loadErrors: string[];
}

/** Which step the checkpoint child runs (its target is in CHECK_TARGET_ENV). */
const CHECKPOINT_STEP_ENV = "WORKSHOP_CHECKPOINT_STEP";
const CHECKPOINT_CHILD = join(PROJECT_ROOT, "shared", "checkpoint", "checkpoint-child.mjs");

/**
 * Runs the checkpoint in a child Node process without tsx's loader
 * (checkpoint-child.mjs, with checkpoint.config.ts): under tsx every ES module
 * Node loads goes through its hooks, which cost more than a second for vitest
 * and Vite alone, and vitest's workers inherit them. Vite transforms the
 * checkpoint's TypeScript itself. The child sends back what the reporter
 * collected; the run and its report are those of an in-process run.
 */
export async function runCheckpoint(step: StepInfo, target: CheckTarget): Promise<CheckpointReport> {
  const collected: CollectedChecks = { checks: [], loadErrors: [] };
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const child = spawn(process.execPath, [CHECKPOINT_CHILD], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, [CHECK_TARGET_ENV]: target, [CHECKPOINT_STEP_ENV]: String(step.number) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  child.on("message", (message: { type?: string; collected?: CollectedChecks }) => {
    if (message.type === "checkpoint-report" && message.collected) Object.assign(collected, message.collected);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", resolve);
  });
  if (code !== 0 && collected.checks.length === 0 && collected.loadErrors.length === 0)
    collected.loadErrors.push(`the checkpoint's vitest exited with code ${code}`);
  return reportOf(step, collected);
}

/**
 * The child's vitest config (checkpoint.config.ts): the step and target from
 * the environment, the options of an in-process run, and a reporter that
 * sends the parent what it collected at the end of the run.
 */
export function checkpointChildConfig() {
  const step = stepNumbered(process.env[CHECKPOINT_STEP_ENV]);
  const target = checkTarget();
  const collector = reportCollector(step, undefined, (collected) =>
    process.send?.({ type: "checkpoint-report", collected }),
  );
  const { config: _none, ...test } = checkpointOptions(step, collector.reporter, false);
  return { ...viteOptions(target), test };
}

/**
 * `--watch`: one vitest instance kept running, so the global setup (the
 * emulators) starts once; every save of a step's file runs the checks again
 * and hands the report to `onReport`. Resolves when vitest closes.
 */
export async function watchCheckpoint(
  step: StepInfo,
  target: CheckTarget,
  onReport: (report: CheckpointReport) => void,
): Promise<Vitest> {
  const collector = reportCollector(step, onReport);
  process.env[CHECK_TARGET_ENV] = target;
  // Loaded here only: a single run's vitest is the child's, and loading vitest under tsx costs a second.
  const { startVitest } = await import("vitest/node");
  const vitest = await startVitest(
    "test",
    [],
    {
      ...checkpointOptions(step, collector.reporter, true),
      // Step 06's suite is run by path, not imported: any save in the step re-runs the whole checkpoint.
      forceRerunTriggers: [`**/steps/${step.slug}/*.ts`, `**/steps/${step.slug}/checkpoint/*.ts`],
    },
    viteOptions(target),
  );
  // Vite's watcher may miss a save (seen in containers: the raw event comes, no "change"); Node's
  // fs.watch on the step's folders hands each save to vitest's own change handling as well.
  const folder = stepFolder(step, "steps");
  const watchers = [folder, join(folder, "checkpoint")]
    .filter((dir) => existsSync(dir))
    .map((dir) =>
      watch(dir, (_event, file) => {
        if (file?.toString().endsWith(".ts")) vitest.watcher.onFileChange(join(dir, file.toString()));
      }),
    );
  vitest.onClose(() => watchers.forEach((watcher) => watcher.close()));
  return vitest;
}

async function withTarget(target: CheckTarget, run: () => Promise<void>): Promise<void> {
  const previousTarget = process.env[CHECK_TARGET_ENV];
  process.env[CHECK_TARGET_ENV] = target;
  try {
    await run();
  } finally {
    if (previousTarget === undefined) delete process.env[CHECK_TARGET_ENV];
    else process.env[CHECK_TARGET_ENV] = previousTarget;
  }
}

/**
 * Vite's side: the redirect under `--solution`, and how the global setup's
 * imports resolve. Vitest loads a global setup in its `__vitest__` environment,
 * which resolves packages by their `module` field (the test files' environment
 * does not): the AWS SDK's `dist-es` build, which Node cannot load as it is, so
 * Vite transformed its ~600 files at every check (3 to 4 s of step 01's 6).
 * Resolved like the tests' imports (`main`, the `node` condition), the SDK's
 * CommonJS build loads natively: the same SDK, as the tests and the scripts
 * load it.
 */
function viteOptions(target: CheckTarget) {
  return {
    logLevel: "silent" as const,
    plugins: target === "solutions" ? [redirectStarterImportsToSolutions()] : [],
    environments: { __vitest__: { resolve: { mainFields: ["main"], conditions: ["node"] } } },
  };
}

function checkpointOptions(step: StepInfo, reporter: Reporter, watch: boolean) {
  const checkpointDir = join(stepFolder(step, "steps"), "checkpoint");
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return {
    config: false as const,
    root: PROJECT_ROOT,
    include: [relative(PROJECT_ROOT, join(checkpointDir, "**/*.test.ts"))],
    globalSetup: ["setup.ts"].map((f) => join(checkpointDir, f)).filter((f) => existsSync(f)),
    reporters: [reporter],
    watch,
    silent: true,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // A step's check files at once, two at a time (vitest's default on two cores is one): steps 05, 07 and
    // 08 have several, each with its own worker and imports, and the report orders them (reportCollector).
    maxWorkers: 2,
  };
}

/** A reporter that collects each check's result; `onRunEnd`, if given, gets the report of every run. */
function reportCollector(
  step: StepInfo,
  onRunEnd?: (report: CheckpointReport) => void,
  onCollected?: (collected: CollectedChecks) => void,
) {
  let checks: CheckResult[] = [];
  // By test id, as results come in: from two files at once, in no fixed order.
  let results = new Map<string, CheckResult>();
  let loadErrors: string[] = [];
  const report = (): CheckpointReport => reportOf(step, { checks, loadErrors });
  const reporter: Reporter = {
    onTestRunStart() {
      checks = [];
      results = new Map();
      loadErrors = [];
    },
    onTestCaseResult(testCase: TestCase) {
      const result = testCase.result();
      if (result.state === "pending") return;
      const meta = testCase.meta();
      // Checkpoints skip nothing on purpose: a skipped check did not run because a
      // hook around it failed (often the learner's code, at load time), so it fails.
      const error = result.errors?.[0] ?? (result.state === "skipped" ? hookError(testCase) : undefined);
      results.set(testCase.id, {
        name: testCase.fullName,
        passed: result.state === "passed",
        hint: meta.hint,
        todo: meta.todo,
        reason: error ? firstLine(stripAnsi(error.message)) : undefined,
        details: error ? `${error.message}\n${error.stack ?? ""}` : undefined,
      });
    },
    onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled) {
      // The checks in a fixed order, whichever file finished first: by file, then as each file lists them.
      const byFile = [...modules].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
      checks = byFile.flatMap((module) =>
        [...module.children.allTests()].flatMap((test) => results.get(test.id) ?? []),
      );
      for (const module of modules) {
        for (const error of module.errors()) {
          loadErrors.push(describeLoadError(error, relative(PROJECT_ROOT, module.moduleId)));
        }
      }
      for (const error of unhandled) loadErrors.push(describeLoadError(error));
      onCollected?.({ checks, loadErrors });
      onRunEnd?.(report());
    },
  };
  return { reporter, report };
}

/** What a run's reporter collected, before the report is made of it. */
interface CollectedChecks {
  checks: CheckResult[];
  loadErrors: string[];
}

function reportOf(step: StepInfo, collected: CollectedChecks): CheckpointReport {
  const errors = [...collected.loadErrors];
  if (collected.checks.length === 0 && errors.length === 0)
    errors.push(`no checks found in ${relative(PROJECT_ROOT, join(stepFolder(step, "steps"), "checkpoint"))}`);
  return { checks: [...collected.checks], loadErrors: errors };
}

export function checkpointFiles(step: StepInfo): string[] {
  const dir = join(stepFolder(step, "steps"), "checkpoint");
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".test.ts")) : [];
}

/** The error of the nearest enclosing suite or module that failed (a beforeAll, say). */
function hookError(testCase: TestCase): { message: string; stack?: string } {
  for (
    let parent: TestCase["parent"] | undefined = testCase.parent;
    parent;
    parent = parent.type === "suite" ? parent.parent : undefined
  ) {
    const [error] = parent.errors();
    if (error) return { message: `did not run: ${error.message}`, stack: error.stack };
  }
  return { message: "did not run: skipped" };
}

/**
 * A compile or import error in one line, `file:line:col: message`, when it names
 * the place (a parse error from Vite's transform, esbuild's `file:line:col: ERROR:`);
 * else the module that could not load and the error's first line.
 */
export function describeLoadError(error: { message: string; stack?: string }, module?: string): string {
  const text = stripAnsi(`${error.message}\n${error.stack ?? ""}`);
  const location = /((?:steps|solutions|shared|scripts)\/[\w./-]+\.ts):(\d+)(?::(\d+))?/.exec(text);
  const lines = text.split("\n").map((line) => line.trim());
  // The message itself: `[PARSE_ERROR] Expected …` (Vite 7's transform), `file:1:2: ERROR: …` (esbuild),
  // else the first line that is not "Transform failed with 1 error:".
  const message =
    lines.map((line) => /^\[[A-Z_]+\]\s*(.+)/.exec(line)?.[1]).find(Boolean) ??
    lines.map((line) => /\.ts:\d+:\d+:\s*ERROR:\s*(.+)/.exec(line)?.[1]).find(Boolean) ??
    lines.find((line) => line.length > 0 && !/^Transform failed with \d+ errors?:?$/.test(line)) ??
    firstLine(stripAnsi(error.message));
  if (!location) return module ? `${module}: ${message}` : message;
  const [, file, line, column] = location;
  return `${file}:${line}${column ? `:${column}` : ""}: ${message}`;
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}
