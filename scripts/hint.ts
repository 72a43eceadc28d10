/**
 * `npm run hint -- N [T]`: the next hint for step N's first open TODO (or TODO
 * T). Each call tells a little more: the concept and its docs, then the shape
 * of the answer, then the code. What you took is kept in `.workshop/hints.json`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stepFolder, stepNumbered } from "../shared/checkpoint/steps.ts";
import { runMain } from "./lib/cli-args.ts";
import { style } from "./lib/console-style.ts";
import { nextHint } from "./lib/hints.ts";
import { openTodos, stepTodos } from "./lib/step-todos.ts";
import { readHintsTaken, writeHintsTaken } from "./lib/workshop-state.ts";

async function main(): Promise<number> {
  const [stepArg, todoArg] = process.argv.slice(2).filter((a) => a !== "--");
  if (stepArg === undefined) throw new Error("Say which step: npm run hint -- 3 (or npm run hint -- 3 2 for TODO 2).");
  const step = stepNumbered(stepArg);
  const requested = todoArg === undefined ? undefined : Number(todoArg);
  if (requested !== undefined && !Number.isInteger(requested))
    throw new Error(`"${todoArg}" is not a TODO number: npm run hint -- ${step.number} 2 gives TODO 2's next hint.`);

  const folder = stepFolder(step, "steps");
  const source = (file: string) =>
    existsSync(join(folder, file)) ? readFileSync(join(folder, file), "utf8") : undefined;
  const answer = nextHint(step, stepTodos(step), openTodos(step, source), readHintsTaken(), requested);
  const where = (file: string) => `steps/${step.slug}/${file}`;

  switch (answer.kind) {
    case "no-such-todo":
      throw new Error(`Step ${step.number} has no TODO ${requested}: its TODOs are ${answer.numbers.join(", ")}.`);
    case "all-done":
      console.log(
        `Step ${step.number} has no open TODO left: run npm run check -- ${step.number} to see what the checks say.`,
      );
      return 0;
    case "no-more":
      console.log(
        `No hints left for TODO ${answer.todo.number} in ${where(answer.todo.file)}: you have seen all ${answer.tiers}.`,
      );
      console.log(
        `After an honest try, compare with the finished code: diff ${where(answer.todo.file)} solutions/${step.slug}/${answer.todo.file}`,
      );
      return 0;
    case "hint": {
      writeHintsTaken(answer.taken);
      console.log(
        style.bold(`TODO ${answer.todo.number} in ${where(answer.todo.file)}`) +
          style.dim(`, hint ${answer.tier} of ${answer.tiers}:`),
      );
      console.log(`  ${answer.text.replace(/\n/g, "\n  ")}`);
      const again = `npm run hint -- ${step.number}${requested === undefined ? "" : ` ${requested}`}`;
      console.log(
        style.dim(
          answer.tier < answer.tiers
            ? `The next one tells more: ${again}`
            : `That was the last hint for this TODO; then: diff ${where(answer.todo.file)} solutions/${step.slug}/${answer.todo.file}`,
        ),
      );
      return 0;
    }
  }
}

runMain(main);
