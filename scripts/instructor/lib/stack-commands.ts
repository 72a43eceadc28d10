/**
 * `npm run deploy` and `npm run destroy`: check what the CDK CLI words vaguely (credentials, Region, bootstrap),
 * say where the stack goes, ask, then hand over to the CDK CLI, which reports the rest in its own words.
 * The side effects (AWS, the terminal, the CDK CLI) are injected so the tests run offline.
 */
import { spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { PROJECT_ROOT } from "../../../shared/project-root.ts";
import { STACK_NAME, outputsFilePath } from "../../../shared/outputs-file.ts";
import { AwsCommandError, DOCS, checkBootstrap, preflight, type AwsEnvironment } from "./aws-preflight.ts";

export type StackCommand = "deploy" | "destroy";

const usage = (command: StackCommand) => `Usage: npm run ${command} [-- --yes] [--profile NAME] [--outputs FILE]`;

const HELP = `
  --yes, -y        do not ask (needed when stdin is not a terminal)
  --profile NAME   use this AWS profile (same as AWS_PROFILE=NAME)
  --outputs FILE   the outputs file instead of .workshop/outputs.aws.json`;

const STACK_OPTIONS = {
  yes: { type: "boolean", short: "y" },
  help: { type: "boolean", short: "h" },
  profile: { type: "string" },
  outputs: { type: "string" },
} as const;

export function parseStackArgs(command: StackCommand, argv: string[]) {
  const values = parseStrict(argv, STACK_OPTIONS, usage(command));
  return {
    yes: values.yes === true,
    help: values.help === true,
    profile: typeof values.profile === "string" && values.profile ? values.profile : undefined,
    outputsFile: typeof values.outputs === "string" ? resolve(values.outputs) : outputsFilePath("aws"),
  };
}

/** node:util parseArgs, its errors turned into one sentence that ends with the usage. */
export function parseStrict<const O extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: O,
  usage: string,
) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const first = (error as Error).message.split(/\.\s|\n/)[0]!.replace(/\.$/, "");
    throw new AwsCommandError(`${first}: ${usage}`);
  }
}

/** A path as the user would type it: relative to the project when inside it. */
export function displayPath(file: string): string {
  const rel = relative(PROJECT_ROOT, file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split(sep).join("/") : file;
}

/** The CDK CLI's arguments, exactly as the instructor guide shows them; we asked already, so the CDK does not. */
export function cdkArguments(command: StackCommand, outputsFile: string): string[] {
  return command === "deploy"
    ? ["deploy", STACK_NAME, "--outputs-file", displayPath(outputsFile), "--require-approval", "never"]
    : ["destroy", STACK_NAME, "--force"];
}

/** The Region we checked, so that the CDK CLI cannot pick another. */
export function cdkEnvironment(aws: Pick<AwsEnvironment, "region" | "profile">, env: NodeJS.ProcessEnv) {
  const profile = aws.profile ? { AWS_PROFILE: aws.profile } : {};
  return { ...env, ...profile, AWS_REGION: aws.region, AWS_DEFAULT_REGION: aws.region, CDK_DISABLE_VERSION_CHECK: "1" };
}

/** The deployed stack's Region according to the outputs file, if there is one. */
export async function outputsRegion(file: string): Promise<string | undefined> {
  try {
    const outputs = JSON.parse(await readFile(file, "utf8")) as Record<string, { Region?: unknown }>;
    const region = outputs[STACK_NAME]?.Region;
    return typeof region === "string" ? region : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One stack at a time: deploying to a second Region would overwrite the outputs file and leave the first stack
 * running, forgotten; destroying in the wrong Region would do nothing.
 */
export function regionConflict(command: StackCommand, deployed: string | undefined, region: string, file: string) {
  if (!deployed || deployed === region) return undefined;
  const shown = displayPath(file);
  const destroyFirst = `run \`AWS_REGION=${deployed} npm run destroy\``;
  return command === "deploy"
    ? `${shown} says the workshop is already deployed in ${deployed}, but your Region is ${region}: ${destroyFirst} ` +
        `first, deploy with AWS_REGION=${deployed}, or delete ${shown} if that stack is gone.`
    : `${shown} says the workshop is deployed in ${deployed}, but your Region is ${region}: ${destroyFirst}.`;
}

export interface StackCommandDeps {
  env: NodeJS.ProcessEnv;
  preflight: (env: NodeJS.ProcessEnv) => Promise<AwsEnvironment>;
  checkBootstrap: (aws: AwsEnvironment) => Promise<void>;
  /** Runs the CDK CLI with these arguments; resolves with its exit code. */
  runCdk: (args: string[], env: NodeJS.ProcessEnv) => Promise<number>;
  /** The answer typed on the terminal, or undefined when stdin is not one. */
  ask: (question: string) => Promise<string | undefined>;
  log: (line: string) => void;
}

const defaultDeps = (): StackCommandDeps => ({
  env: process.env,
  preflight: (env) => preflight({ env }),
  checkBootstrap: (aws) => checkBootstrap(aws),
  runCdk,
  ask: askOnTerminal,
  log: (line) => console.log(line),
});

export async function runStackCommand(command: StackCommand, argv: string[], deps = defaultDeps()): Promise<number> {
  const options = parseStackArgs(command, argv);
  const { log } = deps;
  if (options.help) return (log(usage(command) + HELP), 0);
  // The SDK's credential chain reads the profile from the process environment.
  if (options.profile) process.env.AWS_PROFILE = options.profile;
  const env = options.profile ? { ...deps.env, AWS_PROFILE: options.profile } : deps.env;

  log("Checking your AWS credentials, Region and account…");
  const aws = await deps.preflight(env);
  const conflict = regionConflict(command, await outputsRegion(options.outputsFile), aws.region, options.outputsFile);
  if (conflict) throw new AwsCommandError(conflict);
  if (command === "deploy") await deps.checkBootstrap(aws);

  const place = `account ${aws.account} (${aws.arn}), Region ${aws.region} (from ${aws.regionSource})`;
  log(
    command === "deploy"
      ? `Deploy ${STACK_NAME} to ${place}, outputs to ${displayPath(options.outputsFile)}.`
      : `Destroy ${STACK_NAME} in ${place}: the user pool with every user, the identity pool, the tables ` +
          "with every purchase and every revocation record, the API, the functions and their log groups.",
  );
  if (!options.yes) {
    const answer = await deps.ask(`${command === "deploy" ? "Deploy" : "Destroy"}? [y/N] `);
    if (answer === undefined) {
      throw new AwsCommandError(
        `Not ${command}ing: stdin is not a terminal, so there is nobody to confirm; ` +
          `run \`npm run ${command} -- --yes\` to ${command} without asking.`,
      );
    }
    if (!/^\s*y(es)?\s*$/i.test(answer)) return (log(`Nothing ${command}ed.`), 1);
  }

  const args = cdkArguments(command, options.outputsFile);
  log(`$ npx cdk ${args.join(" ")}`);
  const code = await deps.runCdk(args, cdkEnvironment(aws, env));
  if (code !== 0) {
    const see = `see "What can go wrong live" in ${DOCS}`;
    throw new AwsCommandError(`cdk ${command} failed (exit code ${code}): its output above says why — ${see}.`);
  }

  if (command === "deploy") {
    if (!(await outputsRegion(options.outputsFile))) {
      throw new AwsCommandError(`cdk deploy wrote no ${STACK_NAME} outputs to ${displayPath(options.outputsFile)}.`);
    }
    log(`Outputs in ${displayPath(options.outputsFile)}. Next: \`npm run demo -- --target aws\`.`);
  } else {
    // Both describe a stack that is gone; the demo's file holds its tokens.
    await rm(options.outputsFile, { force: true });
    const demoEnv = join(PROJECT_ROOT, ".workshop", "demo.env");
    if (options.outputsFile === outputsFilePath("aws")) await rm(demoEnv, { force: true });
    log(`Removed ${displayPath(options.outputsFile)}.`);
  }
  return 0;
}

/** The project's own CDK CLI (what `npx cdk` runs), with this Node; Ctrl-C reaches it and it stops cleanly. */
function runCdk(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const cdk = createRequire(import.meta.url).resolve("aws-cdk/bin/cdk");
  const child = spawn(process.execPath, [cdk, ...args], { cwd: PROJECT_ROOT, env, stdio: "inherit" });
  const ignore = () => {};
  process.on("SIGINT", ignore);
  return new Promise<number>((resolveCode, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolveCode(code ?? (signal ? 130 : 1)));
  }).finally(() => process.off("SIGINT", ignore));
}

/** A y/N question on the terminal; Ctrl-C or Ctrl-D closes it, a no; no terminal is undefined. */
async function askOnTerminal(question: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const closed = new Promise<string>((resolveAnswer) => rl.once("close", () => resolveAnswer("")));
  rl.once("SIGINT", () => rl.close());
  return Promise.race([rl.question(question).catch(() => ""), closed]).finally(() => rl.close());
}
