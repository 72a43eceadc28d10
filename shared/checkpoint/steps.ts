/**
 * Where each step of the manifest (steps/manifest.ts) lives, and whether it
 * is there yet.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { STEPS, type StepEntry } from "../../steps/manifest.ts";
import { PROJECT_ROOT } from "../project-root.ts";

export { STEPS };
export type StepInfo = StepEntry;

export type CheckTarget = "steps" | "solutions";

/** Which code a checkpoint run checks: the runner sets it for the checkpoint's process and its workers. */
export const CHECK_TARGET_ENV = "WORKSHOP_CHECK_TARGET";

/** The target this process's checkpoint checks: the learner's code unless the runner said the solutions. */
export function checkTarget(): CheckTarget {
  return process.env[CHECK_TARGET_ENV] === "solutions" ? "solutions" : "steps";
}

export function stepFolder(step: StepInfo, target: CheckTarget): string {
  return join(PROJECT_ROOT, target, step.slug);
}

/** A step exists once its starter has a checkpoint suite. */
export function stepExists(step: StepInfo): boolean {
  return existsSync(join(stepFolder(step, "steps"), "checkpoint"));
}

/** The step a `check -- N` names, or an error that lists the steps there are. */
export function stepNumbered(text: string | undefined): StepInfo {
  const step = STEPS.find((s) => String(s.number) === text?.trim());
  if (!step) throw new Error(`There is no step ${text ?? ""}: the steps are ${STEPS.map((s) => s.number).join(", ")}.`);
  return step;
}
