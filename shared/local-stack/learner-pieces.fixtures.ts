/**
 * Test fixtures for learner-pieces.ts: a "steps" root of its own in a temp
 * folder, so a test never touches the real `steps/`. A file copied there keeps
 * its imports of the repository's shared code, made absolute.
 */
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PROJECT_ROOT } from "../project-root.ts";

export interface StepsRoot {
  root: string;
  /** Writes `slug/file` with this text; `../../` imports point at the repository. */
  write(path: string, text: string): Promise<string>;
  /** Copies the solution's `slug/file`, with `edit` applied to its text first. */
  copySolution(path: string, edit?: (text: string) => string): Promise<string>;
  remove(): Promise<void>;
}

export async function tempStepsRoot(): Promise<StepsRoot> {
  // The real path: a stack trace names it so, where tmpdir() is a symbolic link.
  const root = await realpath(await mkdtemp(join(tmpdir(), "workshop-steps-")));
  const write = async (path: string, text: string) => {
    const file = join(root, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text.replaceAll(`"../../`, `"${PROJECT_ROOT}/`));
    return file;
  };
  return {
    root,
    write,
    async copySolution(path, edit = (text) => text) {
      return write(path, edit(await readFile(join(PROJECT_ROOT, "solutions", path), "utf8")));
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/**
 * A step 04 policy with one bug: every user counts as the most privileged
 * role, so every role is allowed every route and the context says `admin`.
 * (A bug that only widened the policy would still meet step 05's handler,
 * which checks the context's role itself: a 403 from the handler.)
 */
export function allowEveryRouteToEveryRole(text: string): string {
  const fixed = "known.at(-1) ?? DEFAULT_ROLE";
  if (!text.includes(fixed)) throw new Error(`The solution's tenant-policy.ts no longer returns ${fixed}.`);
  return text.replace(fixed, "ROLES.at(-1) ?? DEFAULT_ROLE");
}
