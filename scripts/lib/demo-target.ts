/**
 * What the demo tells its story on: the reference system (a fresh local stack
 * or the deployed one, workshop-target.ts), or with `--mine` a fresh local
 * stack serving the learner's finished pieces, picked as `npm run local` picks
 * them (shared/local-stack/learner-pieces.ts).
 */
import { selectPieces } from "../../shared/local-stack/learner-pieces.ts";
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

export async function openDemoTarget(target: Target, { mine, say }: DemoTargetOptions): Promise<WorkshopTarget> {
  if (!mine) return openTarget(target);
  if (target !== "local") throw new Error(MINE_IS_LOCAL);
  const pieces = await selectPieces();
  say(pieces.summary, "summary");
  for (const warning of pieces.warnings) say(warning, "warning");
  say(STARTING, "progress");
  return openTarget(target, { stackOptions: pieces.stackOptions });
}
