/**
 * How a validation suite (step 06) runs: its files only, one at a time, against
 * the stack the outputs file names. No global set-up: the stack is already up.
 */
import { defineConfig } from "vitest/config";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export default defineConfig({
  test: {
    include: ["{steps,solutions}/06-validation-tests/*.validation.test.ts"],
    fileParallelism: false,
    setupFiles: ["shared/validation/stop-at-first-failure.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
