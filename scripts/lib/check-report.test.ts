import { describe, expect, it } from "vitest";
import type { CheckResult } from "../../shared/checkpoint/run-checkpoint.ts";
import { checkReportLines } from "./check-report.ts";
import { stepTodos } from "./step-todos.ts";

const step = {
  number: 3,
  slug: "03-x",
  title: "X",
  todos: {
    "a.ts": [
      { number: 1, concept: "Concept one.", docs: "https://example.com/1", more: ["Shape.", "const code = 1;"] },
      { number: 2, concept: "Concept two." },
    ],
  },
};
const open = stepTodos(step);
const failing = (name: string, reason: string, todo = "TODO 1", hint = "const code = 1;"): CheckResult => ({
  name,
  passed: false,
  reason,
  todo,
  hint,
});

describe("checkReportLines", () => {
  it("groups failures by the TODO that threw, tier-1 hint only, passed checks as a count", () => {
    const checks = [
      ...Array.from({ length: 30 }, (_, i) => failing(`c${i}`, "TODO 1: build it")),
      failing("via pointer", "expected 500 to be 401", "TODO 2"),
      failing("thrown wins", "did not run: TODO 2: take it", "TODO 1"),
      { name: "ok", passed: true },
    ];
    const lines = checkReportLines(step, { checks, loadErrors: [] }, { target: "steps", open });
    expect(lines).toEqual([
      "Step 3: X, 1 of 33 checks pass (steps/03-x/)",
      "✗ TODO 1 in steps/03-x/a.ts blocks 30 checks: start there",
      "    Concept one. https://example.com/1",
      "✗ TODO 2 in steps/03-x/a.ts blocks 2 checks",
      "    Concept two.",
      "  next hint: npm run hint -- 3 · every check and its output: npm run check -- 3 --verbose",
    ]);
    expect(lines.join("\n")).not.toContain("const code");
  });

  it("lists a failure that no open TODO explains on its own line, with its reason", () => {
    const checks = [failing("refuses a forged token", "expected 200 to be 401", "TODO 2")];
    const lines = checkReportLines(step, { checks, loadErrors: [] }, { target: "steps", open: [open[0]!] });
    expect(lines[1]).toBe("✗ refuses a forged token: expected 200 to be 401 (TODO 2)");
  });

  it("--verbose points a failure at the TODO that blocks it, as the summary does: the one that threw", () => {
    const checks = [failing("thrown wins", "TODO 1: build it", "TODO 2", "Two's hint.")];
    const lines = checkReportLines(step, { checks, loadErrors: [] }, { target: "steps", open, verbose: true });
    expect(lines.slice(1, 5)).toEqual([
      "✗ thrown wins",
      "    hint: Two's hint.",
      "    open: steps/03-x/a.ts, TODO 1",
      "    got:  TODO 1: build it",
    ]);
  });

  it("a load error is one line and no hints", () => {
    const report = { checks: [], loadErrors: ["steps/03-x/a.ts:3:7: Expected `)` but found `;`"] };
    const lines = checkReportLines(step, report, { target: "steps", open });
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe("✗ steps/03-x/a.ts:3:7: Expected `)` but found `;`");
    expect(lines.join("\n")).not.toContain("Concept");
  });

  it("all passing is two lines", () => {
    const report = { checks: [{ name: "a", passed: true }], loadErrors: [] };
    expect(checkReportLines(step, report, { target: "solutions", open: [] })).toEqual([
      "Step 3: X, 1 of 1 check passes (solutions/03-x/)",
      "✓ the check passes",
    ]);
  });
});
