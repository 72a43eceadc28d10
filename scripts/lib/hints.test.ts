import { describe, expect, it } from "vitest";
import { firstHint, hintTiers, nextHint, takenInStep, type HintsTaken } from "./hints.ts";
import { openTodos, stepTodos, todoIsOpen } from "./step-todos.ts";

const step = {
  number: 3,
  todos: {
    "a.ts": [
      { number: 1, concept: "Concept one.", docs: "https://example.com/1", more: ["Shape one.", "Code one."] },
      { number: 2, concept: "Concept two." },
    ],
    "b.ts": [{ number: 3, concept: "Concept three.", more: ["Shape three."] }],
  },
};
const sources: Record<string, string> = {
  "a.ts": 'return todo("2: two");',
  "b.ts": 'it.todo("TODO 3: three");',
};
const all = stepTodos(step);
const open = openTodos(step, (file) => sources[file]);

describe("open TODOs", () => {
  it("are those whose todo() call is still in the file, in the manifest's order", () => {
    expect(open.map((t) => `${t.file}#${t.number}`)).toEqual(["a.ts#2", "b.ts#3"]);
  });

  it("a TODO's number must match exactly, not as a prefix", () => {
    expect(todoIsOpen('todo("12: twelve")', 1)).toBe(false);
    expect(todoIsOpen("todo('1: one')", 1)).toBe(true);
  });
});

describe("nextHint", () => {
  it("gives the first open TODO's tiers one by one, then says none are left", () => {
    let taken: HintsTaken = {};
    const texts: string[] = [];
    for (;;) {
      const answer = nextHint(step, all, open, taken, 3);
      if (answer.kind !== "hint") {
        expect(answer).toMatchObject({ kind: "no-more", tiers: 2 });
        break;
      }
      texts.push(answer.text);
      taken = answer.taken;
    }
    expect(texts).toEqual(["Concept three.", "Shape three."]);
    expect(taken).toEqual({ "3": { "3": 2 } });
  });

  it("tier 1 is the concept with its docs link; tiers 2 and 3 are more[0] and more[1]", () => {
    expect(hintTiers(all[0]!)).toEqual(["Concept one. https://example.com/1", "Shape one.", "Code one."]);
    expect(firstHint(all[0]!)).toBe("Concept one. https://example.com/1");
  });

  it("without a TODO number, picks the first open one and keeps other steps' counts", () => {
    const answer = nextHint(step, all, open, { "1": { "4": 2 } });
    expect(answer).toMatchObject({ kind: "hint", tier: 1, text: "Concept two." });
    if (answer.kind === "hint") {
      expect(answer.taken).toEqual({ "1": { "4": 2 }, "3": { "2": 1 } });
      expect(takenInStep(answer.taken, 3)).toBe(1);
    }
  });

  it("may give a done TODO's hints when asked by number, and refuses a number the step lacks", () => {
    expect(nextHint(step, all, open, {}, 1)).toMatchObject({
      kind: "hint",
      text: "Concept one. https://example.com/1",
    });
    expect(nextHint(step, all, open, {}, 9)).toEqual({ kind: "no-such-todo", numbers: [1, 2, 3] });
  });

  it("with every TODO done, says so", () => {
    expect(nextHint(step, all, [], {})).toEqual({ kind: "all-done" });
  });
});
