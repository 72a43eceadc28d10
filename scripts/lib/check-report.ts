/**
 * What `npm run check -- N` prints, as lines: the one next thing, not the whole
 * test output. Failures are grouped by the TODO that blocks them (the TODO that
 * threw, else the check's pointer when that TODO is still open), each group one
 * line with its TODO's first hint; any other failure is one line with its reason.
 */
import type { StepEntry } from "../../steps/manifest.ts";
import type { CheckpointReport, CheckResult } from "../../shared/checkpoint/run-checkpoint.ts";
import { FAIL, PASS, plain, style } from "./console-style.ts";
import { firstHint } from "./hints.ts";
import { stepTodos, type LocatedTodo } from "./step-todos.ts";

/** At most this many TODO groups, and this many other failures, are spelled out. */
const SHOWN_TODOS = 3;
const SHOWN_OTHERS = 4;

export interface ReportOptions {
  target: "steps" | "solutions";
  /** The step's open TODOs (none for `solutions/`). */
  open: readonly LocatedTodo[];
  verbose?: boolean;
}

/** The TODO that keeps a failed check from passing, if it is one. */
export function blockingTodo(
  check: CheckResult,
  all: readonly LocatedTodo[],
  open: readonly LocatedTodo[],
): LocatedTodo | undefined {
  const thrown = /\bTODO (\d+)\b/.exec(check.reason ?? "")?.[1];
  if (thrown) {
    const todo = all.find((t) => t.number === Number(thrown));
    if (todo) return todo;
  }
  const pointer = /^(?:(\S+\.ts), )?TODO (\d+)$/.exec(check.todo ?? "");
  if (!pointer) return undefined;
  return open.find((t) => t.number === Number(pointer[2]) && (!pointer[1] || t.file === pointer[1]));
}

export function isAllPassed(report: CheckpointReport): boolean {
  return report.loadErrors.length === 0 && report.checks.length > 0 && report.checks.every((c) => c.passed);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function checkReportLines(
  step: Pick<StepEntry, "number" | "slug" | "title" | "todos">,
  report: CheckpointReport,
  options: ReportOptions,
): string[] {
  const folder = `${options.target}/${step.slug}`;
  const passed = report.checks.filter((c) => c.passed).length;
  const total = report.checks.length;
  const lines = [
    style.bold(`Step ${step.number}: ${step.title},`) +
      ` ${total > 0 ? `${passed} of ${plural(total, "check")} ${total === 1 ? "passes" : "pass"}` : "no check could run"}` +
      style.dim(` (${folder}/)`),
  ];

  for (const error of report.loadErrors) lines.push(`${FAIL} ${error}`);
  if (report.loadErrors.length > 0) {
    lines.push(style.dim(`  Fix this first: until it compiles and loads, nothing in ${folder}/ can be checked.`));
    return lines;
  }
  if (isAllPassed(report)) {
    lines.push(`${PASS} ${total === 1 ? "the check passes" : `all ${total} checks pass`}`);
    if (options.verbose) lines.push(...report.checks.map((c) => style.dim(`  ${PASS} ${c.name}`)));
    return lines;
  }

  const all = stepTodos(step);
  if (options.verbose) return [...lines, ...verboseLines(report.checks, folder, all, options.open)];

  const groups = new Map<number, number>();
  const others: CheckResult[] = [];
  for (const check of report.checks.filter((c) => !c.passed)) {
    const todo = blockingTodo(check, all, options.open);
    if (todo) groups.set(todo.number, (groups.get(todo.number) ?? 0) + 1);
    else others.push(check);
  }
  // The manifest's order is the order to work in.
  const ordered = all.filter((t) => groups.has(t.number));
  ordered.slice(0, SHOWN_TODOS).forEach((todo, index) => {
    const count = groups.get(todo.number)!;
    lines.push(
      `${FAIL} TODO ${todo.number} in ${folder}/${todo.file} blocks ${plural(count, "check")}${index === 0 ? ": start there" : ""}`,
    );
    lines.push(`    ${style.dim(firstHint(todo))}`);
  });
  const hidden = ordered.slice(SHOWN_TODOS);
  if (hidden.length > 0) {
    const count = hidden.reduce((sum, t) => sum + groups.get(t.number)!, 0);
    const which =
      hidden.length === 1
        ? `TODO ${hidden[0]!.number} blocks`
        : `TODOs ${hidden.map((t) => t.number).join(", ")} block`;
    lines.push(`${FAIL} ${which} ${plural(count, "more check")}`);
  }
  for (const check of others.slice(0, SHOWN_OTHERS)) {
    const where = check.todo ? style.dim(` (${check.todo})`) : "";
    lines.push(`${FAIL} ${check.name}: ${check.reason ?? "failed"}${where}`);
  }
  if (others.length > SHOWN_OTHERS)
    lines.push(`${FAIL} and ${plural(others.length - SHOWN_OTHERS, "more failing check")}`);

  const next = ordered.length > 0 ? `next hint: npm run hint -- ${step.number} · ` : "";
  lines.push(style.dim(`  ${next}every check and its output: npm run check -- ${step.number} --verbose`));
  return lines;
}

/**
 * `--verbose`: every check, and for a failure its hint, pointer, reason and full output. The pointer is
 * the TODO that blocks it, as in the summary: one that threw, before the check's own.
 */
function verboseLines(
  checks: readonly CheckResult[],
  folder: string,
  all: readonly LocatedTodo[],
  open: readonly LocatedTodo[],
): string[] {
  const lines: string[] = [];
  for (const check of checks) {
    lines.push(`${check.passed ? PASS : FAIL} ${check.name}`);
    if (check.passed) continue;
    if (check.hint) lines.push(`    ${style.yellow("hint:")} ${check.hint}`);
    const blocking = blockingTodo(check, all, open);
    const pointer = blocking ? `${blocking.file}, TODO ${blocking.number}` : check.todo;
    if (pointer) lines.push(`    ${style.yellow("open:")} ${folder}/${pointer}`);
    if (check.reason) lines.push(`    ${style.dim(`got:  ${check.reason}`)}`);
    if (check.details) lines.push(style.dim(plain(check.details).replace(/^/gm, "      ")));
  }
  return lines;
}
