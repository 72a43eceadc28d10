/**
 * `npm run deploy [-- --yes] [--profile NAME]`: deploys the solutions' CDK app
 * (stack AuthWorkshop) to the account and Region of your AWS credentials and
 * writes `.workshop/outputs.aws.json`. Checks the credentials, the network and
 * the CDK bootstrap first, says what it is about to do, and asks.
 */
import { runMain } from "../lib/cli-args.ts";
import { runStackCommand } from "./lib/stack-commands.ts";

runMain(() => runStackCommand("deploy", process.argv.slice(2)));
