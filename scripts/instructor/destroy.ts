/**
 * `npm run destroy [-- --yes] [--profile NAME] [--outputs FILE]`: deletes the workshop's stack (user pool,
 * table, API, functions, log groups) and `.workshop/outputs.aws.json`, after saying where, and asking.
 */
import { runMain } from "../lib/cli-args.ts";
import { runStackCommand } from "./lib/stack-commands.ts";

runMain(() => runStackCommand("destroy", process.argv.slice(2)));
