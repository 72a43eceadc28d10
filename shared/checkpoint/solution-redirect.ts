/**
 * `--solution`: a checkpoint imports its starter files statically
 * (`import { buildTenantPolicy } from "../tenant-policy.ts"`), so `tsc` checks
 * it against the starter's real signatures. When the runner checks the
 * finished code instead, this Vite plugin resolves those imports to the
 * solution's file of the same name.
 */
import { basename, dirname, join, resolve } from "node:path";
import type { Plugin } from "vitest/config";
import { PROJECT_ROOT } from "../project-root.ts";

const CHECKPOINT_DIR = /[\\/]steps[\\/]([^\\/]+)[\\/]checkpoint[\\/]/;

export function redirectStarterImportsToSolutions(): Plugin {
  return {
    name: "workshop:starter-to-solution",
    enforce: "pre",
    resolveId(source, importer) {
      const step = importer && CHECKPOINT_DIR.exec(importer)?.[1];
      if (!step || !source.startsWith(".")) return null;
      const target = resolve(dirname(importer.split("?")[0]!), source);
      // Only the step's own files, not the checkpoint's helpers or shared code.
      if (dirname(target) !== join(PROJECT_ROOT, "steps", step)) return null;
      return join(PROJECT_ROOT, "solutions", step, basename(target));
    },
  };
}
