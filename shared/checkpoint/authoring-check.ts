/**
 * The authoring check (as rustlings' `dev check`): the manifest, the step
 * folders, their TODOs and checks, the `check:step-N` scripts and the README's
 * table of steps must all agree. Each problem is one sentence that says what
 * to fix. `npm test` runs it (scripts/prove-steps.ts).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { StepEntry } from "../../steps/manifest.ts";

const MANIFEST = "steps/manifest.ts";

/** The numbers of the `// TODO n:` comments of a starter file. */
export function todoNumbers(source: string): Set<number> {
  return new Set([...source.matchAll(/\/\/\s*TODO (\d+):/g)].map(([, n]) => Number(n)));
}

/** The README row a step must have in the table of steps. */
export function readmeRow(step: StepEntry): string {
  const label = `${String(step.number).padStart(2, "0")} ${step.title}`;
  const further = step.goingFurther ? " (going further)" : "";
  return `| [${label}](steps/${step.slug}/README.md)${further} | ${step.flowSteps} | ${step.youWrite} | \`npm run check:step-${step.number}\` |`;
}

/** What can be checked without running a checkpoint: folders, files, TODO comments, scripts, README rows. */
export function manifestProblems(root: string, steps: readonly StepEntry[]): string[] {
  const problems: string[] = [];
  const listed = new Set(steps.map((s) => s.slug));
  for (const folder of readdirSync(join(root, "steps"), { withFileTypes: true })) {
    if (folder.isDirectory() && /^\d/.test(folder.name) && !listed.has(folder.name)) {
      problems.push(`steps/${folder.name} is not in ${MANIFEST}: add its entry, or remove the folder.`);
    }
  }

  steps.forEach((step, index) => {
    const name = `step ${step.number} (${step.slug})`;
    if (step.number !== index + 1)
      problems.push(`${name} is entry ${index + 1} of ${MANIFEST}: number the steps 1, 2, 3… in order.`);
    if (!step.slug.startsWith(`${String(step.number).padStart(2, "0")}-`)) {
      problems.push(`${name}: its folder should start with ${String(step.number).padStart(2, "0")}-.`);
    }
    for (const path of [`steps/${step.slug}/README.md`, `steps/${step.slug}/checkpoint`, `solutions/${step.slug}`]) {
      if (!existsSync(join(root, path))) problems.push(`${name}: ${path} is missing.`);
    }
    if (existsSync(join(root, "steps", step.slug))) problems.push(...todoProblems(root, step));
  });

  problems.push(...scriptProblems(root, steps), ...readmeProblems(root, steps), ...docsIndexProblems(root, steps));
  return problems;
}

/** Every TODO of the starter is in the manifest with a hint, and every TODO the manifest lists is in its file. */
function todoProblems(root: string, step: StepEntry): string[] {
  const problems: string[] = [];
  const folder = join(root, "steps", step.slug);
  const starterFiles = readdirSync(folder).filter((f) => f.endsWith(".ts"));
  for (const file of starterFiles) {
    const listed = new Set((step.todos[file] ?? []).map((t) => t.number));
    for (const n of todoNumbers(readFileSync(join(folder, file), "utf8"))) {
      if (!listed.has(n)) problems.push(`steps/${step.slug}/${file} has TODO ${n}, which ${MANIFEST} does not list.`);
    }
  }
  for (const [file, todos] of Object.entries(step.todos)) {
    const path = join(folder, file);
    const present = existsSync(path) ? todoNumbers(readFileSync(path, "utf8")) : new Set<number>();
    for (const todo of todos) {
      if (!present.has(todo.number))
        problems.push(
          `${MANIFEST} lists TODO ${todo.number} of steps/${step.slug}/${file}, which the file does not have.`,
        );
      if (!todo.concept.trim())
        problems.push(`${MANIFEST}: TODO ${todo.number} of steps/${step.slug}/${file} has an empty hint.`);
    }
  }
  return problems;
}

function scriptProblems(root: string, steps: readonly StepEntry[]): string[] {
  const { scripts = {} } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    scripts?: Record<string, string>;
  };
  const problems: string[] = [];
  for (const step of steps) {
    const expected = `tsx scripts/check-step.ts ${step.number}`;
    if (scripts[`check:step-${step.number}`] !== expected) {
      problems.push(`package.json: "check:step-${step.number}" should be "${expected}".`);
    }
  }
  for (const name of Object.keys(scripts).filter((s) => /^check:step-\d+$/.test(s))) {
    if (!steps.some((s) => name === `check:step-${s.number}`))
      problems.push(`package.json: "${name}" names a step ${MANIFEST} does not list.`);
  }
  return problems;
}

function readmeProblems(root: string, steps: readonly StepEntry[]): string[] {
  const lines = readFileSync(join(root, "README.md"), "utf8").split("\n");
  const rows = lines.filter((line) => /^\| \[\d\d /.test(line));
  const problems = steps
    .filter((step) => !lines.includes(readmeRow(step)))
    .map((step) => `README.md's row for step ${step.number} should read: ${readmeRow(step)}`);
  if (rows.length !== steps.length)
    problems.push(`README.md's table of steps has ${rows.length} rows; ${MANIFEST} lists ${steps.length} steps.`);
  return problems;
}

/** docs/architecture.md says, per flow step, which steps teach it: every step, and no other. */
function docsIndexProblems(root: string, steps: readonly StepEntry[]): string[] {
  const file = join(root, "docs", "architecture.md");
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  const named = new Set([...text.matchAll(/`steps\/(\d\d-[\w-]+)`/g)].map(([, slug]) => slug ?? ""));
  const listed = new Set(steps.map((s) => s.slug));
  return [
    ...steps
      .filter((s) => !named.has(s.slug))
      .map((s) => `docs/architecture.md names no flow step that steps/${s.slug} teaches.`),
    ...[...named]
      .filter((slug) => !listed.has(slug))
      .map((slug) => `docs/architecture.md names steps/${slug}, which ${MANIFEST} does not list.`),
  ];
}

/**
 * What a step's checks point at (`file.ts, TODO n`, or `TODO n` when the step
 * has one file with TODOs; `file.ts` alone for given code or a whole file): each
 * pointer names a TODO its file has, and each TODO has a check that points at it.
 */
export function pointerProblems(step: StepEntry, checks: readonly { name: string; todo?: string }[]): string[] {
  const problems: string[] = [];
  const files = Object.keys(step.todos);
  const pointedAt = new Set<string>();
  for (const check of checks) {
    // A check of given code, or of a whole file, names the file alone.
    if (/^\S+\.ts$/.test(check.todo ?? "")) continue;
    const match = /^(?:(\S+\.ts), )?TODO (\d+)$/.exec(check.todo ?? "");
    if (!match) {
      problems.push(`steps/${step.slug}: check "${check.name}" names no TODO ("file.ts, TODO n").`);
      continue;
    }
    const file = match[1] ?? (files.length === 1 ? files[0] : undefined);
    const number = Number(match[2]);
    if (!file || !step.todos[file]?.some((t) => t.number === number)) {
      problems.push(
        `steps/${step.slug}: check "${check.name}" points at ${check.todo}, which ${file ? `steps/${step.slug}/${file}` : "no single file"} does not have.`,
      );
      continue;
    }
    pointedAt.add(`${file}#${number}`);
  }
  for (const [file, todos] of Object.entries(step.todos)) {
    for (const todo of todos) {
      if (!pointedAt.has(`${file}#${todo.number}`))
        problems.push(`steps/${step.slug}/${file}: no check points at TODO ${todo.number}.`);
    }
  }
  return problems;
}
