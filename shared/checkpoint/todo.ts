/**
 * What a starter calls where the learner's code goes. The checkpoint reports
 * the TODO it names, so the learner knows exactly where to work.
 */
export class TodoError extends Error {
  override name = "TodoError";
}

/** `todo("2: list every route the role may call")` throws `TODO 2: list every route …`. */
export function todo(what: string): never {
  throw new TodoError(`TODO ${what}`);
}

/** Whether an error is a starter's TODO (a checkpoint rethrows it, so the failure names the TODO). */
export function isTodoError(error: unknown): error is Error {
  return error instanceof Error && (error.name === "TodoError" || /^TODO\b/.test(error.message));
}
