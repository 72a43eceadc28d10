/**
 * `npm test`: type-check, lint the docs, check the formatting, run every test,
 * prove every step, and walk the web app in Chromium (`npm run test:web`,
 * which says plainly that it skips when no Chromium is installed), stopping
 * at the first that fails. Piped (CI, `| cat`)
 * or under NO_COLOR, nothing prints colour codes: vitest colours whenever
 * TERM is set, so it is told before it starts.
 */
import { spawnSync } from "node:child_process";

const env = process.stdout.isTTY && !process.env.NO_COLOR ? process.env : { ...process.env, NO_COLOR: "1" };
for (const script of ["typecheck", "lint:docs", "lint:format", "test:unit", "test:steps", "test:web"]) {
  const { status } = spawnSync("npm", ["run", "-s", script], { stdio: "inherit", env });
  if (status !== 0) process.exit(status ?? 1);
}
