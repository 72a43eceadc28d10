/**
 * Races a Lambda invocation against its limits: the function's own timeout
 * (Lambda stops it: a function error, API Gateway's 502) and the
 * integration timeout (API Gateway stops waiting: its 504). Whichever is
 * shorter ends the wait first. Real timers, so tests inject short limits.
 */

export type DeadlineOutcome<T> =
  | { kind: "done"; value: T }
  | { kind: "failed"; error: unknown }
  | { kind: "function-timeout" }
  | { kind: "integration-timeout" };

export async function withDeadlines<T>(
  invocation: () => Promise<T>,
  limits: { functionTimeoutMs: number; integrationTimeoutMs?: number },
): Promise<DeadlineOutcome<T>> {
  const timers: NodeJS.Timeout[] = [];
  const after = <K extends "function-timeout" | "integration-timeout">(ms: number, kind: K) =>
    new Promise<{ kind: K }>((resolve) => timers.push(setTimeout(() => resolve({ kind }), ms)));
  const racers: Promise<DeadlineOutcome<T>>[] = [
    Promise.resolve()
      .then(invocation)
      .then(
        (value) => ({ kind: "done", value }) as const,
        (error: unknown) => ({ kind: "failed", error }) as const,
      ),
    after(limits.functionTimeoutMs, "function-timeout"),
  ];
  if (limits.integrationTimeoutMs !== undefined) racers.push(after(limits.integrationTimeoutMs, "integration-timeout"));
  try {
    return await Promise.race(racers);
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}
