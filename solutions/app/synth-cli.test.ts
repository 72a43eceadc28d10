/**
 * `npm run synth` as an instructor runs it: the CDK CLI, offline, with no AWS
 * credentials. It must succeed quietly and write the template with the
 * outputs the scripts read.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { PROJECT_ROOT } from "../../shared/project-root.ts";
import { STACK_NAME } from "../../shared/outputs-file.ts";

it("npm run synth works offline, without credentials, and prints no warning", () => {
  const out = mkdtempSync(join(tmpdir(), "workshop-synth-"));
  try {
    const home = mkdtempSync(join(tmpdir(), "workshop-home-"));
    const run = spawnSync("npx", ["cdk", "synth", "-q", "--output", out], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
      // No AWS configuration at all: an empty HOME, no AWS_* variables.
      env: { PATH: process.env.PATH, HOME: home, CDK_DISABLE_VERSION_CHECK: "1", npm_config_update_notifier: "false" },
    });
    rmSync(home, { recursive: true, force: true });
    expect(run.status, run.stderr).toBe(0);
    const stderr = run.stderr
      .split("\n")
      .filter((line) => line.trim() && !/^Bundling asset|^npm warn Unknown (user|env) config/.test(line));
    expect(stderr).toEqual([]);
    const template = JSON.parse(readFileSync(join(out, `${STACK_NAME}.template.json`), "utf8")) as {
      Outputs: Record<string, unknown>;
    };
    expect(Object.keys(template.Outputs).sort()).toEqual([
      "ApiUrl",
      "IdentityPoolId",
      "Region",
      "TableName",
      "UserPoolClientId",
      "UserPoolId",
    ]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 120_000);
