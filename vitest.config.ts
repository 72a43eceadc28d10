import { defineConfig } from "vitest/config";

// README notes once that AWS SDK releases after January 2027 need Node 22; tests don't repeat it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const shared = { testTimeout: 30_000, hookTimeout: 120_000 };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["shared/**/*.test.ts", "solutions/**/*.test.ts", "scripts/**/*.test.ts"],
          exclude: ["**/*.e2e.test.ts", "**/*.validation.test.ts", "**/node_modules/**"],
          ...shared,
        },
      },
      {
        test: {
          name: "e2e",
          // Each suite starts its own local stack, with the limits it tests; the reference system's
          // end-to-end suite is step 06's solution, run by the proof on that stack and on every mutant.
          include: ["**/*.e2e.test.ts"],
          exclude: ["**/node_modules/**", "steps/**"],
          ...shared,
        },
      },
    ],
  },
});
