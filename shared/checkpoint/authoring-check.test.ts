/**
 * The authoring check, on the workshop itself and on a small made-up workshop
 * with one thing wrong at a time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { STEPS, type StepEntry } from "../../steps/manifest.ts";
import { PROJECT_ROOT } from "../project-root.ts";
import { manifestProblems, pointerProblems, readmeRow } from "./authoring-check.ts";

const step: StepEntry = {
  number: 1,
  slug: "01-basics",
  title: "Basics",
  flowSteps: "2",
  youWrite: "a decoder",
  todos: { "decode.ts": [{ number: 1, concept: "base64url" }] },
};

let root = "";
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = "";
});

/** A workshop of one step that agrees with its manifest; `change` breaks one thing. */
function workshop(change: (write: (path: string, text: string) => void) => void = () => {}): string {
  root = mkdtempSync(join(tmpdir(), "authoring-"));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write("steps/01-basics/README.md", "# Basics\n");
  write("steps/01-basics/checkpoint/basics.test.ts", "");
  write("steps/01-basics/decode.ts", "// TODO 1: decode it.\n");
  write("solutions/01-basics/decode.ts", "export {};\n");
  write("package.json", JSON.stringify({ scripts: { "check:step-1": "tsx scripts/check-step.ts 1" } }));
  write("README.md", `| step |\n| --- |\n${readmeRow(step)}\n`);
  change(write);
  return root;
}

describe("the manifest agrees with the tree", () => {
  it("this workshop's", () => {
    expect(manifestProblems(PROJECT_ROOT, STEPS)).toEqual([]);
  });

  it("a made-up one that agrees", () => {
    expect(manifestProblems(workshop(), [step])).toEqual([]);
  });

  it.each([
    [
      "an unlisted step folder",
      (w: (p: string, t: string) => void) => w("steps/99-extra/checkpoint/x.test.ts", ""),
      "steps/99-extra is not in steps/manifest.ts",
    ],
    [
      "a TODO the manifest does not list",
      (w: (p: string, t: string) => void) => w("steps/01-basics/decode.ts", "// TODO 1: a\n// TODO 2: b\n"),
      "has TODO 2",
    ],
    [
      "a listed TODO the file lacks",
      (w: (p: string, t: string) => void) => w("steps/01-basics/decode.ts", "// nothing to do\n"),
      "lists TODO 1",
    ],
    [
      "a check:step script that disagrees",
      (w: (p: string, t: string) => void) =>
        w("package.json", JSON.stringify({ scripts: { "check:step-1": "tsx x.ts" } })),
      '"check:step-1" should be',
    ],
    [
      "a README row that disagrees",
      (w: (p: string, t: string) => void) => w("README.md", "| [01 Basic](steps/01-basics/README.md) | 2 | x | y |\n"),
      "README.md's row for step 1",
    ],
  ])("refuses %s, in one sentence naming it", (_what, change, expected) => {
    const problems = manifestProblems(workshop(change), [step]);
    expect(problems.join("\n")).toContain(expected);
    expect(problems.every((p) => !p.includes("\n"))).toBe(true);
  });

  it("refuses a docs index that misses a step or names one the manifest does not list", () => {
    const problems = manifestProblems(
      workshop((w) => w("docs/architecture.md", "| 1. sign in | `steps/02-gone` |\n")),
      [step],
    );
    expect(problems).toEqual([
      "docs/architecture.md names no flow step that steps/01-basics teaches.",
      "docs/architecture.md names steps/02-gone, which steps/manifest.ts does not list.",
    ]);
  });

  it("refuses an entry whose README or solution is missing", () => {
    workshop();
    rmSync(join(root, "solutions"), { recursive: true });
    rmSync(join(root, "steps/01-basics/README.md"));
    expect(manifestProblems(root, [step])).toEqual([
      "step 1 (01-basics): steps/01-basics/README.md is missing.",
      "step 1 (01-basics): solutions/01-basics is missing.",
    ]);
  });
});

describe("checks point at TODOs", () => {
  it("every TODO has a check, every check a TODO of its file", () => {
    expect(pointerProblems(step, [{ name: "decodes", todo: "decode.ts, TODO 1" }])).toEqual([]);
    expect(pointerProblems(step, [{ name: "decodes", todo: "TODO 1" }]), "one file: the number is enough").toEqual([]);
  });

  it("refuses a pointer at a TODO the file lacks, a check with none, and a TODO no check points at", () => {
    expect(pointerProblems(step, [{ name: "a", todo: "decode.ts, TODO 7" }, { name: "b" }])).toEqual([
      'steps/01-basics: check "a" points at decode.ts, TODO 7, which steps/01-basics/decode.ts does not have.',
      'steps/01-basics: check "b" names no TODO ("file.ts, TODO n").',
      "steps/01-basics/decode.ts: no check points at TODO 1.",
    ]);
  });
});
