/**
 * The workshop's steps, in order: the one list the check runner, the progress
 * report and the proof in `npm test` read. Adding a step is one entry here.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../local-stack/outputs-file.ts";

export interface StepInfo {
  number: number;
  /** The folder name under `steps/` and `solutions/`. */
  slug: string;
  title: string;
  /** Which of the eight flow steps it builds. */
  flowSteps: string;
}

export const STEPS: readonly StepInfo[] = [
  { number: 1, slug: "01-jwt-basics", title: "JWT basics", flowSteps: "2, 4" },
  { number: 2, slug: "02-user-pool", title: "User pool and sign-in", flowSteps: "1, 2" },
  { number: 3, slug: "03-authorizer", title: "Lambda authorizer", flowSteps: "3, 4" },
  { number: 4, slug: "04-policy-and-context", title: "Policy and context", flowSteps: "5, 6" },
  { number: 5, slug: "05-tenant-scoped-lambda", title: "Tenant-scoped Lambda", flowSteps: "6, 7, 8" },
  { number: 6, slug: "06-validation-tests", title: "Validation tests", flowSteps: "1–8" },
];

export type CheckTarget = "steps" | "solutions";

export function stepFolder(step: StepInfo, target: CheckTarget): string {
  return join(PROJECT_ROOT, target, step.slug);
}

/** A step exists once its starter has a checkpoint suite. */
export function stepExists(step: StepInfo): boolean {
  return existsSync(join(stepFolder(step, "steps"), "checkpoint"));
}
