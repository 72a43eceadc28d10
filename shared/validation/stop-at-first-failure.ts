/**
 * A setup file of the validation suites (vitest.config.ts): in a run that asks
 * for it (suite-run-env.ts), every test after the first failed one is skipped.
 * Step 06's checkpoint grades a mutant by whether the suite fails on it, and
 * names the test that failed first: the tests after it would only cost time.
 */
import { beforeEach } from "vitest";
import { stopsAtFirstFailure } from "./suite-run-env.ts";

let failed = false;

beforeEach((context) => {
  if (!stopsAtFirstFailure()) return;
  if (failed) context.skip("an earlier test failed, and one failure is this run's answer");
  context.onTestFailed(() => {
    failed = true;
  });
});
