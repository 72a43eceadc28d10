/** Colours for a terminal, none for a pipe or CI log (and NO_COLOR is honoured). */
const enabled = process.stdout.isTTY === true && !process.env.NO_COLOR;
// A tool this process starts (vitest under `npm run validate`) colours whenever TERM is set, tty or
// not, unless NO_COLOR says otherwise: a pipe or log of ours gets none of its colours either.
if (process.stdout.isTTY !== true) process.env.NO_COLOR ??= "1";
const wrap = (code: number) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[0m` : text);

export const style = {
  bold: wrap(1),
  dim: wrap(2),
  red: wrap(31),
  green: wrap(32),
  yellow: wrap(33),
  cyan: wrap(36),
};

export const PASS = style.green("✓");
export const FAIL = style.red("✗");

/** Text from another tool (an error's output), without its colour codes when ours are off. */
export function plain(text: string): string {
  return enabled ? text : text.replace(/\u001b\[[0-9;]*m/g, "");
}

/**
 * A line that says what is running, on a terminal only, erased by the returned
 * function: a piped or logged run prints just the result.
 */
export function statusLine(text: string): () => void {
  if (process.stdout.isTTY !== true) return () => {};
  process.stdout.write(text);
  return () => process.stdout.write("\r\u001b[2K");
}
