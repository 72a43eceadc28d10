/** The few flags the scripts take; anything else is a one-sentence error. */
import { parseArgs } from "node:util";
import type { Target } from "../../shared/outputs-file.ts";

// The AWS SDK warns on every Node 20 start that its 2027 releases will need Node 22;
// README says so once, and the scripts' output stays readable.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export const isTarget = (value: unknown): value is Target => value === "local" || value === "aws";
export const targetProblem = (value: unknown) => `--target must be "local" or "aws", not "${String(value)}"`;

/** A `--target` value, or the one sentence that says what it must be. */
export function targetOf(value: unknown): Target {
  if (isTarget(value)) return value;
  throw new Error(`${targetProblem(value)}.`);
}

/** `--target local|aws`, plus any boolean flags named in `flags`. */
export function parseTarget<Flag extends string = never>(
  argv = process.argv.slice(2),
  flags: readonly Flag[] = [],
): { target: Target } & Record<Flag, boolean> {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: "string", default: "local" },
      ...Object.fromEntries(flags.map((flag) => [flag, { type: "boolean" as const, default: false }])),
    },
    strict: true,
  });
  return { ...(values as Record<Flag, boolean>), target: targetOf(values.target) };
}

/** Runs a script's main: an expected failure prints one sentence and exits 1, never a stack trace. */
export function runMain(main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      if (process.env.DEBUG && error instanceof Error) console.error(error.stack);
      process.exit(1);
    },
  );
}
