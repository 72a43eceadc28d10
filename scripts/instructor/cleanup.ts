/**
 * `npm run cleanup [-- --target local|aws] [--outputs FILE]`: removes the demo's users and their tenants'
 * purchases from the stack named by the outputs file (`.workshop/outputs.local.json`, the one `npm run local`
 * keeps running, or `.workshop/outputs.aws.json`), and says what it removed.
 */
import { runMain } from "../lib/cli-args.ts";
import { runCleanup } from "./lib/cleanup-command.ts";

runMain(() => runCleanup(process.argv.slice(2)));
