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
