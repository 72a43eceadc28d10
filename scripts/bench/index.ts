/**
 * `npm run bench [-- --quick] [-- --only gateway,session-check]`: the
 * workshop's performance figures (`--only` takes the parts of run.ts's
 * BENCH_PARTS), each a ratio against a baseline measured in
 * the same run (absolute times on a shared machine are noise; the ratio is the
 * figure). Prints a table and writes `.workshop/bench.json` (a --quick smoke
 * run writes bench.quick.json, an --only run bench.partial.json).
 * docs/performance.md explains the method and what to take away.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PROJECT_ROOT } from "../../shared/project-root.ts";
import { runMain } from "../lib/cli-args.ts";
import { style } from "../lib/console-style.ts";
import { consoleProgress } from "./progress.ts";
import { machineLine, renderNotes, renderTable, writeBenchJson } from "./report.ts";
import { BENCH_PARTS, parseParts, runBench } from "./run.ts";

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(`Usage: npm run bench [-- --quick] [-- --only ${BENCH_PARTS.join(",")}]`);
    return 0;
  }
  const quick = values.quick ?? false;
  const only = parseParts(values.only);
  // Only a full run of every part is *the* result; a smoke or partial run never overwrites it.
  const file = join(PROJECT_ROOT, ".workshop", quick ? "bench.quick.json" : only ? "bench.partial.json" : "bench.json");

  console.log(style.bold(`Workshop bench${quick ? " (--quick: a smoke run, the figures mean nothing)" : ""}`));
  console.log(
    style.dim(
      "Every figure is a ratio against a baseline measured in this run, the two alternating; absolute times are shown too.",
    ),
  );
  const result = await runBench({ quick, only, progress: consoleProgress() });

  console.log("");
  console.log(renderTable(result.rows));
  const notes = renderNotes(result.rows);
  if (notes.length > 0) console.log(`\n${notes.map((note) => style.dim(note)).join("\n")}`);
  console.log(`\n${machineLine(result.machine)}`);
  const load = Math.max(result.machine.loadAverageAtStart, result.machine.loadAverageAtEnd ?? 0);
  if (load > result.machine.cpus) {
    console.log(
      style.yellow(
        `The machine was busy (load average ${load} on ${result.machine.cpus} CPUs): the ratios hold up, absolute times and the ms-over-baseline figure run high.`,
      ),
    );
  }
  await writeBenchJson(result, file);
  const missed = result.rows.filter((row) => row.met === false).length;
  console.log(
    `${result.durationSeconds.toFixed(0)} s; ${missed === 0 ? "every target met" : `${missed} target(s) not met (see the notes)`}; written to ${file}`,
  );
  // A missed target is a finding, reported above; only a failure to measure exits non-zero.
  return 0;
}

runMain(main);
