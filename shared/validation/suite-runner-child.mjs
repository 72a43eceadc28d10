// One vitest kept running for many runs of a validation suite, for
// run-validation-suite.ts's startSuiteRunner: step 06's checkpoint runs the
// learner's suite 17 times (the reference system, then each mutant), and a
// vitest process of its own for each run cost its start and the transform of
// the suite and its helpers every time.
//
// Each run is still a run of its own: a fresh worker process (vitest isolates
// every test file), the environment of that run only (the target, its outputs
// file), its own JSON report and its own output. Plain Node, no tsx: Vite
// transforms the TypeScript (vitest.config.ts included) itself.
import { rm } from "node:fs/promises";
import { Writable } from "node:stream";
import { createVitest } from "vitest/node";

const { config, reportFile } = JSON.parse(process.env.WORKSHOP_SUITE_RUNNER ?? "{}");
let output = "";
const sink = new Writable({
  write(chunk, _encoding, done) {
    output += chunk.toString();
    done();
  },
});

let vitest;
try {
  vitest = await createVitest(
    "test",
    { config, watch: false, reporters: ["dot", "json"], outputFile: { json: reportFile } },
    {},
    { stdout: sink, stderr: sink },
  );
  await vitest.standalone();
} catch (error) {
  process.send?.({ type: "failed", error: `${error?.stack ?? error}\n${output}` });
  process.exit(1);
}
process.send?.({ type: "ready" });

let queue = Promise.resolve();
process.on("message", (message) => {
  if (message?.type === "run") queue = queue.then(() => run(message));
  if (message?.type === "close") queue = queue.then(close);
});
// The parent gone: nothing is left running.
process.on("disconnect", () => void queue.then(close));

async function run({ id, suiteFile, env }) {
  output = "";
  process.exitCode = 0;
  // Read by this run's worker, which vitest forks with this process's environment.
  for (const [name, value] of Object.entries(env)) {
    if (value === null) delete process.env[name];
    else process.env[name] = value;
  }
  await rm(reportFile, { force: true });
  try {
    const { testModules } = await vitest.runTestFiles([suiteFile]);
    // As `vitest run` exits: 1 for a failed test, a module that did not load, an unhandled error, no file.
    if (testModules.length === 0) {
      output += `No test files found: ${suiteFile}\n`;
      process.exitCode = 1;
    }
  } catch (error) {
    output += `${error?.stack ?? error}\n`;
    process.exitCode = 1;
  }
  const passed = process.exitCode === 0 || process.exitCode === undefined;
  process.exitCode = 0;
  process.send?.({ type: "ran", id, passed, output });
}

async function close() {
  await vitest.close();
  process.exit(0);
}
