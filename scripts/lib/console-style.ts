/** Colours for a terminal, none for a pipe or CI log (and NO_COLOR is honoured). */
const enabled = process.stdout.isTTY === true && !process.env.NO_COLOR;
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

/**
 * A line that says what is running, on a terminal only, erased by the returned
 * function: a piped or logged run prints just the result.
 */
export function statusLine(text: string): () => void {
  if (process.stdout.isTTY !== true) return () => {};
  process.stdout.write(text);
  return () => process.stdout.write("\r\u001b[2K");
}
