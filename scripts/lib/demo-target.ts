/**
 * What the demo tells its story on: the reference system (a fresh local stack
 * or the deployed one, workshop-target.ts), or with `--mine` a fresh local
 * stack serving the learner's finished pieces, picked as `npm run local` picks
 * them (shared/local-stack/learner-pieces.ts). Both run with the deployed
 * authorizer cache (300 s).
 */
import { selectPieces } from "../../shared/local-stack/learner-pieces.ts";
import type { LocalStackOptions } from "../../shared/local-stack/local-stack.ts";
import type { Target } from "../../shared/outputs-file.ts";
import { openTarget, type WorkshopTarget } from "./workshop-target.ts";

export const MINE_IS_LOCAL = "--mine runs your code on the local stack: leave out --target aws.";
export const STARTING = "Starting the local stack (Cognito emulator, DynamoDB emulator, local API Gateway)…";

export interface DemoTargetOptions {
  /** The learner's pieces where their TODOs are done, the reference elsewhere (local only). */
  mine: boolean;
  /** Told which piece is whose, and why a piece of theirs is not served, before the stack starts. */
  say: (line: string, kind: "summary" | "warning" | "progress") => void;
}

export interface DemoTarget extends WorkshopTarget {
  /**
   * Another fresh local stack serving the same pieces with the authorizer
   * cache off, for the sign-out chapter; undefined for the deployed stack,
   * whose cache the demo cannot turn off.
   */
  openWithoutCache?: () => Promise<WorkshopTarget>;
}

export async function openDemoTarget(target: Target, { mine, say }: DemoTargetOptions): Promise<DemoTarget> {
  if (target !== "local") {
    if (mine) throw new Error(MINE_IS_LOCAL);
    return openTarget(target);
  }
  let stackOptions: LocalStackOptions = {};
  if (mine) {
    const pieces = await selectPieces();
    say(pieces.summary, "summary");
    for (const warning of pieces.warnings) say(warning, "warning");
    say(STARTING, "progress");
    stackOptions = pieces.stackOptions;
  }
  const workshop = await openTarget(target, { stackOptions });
  return {
    ...workshop,
    openWithoutCache: () => openTarget("local", { stackOptions: { ...stackOptions, authorizerCacheTtlSeconds: 0 } }),
  };
}
