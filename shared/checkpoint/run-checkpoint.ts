/**
 * Runs one step's checkpoint suite with vitest's Node API and collects, per
 * check, whether it passed and why not: the data behind `npm run check:step-N`,
 * `npm run progress` and the proof in `npm test`.
 */
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import type { Reporter, TestCase, TestModule } from "vitest/node";
import { startVitest } from "vitest/node";
import { PROJECT_ROOT } from "../project-root.ts";
import { CHECK_TARGET_ENV } from "./check.ts";
import { redirectStarterImportsToSolutions } from "./solution-redirect.ts";
import { stepFolder, type CheckTarget, type StepInfo } from "./steps.ts";

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

export async function runCheckpoint(step: StepInfo, target: CheckTarget): Promise<CheckpointReport> {
  const checkpointDir = join(stepFolder(step, "steps"), "checkpoint");
  const globalSetup = ["setup.ts"].map((f) => join(checkpointDir, f)).filter((f) => existsSync(f));
  const checks: CheckResult[] = [];
  const loadErrors: string[] = [];

  const reporter: Reporter = {
    onTestCaseResult(testCase: TestCase) {
      const result = testCase.result();
      if (result.state === "pending") return;
      const meta = testCase.meta();
      // Checkpoints skip nothing on purpose: a skipped check did not run because a
      // hook around it failed (often the learner's code, at load time), so it fails.
      const error = result.errors?.[0] ?? (result.state === "skipped" ? hookError(testCase) : undefined);
      checks.push({
        name: testCase.fullName,
        passed: result.state === "passed",
        hint: meta.hint,
        todo: meta.todo,
        reason: error ? firstLine(error.message) : undefined,
        details: error ? `${error.message}\n${error.stack ?? ""}` : undefined,
      });
    },
    onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled) {
      for (const module of modules) {
        for (const error of module.errors()) {
          loadErrors.push(`${relative(PROJECT_ROOT, module.moduleId)}: ${describeLoadError(error)}`);
        }
      }
      for (const error of unhandled) loadErrors.push(describeLoadError(error));
    },
  };

  const previousTarget = process.env[CHECK_TARGET_ENV];
  process.env[CHECK_TARGET_ENV] = target;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  try {
    const vitest = await startVitest(
      "test",
      [],
      {
        config: false,
        root: PROJECT_ROOT,
        include: [relative(PROJECT_ROOT, join(checkpointDir, "**/*.test.ts"))],
        globalSetup,
        reporters: [reporter],
        watch: false,
        silent: true,
        testTimeout: 60_000,
        hookTimeout: 120_000,
        fileParallelism: false,
      },
      { logLevel: "silent", plugins: target === "solutions" ? [redirectStarterImportsToSolutions()] : [] },
    );
    await vitest.close();
  } finally {
    if (previousTarget === undefined) delete process.env[CHECK_TARGET_ENV];
    else process.env[CHECK_TARGET_ENV] = previousTarget;
  }
  if (checks.length === 0 && loadErrors.length === 0)
    loadErrors.push(`no checks found in ${relative(PROJECT_ROOT, checkpointDir)}`);
  return { checks, loadErrors };
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

/** A compile or import error in a line, with the file and line it points at when it names one. */
function describeLoadError(error: { message: string; stack?: string }): string {
  const text = stripAnsi(`${error.message}\n${error.stack ?? ""}`);
  const location = /((?:steps|solutions|shared)\/[\w./-]+\.ts):(\d+)(?::(\d+))?(?::\s*(?:ERROR:\s*)?(.*))?/.exec(text);
  const first = firstLine(stripAnsi(error.message));
  if (!location) return first;
  const [, file, line, , detail] = location;
  return `${first} ${file}:${line}${detail ? `: ${detail.trim()}` : ""}`;
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .find((line) => line.trim().length > 0)
      ?.trim() ?? text
  );
}
