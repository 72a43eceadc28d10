/**
 * Progress for anything that takes more than a moment: one live line on a
 * terminal (rewritten in place), a line now and then on a pipe or CI log.
 */
export interface Progress {
  /** A new phase starts: printed as its own line. */
  step(text: string): void;
  /** Where the current phase is (e.g. "seeding 12,500 / 100,050 items"): rewritten in place. */
  update(text: string): void;
  /** Ends the live line, if any. */
  done(): void;
}

export const silentProgress: Progress = { step() {}, update() {}, done() {} };

export function consoleProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const live = stream.isTTY === true;
  let pending = false;
  let lastPrinted = 0;
  const clear = () => {
    if (live && pending) stream.write("\r\u001b[2K");
    pending = false;
  };
  return {
    step(text) {
      clear();
      stream.write(`${text}\n`);
    },
    update(text) {
      if (live) {
        stream.write(`\r\u001b[2K  ${text}`);
        pending = true;
      } else if (Date.now() - lastPrinted >= 5_000) {
        // A log gets a line every few seconds, not one per batch.
        lastPrinted = Date.now();
        stream.write(`  ${text}\n`);
      }
    },
    done: clear,
  };
}
