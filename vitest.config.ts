import { defineConfig } from "vitest/config";

// README notes once that AWS SDK releases after January 2027 need Node 22; tests don't repeat it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export default defineConfig({
  test: {
    include: ["shared/**/*.test.ts", "solutions/**/*.test.ts", "scripts/**/*.test.ts"],
    // One local stack for the whole run, on free ports; stopped when the run ends.
    globalSetup: ["shared/test-helpers/local-stack-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
