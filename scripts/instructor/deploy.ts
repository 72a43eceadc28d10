/**
 * `npm run deploy [-- --yes] [--profile NAME] [--outputs FILE]`: deploys the solutions' CDK app (stack
 * AuthWorkshop) to the account and Region of your AWS credentials, after checking them and the CDK bootstrap,
 * and writes `.workshop/outputs.aws.json`.
 */
import { runMain } from "../lib/cli-args.ts";
import { runStackCommand } from "./lib/stack-commands.ts";

runMain(() => runStackCommand("deploy", process.argv.slice(2)));
