/**
 * Rows 2 and 3: the authorizer's cold start and its bundle.
 *
 * - Cold start: the authorizer and a tiny entry (cold-start-entry.ts) bundled
 *   as the CDK stack bundles the Lambda, run as `node bundle.mjs` (load,
 *   create the verifier with the JWKS at hand, authorize one token, exit)
 *   against `node -e ''`, spawned in alternation; the figure is the
 *   difference of the medians.
 * - Bundle: the real Lambda entry (solutions/03-authorizer/lambda.ts) bundled
 *   the same way: its size, and that no AWS SDK code is inside; the baseline
 *   is aws-jwt-verify's CognitoJwtVerifier bundled alone.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type BuildOptions, type Metafile } from "esbuild";
import { PROJECT_ROOT } from "../../shared/project-root.ts";
import { createSigningKey, jwksOf } from "../../shared/test-helpers/token-factory.ts";
import { BENCH_CLIENT_ID, BENCH_METHOD_ARN, BENCH_USER_POOL_ID, benchIdToken } from "./fixtures.ts";
import type { Progress } from "./progress.ts";
import type { BenchRow } from "./report.ts";
import { baselineFirst, median, nowMs } from "./stats.ts";
import { childCpuMs } from "./process-cpu.ts";

export interface ColdStartOptions {
  /** Alternating pairs of spawns (baseline, bundle) timed. */
  pairs: number;
  /** Untimed pairs first: the node binary and the bundle into the page cache. */
  warmupPairs: number;
  progress: Progress;
}

export const COLD_START_BUDGET_MS = 50;
export const BUNDLE_BUDGET_KB = 30;

/** The CDK stack's bundling options (solutions/app/workshop-stack.ts), as esbuild options. */
export const LAMBDA_BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  mainFields: ["module", "main"],
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // NodejsFunction's default for Node 18+ runtimes: the SDK comes with the runtime.
  external: ["@aws-sdk/*"],
  logLevel: "warning",
  absWorkingDir: PROJECT_ROOT,
  metafile: true,
};

const AWS_SDK_IN_CODE = /@aws-sdk\/|@smithy\/|["']aws-sdk["']/;

export interface BundleFacts {
  bytes: number;
  /** Every module path or import that is AWS SDK code (should be none). */
  awsSdk: string[];
}

/** Bundles a file, or a snippet of TypeScript resolved from the project root, to `outfile`. */
export async function bundle(source: { file: string } | { code: string }, outfile: string): Promise<BundleFacts> {
  const input: BuildOptions =
    "file" in source
      ? { entryPoints: [source.file] }
      : { stdin: { contents: source.code, resolveDir: PROJECT_ROOT, loader: "ts", sourcefile: "entry.ts" } };
  const result = await build({ ...LAMBDA_BUNDLE_OPTIONS, ...input, outfile });
  const code = await readFile(outfile, "utf8");
  return { bytes: Buffer.byteLength(code), awsSdk: awsSdkIn(result.metafile as Metafile, code) };
}

function awsSdkIn(metafile: Metafile, code: string): string[] {
  const sdk = /(^|\/)(@aws-sdk|@smithy)\/|(^|\/)aws-sdk(\/|$)/;
  const found = [
    ...Object.keys(metafile.inputs).filter((path) => sdk.test(path)),
    ...Object.values(metafile.outputs)
      .flatMap((output) => output.imports.map((i) => i.path))
      .filter((path) => sdk.test(path)),
  ];
  if (found.length === 0 && AWS_SDK_IN_CODE.test(code)) found.push(`code mentions ${AWS_SDK_IN_CODE.exec(code)?.[0]}`);
  return found;
}

export async function benchColdStart(options: ColdStartOptions): Promise<BenchRow[]> {
  const { pairs, warmupPairs, progress } = options;
  progress.step(
    `Authorizer cold start: bundling, then ${pairs} alternating pairs of spawns (node bundle.mjs vs node -e '')`,
  );
  const dir = await mkdtemp(join(tmpdir(), "workshop-bench-"));
  try {
    const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
    const benchBundle = join(dir, "bench-entry.mjs");
    const [entryFacts, lambdaFacts, libraryFacts] = await Promise.all([
      bundle({ file: here("./cold-start-entry.ts") }, benchBundle),
      bundle({ file: join(PROJECT_ROOT, "solutions/03-authorizer/lambda.ts") }, join(dir, "lambda.mjs")),
      bundle({ code: `export { CognitoJwtVerifier } from "aws-jwt-verify";` }, join(dir, "library.mjs")),
    ]);

    const key = createSigningKey({ kid: "bench-cold-kid" });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BENCH_USER_POOL_ID,
      BENCH_CLIENT_ID,
      BENCH_METHOD_ARN,
      BENCH_JWKS: JSON.stringify(jwksOf([key])),
      BENCH_TOKEN: benchIdToken(key),
    };
    // Nothing of this process's own loaders or coverage in the children: both sides start bare.
    delete env.NODE_OPTIONS;
    delete env.NODE_V8_COVERAGE;

    const cpu = { baseline: 0, subject: 0 };
    const baseline = () => spawnTimed(["-e", ""], env, (ms) => (cpu.baseline += ms));
    const subject = () => spawnTimed([benchBundle], env, (ms) => (cpu.subject += ms));
    // Once with the answer printed: the bundle must really allow the token.
    const check = spawnSync(process.execPath, [benchBundle], { env: { ...env, BENCH_PRINT: "1" }, encoding: "utf8" });
    if (check.status !== 0 || !check.stdout.includes('"Allow"')) {
      throw new Error(`the bundled authorizer did not allow the bench token: ${check.stderr || check.stdout}`);
    }

    for (let i = 0; i < warmupPairs; i++) {
      baseline();
      subject();
    }
    cpu.baseline = 0;
    cpu.subject = 0;
    const baseMs: number[] = [];
    const subjectMs: number[] = [];
    for (let pair = 0; pair < pairs; pair++) {
      if (baselineFirst(pair)) {
        baseMs.push(baseline());
        subjectMs.push(subject());
      } else {
        subjectMs.push(subject());
        baseMs.push(baseline());
      }
      progress.update(`spawn pair ${pair + 1} / ${pairs}`);
    }
    progress.done();

    // Differences and ratios of the medians, so the table's numbers agree; the paired statistics go to the details.
    const baselineMedian = median(baseMs);
    const subjectMedian = median(subjectMs);
    const difference = subjectMedian - baselineMedian;
    const pairedDifference = median(subjectMs.map((ms, i) => ms - (baseMs[i] as number)));
    // CPU time (user + system) per spawn, when the OS tells: far less sensitive to a busy machine than wall time.
    const cpuDifference = childCpuMs() === undefined ? undefined : (cpu.subject - cpu.baseline) / pairs;
    const lambdaKb = lambdaFacts.bytes / 1000;
    const bundleMet = lambdaKb <= BUNDLE_BUDGET_KB && lambdaFacts.awsSdk.length === 0;

    return [
      {
        id: "authorizer-cold-start",
        figure: "authorizer cold start (bundle, JWKS at hand)",
        baseline: { label: "node -e ''", value: baselineMedian, unit: "ms" },
        subject: { label: "node bundle.mjs", value: subjectMedian, unit: "ms" },
        ratio: subjectMedian / baselineMedian,
        difference,
        target: `≤ ${COLD_START_BUDGET_MS} ms over baseline`,
        met: difference <= COLD_START_BUDGET_MS,
        note:
          "A fresh process loads the bundled authorizer (same esbuild options as the CDK stack), builds the verifier " +
          "from a JWKS in memory, authorizes one token and exits. Medians of wall-clock time to exit " +
          `over ${pairs} alternating pairs of spawns (${formatKb(entryFacts.bytes)} bundle; median per-pair difference ${pairedDifference.toFixed(1)} ms)` +
          (cpuDifference === undefined
            ? ". "
            : `; in CPU time (user + system, the mean over the pairs) the bundle costs ${cpuDifference.toFixed(1)} ms more than the baseline. `) +
          "On a busy machine (load average above the CPU count) every process runs slower, the baseline too, and the wall-clock difference grows with it.",
        details: {
          pairs,
          warmupPairs,
          benchBundleBytes: entryFacts.bytes,
          differenceOfMediansMs: difference,
          medianPairedDifferenceMs: pairedDifference,
          ...(cpuDifference === undefined
            ? {}
            : {
                meanCpuMsBaseline: cpu.baseline / pairs,
                meanCpuMsSubject: cpu.subject / pairs,
                meanCpuDifferenceMs: cpuDifference,
              }),
        },
      },
      {
        id: "authorizer-bundle",
        figure: "authorizer Lambda bundle (lambda.ts), minified",
        baseline: { label: "aws-jwt-verify alone", value: libraryFacts.bytes / 1000, unit: "KB" },
        subject: { label: "lambda.mjs", value: lambdaKb, unit: "KB" },
        ratio: lambdaFacts.bytes / libraryFacts.bytes,
        target: `≤ ${BUNDLE_BUDGET_KB} KB, no AWS SDK inside`,
        met: bundleMet,
        note:
          `${lambdaFacts.bytes.toLocaleString("en-US")} bytes (1 KB = 1000 bytes), source map apart. ` +
          (lambdaFacts.awsSdk.length === 0
            ? "No @aws-sdk or @smithy module in the bundle's inputs, imports or code. "
            : `AWS SDK code found: ${lambdaFacts.awsSdk.slice(0, 5).join(", ")}. `) +
          "The baseline is CognitoJwtVerifier bundled alone, the same way: the ratio is what the workshop's own code adds.",
        details: {
          lambdaBundleBytes: lambdaFacts.bytes,
          libraryBundleBytes: libraryFacts.bytes,
          awsSdkModules: lambdaFacts.awsSdk.length,
        },
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Wall-clock milliseconds of one `node <args>` run to its exit; throws if it
 * failed. `onCpu` gets the child's CPU time, where the OS tells it.
 */
function spawnTimed(args: string[], env: NodeJS.ProcessEnv, onCpu: (ms: number) => void): number {
  const cpuBefore = childCpuMs();
  const started = nowMs();
  const run = spawnSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  const elapsed = nowMs() - started;
  const cpuAfter = childCpuMs();
  if (run.status !== 0)
    throw new Error(`node ${args.join(" ")} failed (${run.status ?? run.signal}): ${run.stderr?.toString() ?? ""}`);
  if (cpuBefore !== undefined && cpuAfter !== undefined) onCpu(cpuAfter - cpuBefore);
  return elapsed;
}

const formatKb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
