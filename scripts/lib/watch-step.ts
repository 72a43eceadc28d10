/**
 * `npm run check -- N --watch`: checks again on every save of the step's files.
 * One vitest instance stays in watch mode, so the emulators its global setup
 * starts stay warm. A step whose global setup imports the learner's code (step
 * 03 puts the authorizer behind its gateway) would keep the old code there, so
 * it is checked afresh on each save instead.
 */
import { readFileSync, watch, existsSync } from "node:fs";
import { join } from "node:path";
import { runCheckpoint, watchCheckpoint, type CheckpointReport } from "../../shared/checkpoint/run-checkpoint.ts";
import { stepFolder, type CheckTarget, type StepInfo } from "../../shared/checkpoint/steps.ts";
import { style } from "./console-style.ts";

/** Whether the step's checkpoint setup imports one of the step's own files (`../file.ts`). */
export function setupImportsStepCode(setupSource: string): boolean {
  return /(?:from\s+|import\()\s*["']\.\.\/[^/"']+\.ts["']/.test(setupSource.replace(/import\s+type\b[^;]*;/g, ""));
}

export async function watchStep(
  step: StepInfo,
  target: CheckTarget,
  show: (report: CheckpointReport) => number,
): Promise<number> {
  const folder = stepFolder(step, "steps");
  const setup = join(folder, "checkpoint", "setup.ts");
  const warm = !(existsSync(setup) && setupImportsStepCode(readFileSync(setup, "utf8")));
  const waiting = () =>
    console.log(style.dim(`Watching steps/${step.slug}/: save a file to check again, Ctrl-C to stop.`));
  let started = Date.now();
  const shown = (report: CheckpointReport) => {
    show(report);
    console.log(style.dim(`  (checked in ${((Date.now() - started) / 1000).toFixed(1)} s)`));
    waiting();
  };

  console.log(`Checking ${target}/${step.slug}/…`);
  if (warm) {
    const vitest = await watchCheckpoint(step, target, shown);
    vitest.onTestsRerun(() => {
      started = Date.now();
      console.log(`\nChecking ${target}/${step.slug}/ again…`);
    });
    await new Promise<void>((resolve) => process.once("SIGINT", resolve));
    await vitest.close();
    return 0;
  }

  shown(await runCheckpoint(step, target));
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const again = () => {
    clearTimeout(timer);
    // An editor's save is often several writes: check once they are done.
    timer = setTimeout(() => {
      running = running.then(async () => {
        started = Date.now();
        console.log(`\nChecking ${target}/${step.slug}/ again…`);
        shown(await runCheckpoint(step, target));
      });
    }, 200);
  };
  const watchers = [folder, join(folder, "checkpoint")].map((dir) =>
    watch(dir, (_event, file) => {
      if (file?.toString().endsWith(".ts")) again();
    }),
  );
  await new Promise<void>((resolve) => process.once("SIGINT", resolve));
  for (const watcher of watchers) watcher.close();
  await running;
  return 0;
}
