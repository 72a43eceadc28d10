/**
 * What the suite runner (run-validation-suite.ts) tells one run of a
 * validation suite through its environment. No vitest import: the runner's
 * parent process reads these names too.
 */
export const SUITE_RUN_ENV = {
  /**
   * "1": the stack is started for this run only and thrown away after it, with
   * everything in it (each of step 06's checkpoint runs). The suite's clean-up
   * has nothing to leave as it was: WorkshopApi.cleanup() skips it.
   */
  throwawayStack: "WORKSHOP_THROWAWAY_STACK",
  /** "1": the first failed test ends the run (stop-at-first-failure.ts): a mutant's run, where one failure is the answer. */
  stopAtFirstFailure: "WORKSHOP_STOP_AT_FIRST_FAILURE",
} as const;

const isSet = (name: string) => process.env[name] === "1";
export const isThrowawayStack = (): boolean => isSet(SUITE_RUN_ENV.throwawayStack);
export const stopsAtFirstFailure = (): boolean => isSet(SUITE_RUN_ENV.stopAtFirstFailure);
