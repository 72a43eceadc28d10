/**
 * The AuthWorkshop stack's CloudFormation template, synthesized from the CDK
 * app itself, so the local stack enforces the roles' policies as deployed
 * (the local IAM check reads them with `rolePolicyDocuments`) and cannot drift
 * from them.
 *
 * Synthesis costs seconds (the CDK library's import and the construct tree),
 * and the local stack starts in many tests (step 06's checkpoint alone starts
 * about 17), so the result is cached twice:
 *
 * - per process, by the sources' hash, so a second stack in the same process
 *   pays nothing;
 * - on disk, `.workshop/cache/workshop-template-<hash>.json`, so a new process
 *   reads a file instead of loading aws-cdk-lib. The hash covers every source
 *   the stack is built from: the non-test TypeScript under `solutions/` (the
 *   constructs and the functions' entries; the web app aside), `shared/runtime/`
 *   and `shared/*.ts`, `cdk.json` (the context) and `package-lock.json` (the
 *   CDK's version), and this file. Change any of them and the next start
 *   synthesizes again. `WORKSHOP_TEMPLATE_CACHE=off` skips the disk cache.
 *
 * Bundling is off (context `aws:cdk:bundling-stacks` = []): the template is
 * the same, and no function's code is read.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { STACK_NAME } from "../outputs-file.ts";
import { PROJECT_ROOT } from "../project-root.ts";
import type { CloudFormationTemplate } from "./iam/cloudformation-policies.ts";

/** Bump when the cached file's shape changes. */
const CACHE_FORMAT = 1;

export interface WorkshopTemplate {
  template: CloudFormationTemplate & { Resources: Record<string, { Type: string; Properties?: Record<string, any> }> };
  /** Logical ids of the resources the local stack plays, as the stack object knew them at synthesis. */
  ids: {
    /** Each function's execution role, by the function's name in ROUTES, plus `authorizer`. */
    functionRoles: Record<string, string>;
    purchasesTable: string;
    revocationsTable: string;
    userPool: string;
    restApi: string;
    stage: string;
  };
}

export interface TemplateTiming {
  /** Where the template came from this time. */
  source: "memory" | "disk" | "synthesis";
  ms: number;
}

const inProcess = new Map<string, Promise<WorkshopTemplate>>();

/** The synthesized template, from the cheapest place that has it for the current sources. */
export async function workshopTemplate(
  options: { diskCache?: boolean; onTiming?: (timing: TemplateTiming) => void } = {},
): Promise<WorkshopTemplate> {
  const started = performance.now();
  const key = sourcesHash();
  const report = (source: TemplateTiming["source"]) =>
    options.onTiming?.({ source, ms: Math.round(performance.now() - started) });
  const memoized = inProcess.get(key);
  if (memoized) {
    const template = await memoized;
    report("memory");
    return template;
  }
  const useDisk = (options.diskCache ?? true) && process.env.WORKSHOP_TEMPLATE_CACHE !== "off";
  const file = join(PROJECT_ROOT, ".workshop", "cache", `workshop-template-${key}.json`);
  const loading = (async (): Promise<[WorkshopTemplate, TemplateTiming["source"]]> => {
    if (useDisk) {
      const cached = readCached(file, key);
      if (cached) return [cached, "disk"];
    }
    const synthesized = await synthesizeWorkshopTemplate();
    if (useDisk) writeCached(file, key, synthesized);
    return [synthesized, "synthesis"];
  })();
  const template = loading.then(([value]) => value);
  inProcess.set(key, template);
  template.catch(() => inProcess.delete(key));
  const [value, source] = await loading;
  report(source);
  return value;
}

/** Synthesizes the stack now, bypassing both caches. */
export async function synthesizeWorkshopTemplate(): Promise<WorkshopTemplate> {
  // Loaded only on a cache miss: aws-cdk-lib alone takes a good part of a second to import.
  const [{ App }, { AuthWorkshopStack }] = await Promise.all([
    import("aws-cdk-lib"),
    import("../../solutions/app/workshop-stack.ts"),
  ]);
  const { context } = JSON.parse(readFileSync(join(PROJECT_ROOT, "cdk.json"), "utf8")) as {
    context: Record<string, unknown>;
  };
  const outdir = mkdtempSync(join(tmpdir(), "auth-workshop-local-synth-"));
  try {
    const app = new App({ outdir, context: { ...context, "aws:cdk:bundling-stacks": [] } });
    const stack = new AuthWorkshopStack(app, STACK_NAME);
    const template = app.synth().getStackByName(STACK_NAME).template as WorkshopTemplate["template"];
    const idOf = (construct: { node: { defaultChild?: unknown } }) =>
      stack.getLogicalId(construct.node.defaultChild as Parameters<typeof stack.getLogicalId>[0]);
    const functionRoles: Record<string, string> = {};
    const functions = { ...stack.functions, authorizer: stack.authorizerFunction };
    for (const [name, fn] of Object.entries(functions)) {
      if (!fn.role) throw new Error(`the ${name} function has no role`);
      functionRoles[name] = idOf(fn.role);
    }
    return {
      template,
      ids: {
        functionRoles,
        purchasesTable: idOf(stack.purchasesTable.table),
        revocationsTable: idOf(stack.revocations.table),
        userPool: idOf(stack.identity.userPool),
        restApi: idOf(stack.api.restApi),
        stage: idOf(stack.api.restApi.deploymentStage),
      },
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function readCached(file: string, key: string): WorkshopTemplate | undefined {
  try {
    const cached = JSON.parse(readFileSync(file, "utf8")) as { format?: number; key?: string } & WorkshopTemplate;
    if (cached.format !== CACHE_FORMAT || cached.key !== key) return undefined;
    return { template: cached.template, ids: cached.ids };
  } catch {
    return undefined; // absent or half-written by an older version: synthesize
  }
}

function writeCached(file: string, key: string, value: WorkshopTemplate): void {
  try {
    const dir = join(file, "..");
    mkdirSync(dir, { recursive: true });
    // Many processes may start a stack at once: write aside, then rename (atomic on one file system).
    const partial = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(partial, JSON.stringify({ format: CACHE_FORMAT, key, ...value }));
    renameSync(partial, file);
    for (const old of readdirSync(dir)) {
      if (old.startsWith("workshop-template-") && old.endsWith(".json") && join(dir, old) !== file) {
        rmSync(join(dir, old), { force: true });
      }
    }
  } catch {
    // A read-only checkout still works, only slower.
  }
}

/** What the stack is built from (see the file's comment), hashed: path and content of each file. */
export function sourcesHash(): string {
  const hash = createHash("sha256");
  hash.update(`format ${CACHE_FORMAT}\n`);
  const files = [
    ...sourceFiles(
      join(PROJECT_ROOT, "solutions"),
      (path) => !path.startsWith(join(PROJECT_ROOT, "solutions", "web-app")),
    ),
    ...sourceFiles(join(PROJECT_ROOT, "shared", "runtime")),
    ...readdirSync(join(PROJECT_ROOT, "shared"))
      .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
      .map((name) => join(PROJECT_ROOT, "shared", name)),
    join(PROJECT_ROOT, "cdk.json"),
    join(PROJECT_ROOT, "package-lock.json"),
    join(PROJECT_ROOT, "shared", "local-stack", "workshop-template.ts"),
  ].sort();
  for (const file of files) {
    hash.update(`${relative(PROJECT_ROOT, file)}\n`);
    hash.update(readFileSync(file));
  }
  return hash.digest("hex").slice(0, 16);
}

function sourceFiles(dir: string, keep: (path: string) => boolean = () => true): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (!keep(path) || entry.name === "node_modules") continue;
    if (entry.isDirectory()) found.push(...sourceFiles(path, keep));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) found.push(path);
  }
  return found;
}
