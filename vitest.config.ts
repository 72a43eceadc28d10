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
          include: ["**/*.e2e.test.ts"],
          exclude: ["**/node_modules/**", "steps/**"],
          // One local stack for these suites, on free ports; stopped when the run ends.
          globalSetup: ["shared/test-helpers/local-stack-setup.ts"],
          ...shared,
        },
      },
    ],
  },
});
