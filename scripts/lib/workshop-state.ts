/**
 * What the runner remembers between runs, in `.workshop/` (gitignored): the
 * hints taken (`hints.json`) and each step's last check (`check-results.json`),
 * with a fingerprint of the files it checked, so `npm run progress` re-runs
 * only what changed.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { PROJECT_ROOT } from "../../shared/project-root.ts";
import { stepFolder, type StepInfo } from "../../shared/checkpoint/steps.ts";
import type { HintsTaken } from "./hints.ts";

const STATE_DIR = join(PROJECT_ROOT, ".workshop");
export const HINTS_FILE = join(STATE_DIR, "hints.json");
export const CHECK_RESULTS_FILE = join(STATE_DIR, "check-results.json");

export interface StoredCheck {
  /** Of the step's starter and checkpoint files, when it ran. */
  fingerprint: string;
  passed: number;
  total: number;
  loadErrors: number;
  /** ISO time of the run. */
  at: string;
}

/** Step number → its last check of `steps/`. */
export type CheckResults = Record<string, StoredCheck>;

function readJson<T extends object>(file: string): T {
  try {
    const value: unknown = JSON.parse(readFileSync(file, "utf8"));
    return value && typeof value === "object" ? (value as T) : ({} as T);
  } catch {
    // Missing or hand-mangled: start afresh rather than fail the learner's command.
    return {} as T;
  }
}

function writeJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  // Written aside, then renamed: two runs at once never leave half a file.
  const aside = `${file}.${process.pid}.tmp`;
  writeFileSync(aside, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(aside, file);
}

export const readHintsTaken = (): HintsTaken => readJson<HintsTaken>(HINTS_FILE);
export const writeHintsTaken = (taken: HintsTaken): void => writeJson(HINTS_FILE, taken);
export const readCheckResults = (): CheckResults => readJson<CheckResults>(CHECK_RESULTS_FILE);

export function recordCheck(step: StepInfo, result: Omit<StoredCheck, "fingerprint" | "at">): void {
  const results = readCheckResults();
  results[String(step.number)] = { ...result, fingerprint: stepFingerprint(step), at: new Date().toISOString() };
  writeJson(CHECK_RESULTS_FILE, results);
}

/** The step's `.ts` files in `steps/NN-name/` and its `checkpoint/`, by name: what a check's result depends on. */
export function stepSourceFiles(step: StepInfo): string[] {
  const folder = stepFolder(step, "steps");
  return ["", "checkpoint"]
    .map((sub) => join(folder, sub))
    .filter((dir) => existsSync(dir))
    .flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith(".ts"))
        .map((f) => join(dir, f)),
    )
    .sort();
}

/** A hash of the names and contents of the step's files. */
export function stepFingerprint(step: StepInfo): string {
  const hash = createHash("sha256");
  for (const file of stepSourceFiles(step))
    hash.update(`${relative(PROJECT_ROOT, file)}\0${readFileSync(file, "utf8")}\0`);
  return hash.digest("hex").slice(0, 16);
}
