/** The first line of a message that is not blank, trimmed: what a person reads of an error. */
export function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .find((line) => line.trim().length > 0)
      ?.trim() ?? text
  );
}
