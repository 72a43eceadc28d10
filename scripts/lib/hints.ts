/**
 * `npm run hint`'s logic, pure: each call on a TODO gives its next hint, from
 * the concept to look up (tier 1) to the shape of the answer and the code
 * (steps/manifest.ts, `more`). What was taken is a count per step and TODO.
 */
import type { StepEntry, StepTodo } from "../../steps/manifest.ts";
import type { LocatedTodo } from "./step-todos.ts";

/** Tiers taken so far: step number → TODO number → how many. */
export type HintsTaken = Record<string, Record<string, number>>;

/** A TODO's hints, least telling first: the concept with its docs link, then `more`. */
export function hintTiers(todo: StepTodo): string[] {
  const first = todo.docs ? `${todo.concept} ${todo.docs}` : todo.concept;
  return [first, ...(todo.more ?? [])];
}

/** The tier-1 hint alone: what the check runner may show unasked. */
export function firstHint(todo: StepTodo): string {
  return hintTiers(todo)[0]!;
}

export type HintAnswer =
  | { kind: "hint"; todo: LocatedTodo; tier: number; tiers: number; text: string; taken: HintsTaken }
  | { kind: "no-more"; todo: LocatedTodo; tiers: number }
  | { kind: "all-done" }
  | { kind: "no-such-todo"; numbers: number[] };

export function takenCount(taken: HintsTaken, step: number, todo: number): number {
  return taken[String(step)]?.[String(todo)] ?? 0;
}

/** Total hints taken in a step. */
export function takenInStep(taken: HintsTaken, step: number): number {
  return Object.values(taken[String(step)] ?? {}).reduce((sum, n) => sum + n, 0);
}

/**
 * The next hint of TODO `requested`, or of the first open TODO when none is
 * requested; `taken` is not changed, the answer carries the new counts.
 */
export function nextHint(
  step: Pick<StepEntry, "number" | "todos">,
  all: readonly LocatedTodo[],
  open: readonly LocatedTodo[],
  taken: HintsTaken,
  requested?: number,
): HintAnswer {
  const todo = requested === undefined ? open[0] : all.find((t) => t.number === requested);
  if (requested !== undefined && !todo) return { kind: "no-such-todo", numbers: all.map((t) => t.number) };
  if (!todo) return { kind: "all-done" };
  const tiers = hintTiers(todo);
  const already = takenCount(taken, step.number, todo.number);
  if (already >= tiers.length) return { kind: "no-more", todo, tiers: tiers.length };
  const stepKey = String(step.number);
  return {
    kind: "hint",
    todo,
    tier: already + 1,
    tiers: tiers.length,
    text: tiers[already]!,
    taken: { ...taken, [stepKey]: { ...taken[stepKey], [String(todo.number)]: already + 1 } },
  };
}
