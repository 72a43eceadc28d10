/**
 * `npm run validate [-- --solution] [-- --target aws]`: runs your step 06
 * validation suite against a stack. Local by default: the one `npm run local`
 * keeps running if there is one, else a fresh stack for this run only.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalStack } from "../shared/local-stack/local-stack.ts";
import { readOutputsFile, writeOutputsFile } from "../shared/outputs-file.ts";
import { runValidationSuite } from "../shared/validation/run-validation-suite.ts";
import { parseTarget, runMain } from "./lib/cli-args.ts";
import { style } from "./lib/console-style.ts";

const SUITE = "purchases-api.validation.test.ts";

async function main(): Promise<number> {
  const { target, solution } = parseTarget(process.argv.slice(2), ["solution"]);
  const suiteFile = join(solution ? "solutions" : "steps", "06-validation-tests", SUITE);

  // No deployed stack: one sentence saying so, before vitest starts.
  if (target === "aws") await readOutputsFile("aws");
  if (target === "aws" || (await localStackIsRunning())) {
    console.log(
      style.dim(`Running ${suiteFile} against the ${target === "aws" ? "deployed" : "running local"} stack…`),
    );
    return (await runValidationSuite({ suiteFile, target, inherit: true })).passed ? 0 : 1;
  }

  console.log(style.dim("No local stack is running: starting one for this run…"));
  const stack = await startLocalStack();
  const dir = await mkdtemp(join(tmpdir(), "workshop-validate-"));
  try {
    const outputsFile = await writeOutputsFile("local", stack.outputs, join(dir, "outputs.json"));
    console.log(style.dim(`Running ${suiteFile} against it…`));
    return (await runValidationSuite({ suiteFile, target, outputsFile, inherit: true })).passed ? 0 : 1;
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function localStackIsRunning(): Promise<boolean> {
  try {
    const { ApiUrl } = await readOutputsFile("local");
    await fetch(ApiUrl, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

runMain(main);
