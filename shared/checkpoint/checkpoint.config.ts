/**
 * The vitest config of a checkpoint run in its own process (checkpoint-child.mjs):
 * the step and target come from the environment; run-checkpoint.ts has the rest.
 */
import { defineConfig } from "vitest/config";
import { checkpointChildConfig } from "./run-checkpoint.ts";

export default defineConfig(checkpointChildConfig());
