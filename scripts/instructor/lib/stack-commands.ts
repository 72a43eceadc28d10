/**
 * `npm run deploy` and `npm run destroy`: check the AWS environment, say what
 * is about to happen (account, Region, stack), ask, then hand over to the CDK
 * CLI. The decisions are pure functions; the side effects (AWS, the terminal,
 * the CDK CLI) are injected so the tests run offline.
 */
import { spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { PROJECT_ROOT, STACK_NAME, outputsFilePath } from "../../../shared/local-stack/outputs-file.ts";
import {
  BOOTSTRAP_STACK,
  DOCS,
  PreflightError,
  checkBootstrap,
  describeAwsFailure,
  preflight,
  type AwsEnvironment,
} from "./aws-preflight.ts";
import { AwsServiceError } from "./aws-api.ts";

export type StackCommand = "deploy" | "destroy";

export interface StackCommandOptions {
  yes: boolean;
  help: boolean;
  profile?: string;
  /** Absolute path of the outputs file (`cdk deploy --outputs-file`). */
  outputsFile: string;
}

export const USAGE: Record<StackCommand, string> = {
  deploy: "Usage: npm run deploy [-- --yes] [--profile NAME] [--outputs FILE]",
  destroy: "Usage: npm run destroy [-- --yes] [--profile NAME] [--outputs FILE]",
};

const HELP: Record<StackCommand, string> = {
  deploy: `${USAGE.deploy}

Deploys the workshop's CDK app (stack ${STACK_NAME}) to the AWS account and Region of your
credentials (AWS_PROFILE, AWS_REGION) and writes its outputs to .workshop/outputs.aws.json.

  --yes, -y        do not ask for confirmation (needed when stdin is not a terminal)
  --profile NAME   use this AWS profile (same as AWS_PROFILE=NAME)
  --outputs FILE   write the outputs there instead of .workshop/outputs.aws.json`,
  destroy: `${USAGE.destroy}

Deletes the workshop's stack (${STACK_NAME}) with everything in it, user pool and table
included, and removes .workshop/outputs.aws.json.

  --yes, -y        do not ask for confirmation (needed when stdin is not a terminal)
  --profile NAME   use this AWS profile (same as AWS_PROFILE=NAME)
  --outputs FILE   the outputs file of the deployment (default .workshop/outputs.aws.json)`,
};

/** The command line, or one sentence saying what is wrong with it. */
export function parseStackArgs(command: StackCommand, argv: string[]): StackCommandOptions {
  const values = parseStrict(
    argv,
    {
      yes: { type: "boolean", short: "y", default: false },
      help: { type: "boolean", short: "h", default: false },
      profile: { type: "string" },
      outputs: { type: "string" },
    },
    USAGE[command],
  );
  if (values.profile === "") throw new Error(`--profile needs a profile name: ${USAGE[command]}`);
  return {
    yes: values.yes === true,
    help: values.help === true,
    profile: values.profile as string | undefined,
    outputsFile: values.outputs ? resolve(String(values.outputs)) : outputsFilePath("aws"),
  };
}

type OptionSpec = Record<string, { type: "boolean" | "string"; short?: string; default?: boolean | string }>;

/** node:util parseArgs, with its errors turned into one sentence that ends with the usage. */
export function parseStrict(argv: string[], options: OptionSpec, usage: string): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const quoted = /'([^']+)'/.exec((error as Error).message)?.[1];
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new Error(`Unknown option ${quoted ?? ""}: ${usage}`);
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") throw new Error(`Unexpected argument ${quoted ?? ""}: ${usage}`);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      const option = /--?[\w-]+/.exec((error as Error).message)?.[0] ?? "an option";
      throw new Error(`${option} needs a value: ${usage}`);
    }
    throw error;
  }
}

/** Ask, go ahead, or refuse: without a terminal there is nobody to ask. */
export function confirmationMode(options: { yes: boolean; interactive: boolean }): "proceed" | "ask" | "refuse" {
  if (options.yes) return "proceed";
  return options.interactive ? "ask" : "refuse";
}

export function refusalSentence(command: StackCommand): string {
  const verb = command === "deploy" ? "deploying" : "destroying";
  return `Not ${verb}: stdin is not a terminal, so there is nobody to confirm; run \`npm run ${command} -- --yes\` to ${command} without asking.`;
}

export function isYes(answer: string): boolean {
  return /^\s*y(es)?\s*$/i.test(answer);
}

/** The outputs file as the user would type it: relative to the project when inside it. */
export function displayPath(file: string): string {
  const rel = relative(PROJECT_ROOT, file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split(sep).join("/") : file;
}

/** The CDK CLI's arguments, exactly as the README and the instructor guide show them. */
export function cdkArguments(command: StackCommand, outputsFile: string): string[] {
  return command === "deploy"
    ? ["deploy", STACK_NAME, "--outputs-file", displayPath(outputsFile), "--require-approval", "never"]
    : ["destroy", STACK_NAME, "--force"];
}

/** The CDK CLI's environment: the Region we checked, so that it cannot pick another. */
export function cdkEnvironment(aws: Pick<AwsEnvironment, "region" | "profile">, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    AWS_REGION: aws.region,
    AWS_DEFAULT_REGION: aws.region,
    ...(aws.profile ? { AWS_PROFILE: aws.profile } : {}),
    CDK_DISABLE_VERSION_CHECK: "1",
  };
}

export interface PlanFacts {
  account: string;
  arn: string;
  region: string;
  regionSource: string;
  profile?: string;
  /** CloudFormation's status of the stack; undefined: not deployed; null: we may not look. */
  stackStatus: string | undefined | null;
  bootstrapVersion?: number;
  outputsFile: string;
}

/** What is about to happen, printed before asking. */
export function planLines(command: StackCommand, facts: PlanFacts): string[] {
  const stack =
    facts.stackStatus === null
      ? "status unknown (no permission to describe it)"
      : facts.stackStatus === undefined
        ? command === "deploy"
          ? "not deployed yet: it will be created"
          : "not deployed"
        : `${facts.stackStatus}: it will be ${command === "deploy" ? "updated" : "deleted"}`;
  const lines = [
    command === "deploy" ? "Deploy the workshop to AWS" : "Destroy the workshop's stack in AWS",
    `  account    ${facts.account}  (${facts.arn})`,
    `  Region     ${facts.region}  (from ${facts.regionSource})`,
    ...(facts.profile ? [`  profile    ${facts.profile}`] : []),
    `  stack      ${STACK_NAME}  (${stack})`,
  ];
  if (command === "deploy") {
    if (facts.bootstrapVersion !== undefined) lines.push(`  bootstrap  ${BOOTSTRAP_STACK} version ${facts.bootstrapVersion}`);
    lines.push(
      `  outputs    ${displayPath(facts.outputsFile)}`,
      "It creates a Cognito user pool and app client, a REST API with a Lambda authorizer, two Lambda functions, a DynamoDB table (on demand) and log groups kept one week: within the free tier, or cents, for a workshop.",
      "`npm run destroy` removes all of it.",
    );
  } else {
    lines.push(
      "It deletes the user pool with every user in it, the purchases table with every purchase, the API, the functions and their log groups.",
      `It leaves the ${BOOTSTRAP_STACK} bootstrap stack (shared by every CDK app in the account) and API Gateway's account-level CloudWatch role (free, holds no data).`,
    );
  }
  return lines;
}

/** The deployed stack's Region according to the outputs file, if there is one. */
export async function outputsRegion(file: string): Promise<string | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as Record<string, { Region?: unknown } | undefined>;
    const region = parsed[STACK_NAME]?.Region;
    return typeof region === "string" ? region : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One stack at a time: deploying to a second Region would overwrite the
 * outputs file and orphan the first stack (and its bill); destroying in the
 * wrong Region would do nothing.
 */
export function regionConflict(command: StackCommand, deployedRegion: string | undefined, region: string, outputsFile: string): string | undefined {
  if (!deployedRegion || deployedRegion === region) return undefined;
  const file = displayPath(outputsFile);
  return command === "deploy"
    ? `${file} says the workshop is already deployed in ${deployedRegion}, but your Region is ${region}: run \`AWS_REGION=${deployedRegion} npm run destroy\` first, deploy with AWS_REGION=${deployedRegion}, or delete ${file} if that stack is gone.`
    : `${file} says the workshop is deployed in ${deployedRegion}, but your Region is ${region}: run \`AWS_REGION=${deployedRegion} npm run destroy\`.`;
}

// ---- Running them -------------------------------------------------------------

export interface StackCommandDeps {
  env: NodeJS.ProcessEnv;
  preflight: (env: NodeJS.ProcessEnv) => Promise<AwsEnvironment>;
  checkBootstrap: (aws: AwsEnvironment) => Promise<number | undefined>;
  /** Runs the CDK CLI with these arguments; resolves with its exit code. */
  runCdk: (args: string[], env: NodeJS.ProcessEnv) => Promise<number>;
  interactive: boolean;
  ask: (question: string) => Promise<string>;
  log: (line: string) => void;
}

export function defaultDeps(): StackCommandDeps {
  return {
    env: process.env,
    preflight: (env) => preflight({ env }),
    checkBootstrap: (aws) => checkBootstrap(aws),
    runCdk,
    interactive: process.stdin.isTTY === true,
    ask: askOnTerminal,
    log: (line) => console.log(line),
  };
}

export async function runStackCommand(command: StackCommand, argv: string[], deps: StackCommandDeps = defaultDeps()): Promise<number> {
  const options = parseStackArgs(command, argv);
  if (options.help) {
    deps.log(HELP[command]);
    return 0;
  }
  const env = options.profile ? { ...deps.env, AWS_PROFILE: options.profile } : deps.env;
  // The SDK's credential chain reads the profile from the process environment.
  if (options.profile) process.env.AWS_PROFILE = options.profile;
  const { log } = deps;

  log("Checking your AWS credentials, Region and account…");
  const aws = await deps.preflight(env);

  const conflict = regionConflict(command, await outputsRegion(options.outputsFile), aws.region, options.outputsFile);
  if (conflict) throw new PreflightError(conflict);

  const stackStatus = await stackStatusOf(aws);
  if (command === "destroy" && stackStatus === undefined) {
    log(`There is no stack ${STACK_NAME} in account ${aws.account}, ${aws.region}: nothing to destroy.`);
    for (const removed of await removeLocalFiles(options.outputsFile)) log(`Removed ${removed}.`);
    return 0;
  }
  const bootstrapVersion = command === "deploy" ? await deps.checkBootstrap(aws) : undefined;

  log("");
  for (const line of planLines(command, { ...aws, stackStatus, bootstrapVersion, outputsFile: options.outputsFile })) log(line);
  log("");

  const mode = confirmationMode({ yes: options.yes, interactive: deps.interactive });
  if (mode === "refuse") throw new PreflightError(refusalSentence(command));
  if (mode === "ask") {
    const question =
      command === "deploy"
        ? `Deploy ${STACK_NAME} to account ${aws.account} in ${aws.region}? [y/N] `
        : `Destroy ${STACK_NAME} in account ${aws.account}, ${aws.region}, with its users and data? [y/N] `;
    if (!isYes(await deps.ask(question))) {
      log(command === "deploy" ? "Nothing deployed." : "Nothing destroyed.");
      return 1;
    }
  }

  const args = cdkArguments(command, options.outputsFile);
  log(`$ npx cdk ${args.join(" ")}`);
  const code = await deps.runCdk(args, cdkEnvironment(aws, env));
  if (code !== 0) {
    throw new Error(`cdk ${command} failed (exit code ${code}): its output above says why — see "What can go wrong live" in ${DOCS}.`);
  }

  if (command === "deploy") {
    const region = await outputsRegion(options.outputsFile);
    if (!region) throw new Error(`cdk deploy finished but wrote no ${STACK_NAME} outputs to ${displayPath(options.outputsFile)}.`);
    log("");
    log(`Deployed: outputs in ${displayPath(options.outputsFile)}.`);
    log("Next: `npm run demo -- --target aws`; afterwards `npm run cleanup -- --target aws` removes the demo's users and data, `npm run destroy` the stack.");
  } else {
    for (const removed of await removeLocalFiles(options.outputsFile)) log(`Removed ${removed}.`);
    log(`Destroyed ${STACK_NAME} in account ${aws.account}, ${aws.region}.`);
  }
  return 0;
}

/** undefined: no such stack; null: we may not look (cdk will). */
async function stackStatusOf(aws: AwsEnvironment): Promise<string | undefined | null> {
  try {
    return await aws.api.getStackStatus(STACK_NAME);
  } catch (error) {
    if (error instanceof AwsServiceError && /AccessDenied/.test(error.code)) return null;
    throw new PreflightError(describeAwsFailure(error, { profile: aws.profile, region: aws.region, timeoutMs: 0 }));
  }
}

/** The outputs file and the demo's token file: both describe a stack that is gone. */
async function removeLocalFiles(outputsFile: string): Promise<string[]> {
  const removed: string[] = [];
  const demoEnv = join(PROJECT_ROOT, ".workshop", "demo.env");
  const files = outputsFile === outputsFilePath("aws") ? [outputsFile, demoEnv] : [outputsFile];
  for (const file of files) {
    try {
      await readFile(file);
    } catch {
      continue;
    }
    await rm(file, { force: true });
    removed.push(displayPath(file));
  }
  return removed;
}

/** The project's own CDK CLI (what `npx cdk` runs), with this Node. */
export async function runCdk(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const cdk = createRequire(import.meta.url).resolve("aws-cdk/bin/cdk");
  const child = spawn(process.execPath, [cdk, ...args], { cwd: PROJECT_ROOT, env, stdio: "inherit" });
  // Ctrl-C reaches the CDK CLI too; let it stop cleanly and report its exit.
  const ignore = () => {};
  process.on("SIGINT", ignore);
  try {
    return await new Promise<number>((resolveCode, reject) => {
      child.once("error", reject);
      child.once("exit", (code, signal) => resolveCode(code ?? (signal ? 130 : 1)));
    });
  } finally {
    process.off("SIGINT", ignore);
  }
}

/** A y/N question on the terminal; Ctrl-C or Ctrl-D is a no. */
export async function askOnTerminal(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await new Promise<string>((resolveAnswer) => {
      rl.once("close", () => resolveAnswer(""));
      rl.once("SIGINT", () => {
        process.stdout.write("\n");
        rl.close();
      });
      rl.question(question).then(resolveAnswer, () => resolveAnswer(""));
    });
  } finally {
    rl.close();
  }
}
