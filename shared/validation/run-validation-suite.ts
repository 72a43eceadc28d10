/**
 * Runs a step 06 validation suite in a child vitest process against the stack
 * named by an outputs file: how the checkpoint grades a suite on the reference
 * system and on each mutant, and how `npm run validate` runs it for you.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { PROJECT_ROOT } from "../project-root.ts";
import { type Target } from "../outputs-file.ts";

const require = createRequire(import.meta.url);
export const VALIDATION_CONFIG = join(PROJECT_ROOT, "shared", "validation", "vitest.config.ts");

export interface SuiteRun {
  passed: boolean;
  /** What vitest printed, for a failure's details. */
  output: string;
}

export function runValidationSuite(options: {
  suiteFile: string;
  target: Target;
  outputsFile?: string;
  /** Print vitest's output as it runs (a person is watching) instead of collecting it. */
  inherit?: boolean;
}): Promise<SuiteRun> {
  const vitest = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
  const args = [vitest, "run", "--config", VALIDATION_CONFIG, options.suiteFile];
  if (!options.inherit) args.push("--reporter=dot");
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
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => resolve({ passed: code === 0, output }));
  });
}
