/**
 * What a bench run produces: one row per figure (baseline and subject measured
 * in the same run, their ratio, the target), the machine it ran on, and the
 * two ways it is shown: a Markdown table (printed, and pasted into
 * docs/performance.md) and `.workshop/bench.json`.
 */
import { cpus, loadavg, totalmem } from "node:os";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

export type Unit = "ms" | "req/s" | "KB";

export interface Measure {
  /** What was measured, e.g. "bare crypto.verify". */
  label: string;
  value: number;
  unit: Unit;
}

export type RowId =
  | "authorizer-warm"
  | "authorizer-cold-start"
  | "authorizer-bundle"
  | "list-latency"
  | "gateway-throughput"
  | "gateway-authorizer-only"
  | "authorizer-session-check"
  | `check-step-${number}`;

export interface BenchRow {
  id: RowId;
  figure: string;
  baseline: Measure;
  subject: Measure;
  /** subject / baseline: the figure the target is about (except where the target says ms or KB). */
  ratio: number;
  /** subject - baseline, for the rows whose target is absolute. */
  difference?: number;
  target: string;
  /** null: reported only, no target. */
  met: boolean | null;
  /** Why the row reads as it does; printed under the table. */
  note?: string;
  /** Counts and settings behind the row (iterations, items, invocations...), for bench.json. */
  details: Record<string, number | string | boolean>;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
  arch: string;
  memoryGiB: number;
  /** 1-minute load average when the run started and ended: a busy machine shows here. */
  loadAverageAtStart: number;
  loadAverageAtEnd?: number;
}

export interface BenchResult {
  generatedAt: string;
  quick: boolean;
  durationSeconds: number;
  machine: Machine;
  rows: BenchRow[];
}

export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? "unknown",
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: round2(loadavg()[0] ?? 0),
  };
}

export function machineLine(machine: Machine): string {
  const load =
    machine.loadAverageAtEnd === undefined
      ? `${machine.loadAverageAtStart}`
      : `${machine.loadAverageAtStart} -> ${machine.loadAverageAtEnd}`;
  return `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node} ${machine.platform}/${machine.arch}, load average ${load}`;
}

export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return `? ${unit}`;
  switch (unit) {
    case "ms":
      return `${value < 1 ? value.toFixed(3) : value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
    case "req/s":
      return `${Math.round(value).toLocaleString("en-US")} req/s`;
    case "KB":
      return `${value.toFixed(1)} KB`;
  }
}

export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return "?";
  return `${ratio < 10 ? ratio.toFixed(2) : ratio.toFixed(1)}×`;
}

function subjectCell(row: BenchRow): string {
  const value = formatValue(row.subject.value, row.subject.unit);
  if (row.difference === undefined) return value;
  const sign = row.difference >= 0 ? "+" : "-";
  return `${value} (${sign}${formatValue(Math.abs(row.difference), row.subject.unit)})`;
}

const metCell = (met: boolean | null) => (met === null ? "report" : met ? "yes" : "NO");

/** The table as Markdown, columns padded so it reads in a terminal too. */
export function renderTable(rows: readonly BenchRow[]): string {
  const header = ["#", "figure", "baseline (same run)", "subject", "ratio", "target", "met?"];
  const body = rows.map((row, index) => [
    String(index + 1),
    row.figure,
    `${row.baseline.label}: ${formatValue(row.baseline.value, row.baseline.unit)}`,
    `${row.subject.label}: ${subjectCell(row)}`,
    formatRatio(row.ratio),
    row.target,
    metCell(row.met),
  ]);
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...body.map((line) => (line[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ")} |`;
  const rule = `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`;
  return [line(header), rule, ...body.map(line)].join("\n");
}

/** The notes under the table, numbered like the rows they explain. */
export function renderNotes(rows: readonly BenchRow[]): string[] {
  return rows.flatMap((row, index) => (row.note ? [`${index + 1}. ${row.note}`] : []));
}

export async function writeBenchJson(result: BenchResult, file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
