/**
 * A step's TODOs as the learner sees them: which file holds each, and which are
 * still open (the starter's `todo("n: …")` call, or step 06's `it.todo("TODO n: …")`,
 * is still there). Pure: the caller reads the files.
 */
import type { StepEntry, StepTodo } from "../../steps/manifest.ts";

export interface LocatedTodo extends StepTodo {
  /** The starter file that holds it, e.g. `authorizer.ts`. */
  file: string;
}

/** Every TODO of the step, in the manifest's order, with its file. */
export function stepTodos(step: Pick<StepEntry, "todos">): LocatedTodo[] {
  return Object.entries(step.todos).flatMap(([file, todos]) => todos.map((todo) => ({ ...todo, file })));
}

/** Whether a starter file still has TODO n's `todo("n: …")` call. */
export function todoIsOpen(source: string, number: number): boolean {
  return new RegExp(`\\btodo\\(\\s*["'\`](?:TODO )?${number}:`).test(source);
}

/** The step's open TODOs, in the manifest's order; `source` gives a starter file's text (undefined if missing). */
export function openTodos(step: Pick<StepEntry, "todos">, source: (file: string) => string | undefined): LocatedTodo[] {
  return stepTodos(step).filter((todo) => todoIsOpen(source(todo.file) ?? "", todo.number));
}
