/**
 * Checkpoint suites are vitest files whose tests are *checks*: each names the
 * file and TODO to open and a one-line hint, which the runner prints when the
 * check fails. The code under test is the learner's (`steps/`) or the
 * finished one (`solutions/`), chosen by the runner.
 */
import { dirname, basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { it } from "vitest";
import { PROJECT_ROOT } from "../project-root.ts";
import { checkTarget } from "./steps.ts";

declare module "vitest" {
  interface TaskMeta {
    hint?: string;
    todo?: string;
  }
}

export interface CheckGuide {
  /** One line: what to look at when this check fails. */
  hint: string;
  /** The file and TODO to open, e.g. `tenant-policy.ts, TODO 2`. */
  todo: string;
}

/** Declares one check of a checkpoint. */
export function check(name: string, guide: CheckGuide, fn: () => unknown | Promise<unknown>, timeout?: number): void {
  it(
    name,
    async ({ task }) => {
      task.meta.hint = guide.hint;
      task.meta.todo = guide.todo;
      await fn();
    },
    timeout,
  );
}

/**
 * The path of a file of the code under test, for a checkpoint at
 * `steps/NN-name/checkpoint/*.test.ts`: `steps/NN-name/<file>` or
 * `solutions/NN-name/<file>`.
 */
export function pathUnderTest(checkpointUrl: string, file: string): string {
  const stepSlug = basename(dirname(dirname(fileURLToPath(checkpointUrl))));
  return join(PROJECT_ROOT, checkTarget(), stepSlug, file);
}
