/**
 * A smoke run of the bench: tiny counts, every row present with finite
 * figures. Never a timing assertion: on a shared machine that would be a
 * flaky test, and `npm run bench` is where the figures are judged.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatRatio, renderNotes, renderTable, writeBenchJson, type BenchResult } from "./report.ts";
import { ALL_ROW_IDS, parseParts, runBench } from "./run.ts";
import { median, quantile, rotation } from "./stats.ts";

describe("bench statistics", () => {
  it("medians and percentiles interpolate between ranks", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.9)).toBeCloseTo(4.6);
    expect(median([])).toBeNaN();
  });

  it("rotates the order of the sides each round", () => {
    expect([0, 1, 2].map((round) => rotation(round, 3))).toEqual([
      [0, 1, 2],
      [1, 2, 0],
      [2, 0, 1],
    ]);
  });

  it("--only takes known parts only", () => {
    expect(parseParts("gateway,list-latency")).toEqual(["gateway", "list-latency"]);
    expect(parseParts("session-check")).toEqual(["session-check"]);
    expect(parseParts(undefined)).toBeUndefined();
    expect(() => parseParts("gateway,nonsense")).toThrow(/nonsense/);
  });
});

describe("npm run bench -- --quick", () => {
  it("measures every row, each with a finite ratio, and renders and saves them", { timeout: 240_000 }, async () => {
    const result = await runBench({ quick: true });

    expect(result.quick).toBe(true);
    // A quick run times one step's check only.
    const expected = ALL_ROW_IDS.filter((id) => !id.startsWith("check-step-") || id === "check-step-4");
    expect(result.rows.map((row) => row.id)).toEqual(expected);
    for (const row of result.rows) {
      expect(Number.isFinite(row.ratio), `${row.id} ratio ${row.ratio}`).toBe(true);
      expect(row.ratio, row.id).toBeGreaterThan(0);
      expect(Number.isFinite(row.baseline.value), `${row.id} baseline`).toBe(true);
      expect(Number.isFinite(row.subject.value), `${row.id} subject`).toBe(true);
      expect(row.target).not.toBe("");
    }
    // The bundle row is about bytes, not time: its facts hold on any machine.
    const bundle = result.rows.find((row) => row.id === "authorizer-bundle");
    expect(bundle?.details.awsSdkModules).toBe(0);
    // The session check's row: measured against the bare handler, and the subject really refuses a signed-out session.
    const session = result.rows.find((row) => row.id === "authorizer-session-check");
    expect(session?.details.refusesSignedOutSession).toBe(true);
    expect(Number.isFinite(session?.difference), "session check difference").toBe(true);
    expect(Number.isFinite(session?.details.readsAloneMs as number), "session check reads alone").toBe(true);

    const table = renderTable(result.rows).split("\n");
    expect(table).toHaveLength(2 + result.rows.length);
    result.rows.forEach((row, index) => {
      expect(table[index + 2]).toContain(row.figure);
      expect(table[index + 2]).toContain(formatRatio(row.ratio));
    });
    expect(renderNotes(result.rows).length).toBeGreaterThan(0);

    const dir = await mkdtemp(join(tmpdir(), "bench-test-"));
    try {
      const file = join(dir, "bench.json");
      await writeBenchJson(result, file);
      const saved = JSON.parse(await readFile(file, "utf8")) as BenchResult;
      expect(saved.rows.map((row) => row.id)).toEqual(expected);
      expect(saved.machine.cpus).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
