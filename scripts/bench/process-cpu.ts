/** CPU time of the bench's child processes, read from Linux's /proc. */
import { readFileSync } from "node:fs";

/** Linux's clock ticks per second for /proc times (USER_HZ: 100 on every mainstream kernel). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * User + system CPU milliseconds of this process's finished children
 * (`cutime` + `cstime` of /proc/self/stat); undefined off Linux. Ticks are
 * 10 ms, so only sums over many runs are meaningful.
 */
export function childCpuMs(): number | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, cutime 16, cstime 17.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[13]) + Number(fields[14]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}
