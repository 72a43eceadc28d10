/**
 * `npm run destroy [-- --yes] [--profile NAME]`: deletes the workshop's stack
 * (user pool, table, API, functions, log groups) and `.workshop/outputs.aws.json`.
 * Says what it is about to delete, and asks.
 */
import { runMain } from "../lib/cli-args.ts";
import { runStackCommand } from "./lib/stack-commands.ts";

runMain(() => runStackCommand("destroy", process.argv.slice(2)));
