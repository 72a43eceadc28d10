import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../../shared/project-root.ts";
import { AwsCommandError } from "./aws-preflight.ts";
import { cdkArguments, cdkEnvironment, displayPath, parseStackArgs, regionConflict } from "./stack-commands.ts";
import { runStackCommand, type StackCommandDeps } from "./stack-commands.ts";

const USAGE = "Usage: npm run deploy [-- --yes] [--profile NAME] [--outputs FILE]";

describe("the command line", () => {
  it("defaults, and --yes, -y, --profile, --outputs", () => {
    const outputsFile = join(PROJECT_ROOT, ".workshop", "outputs.aws.json");
    expect(parseStackArgs("deploy", [])).toEqual({ yes: false, help: false, profile: undefined, outputsFile });
    expect(parseStackArgs("destroy", ["-y", "--profile", "w", "--outputs", "/tmp/o.json"])).toMatchObject({
      yes: true,
      profile: "w",
      outputsFile: "/tmp/o.json",
    });
  });

  it.each([
    [["--force"], `Unknown option '--force': ${USAGE}`],
    [["now"], `Unexpected argument 'now': ${USAGE}`],
    [["--profile"], `Option '--profile <value>' argument missing: ${USAGE}`],
  ])("%j is one sentence with the usage", (argv, message) => {
    expect(() => parseStackArgs("deploy", argv)).toThrow(message);
  });
});

describe("what the CDK CLI gets", () => {
  it("the documented commands, in the Region that was checked", () => {
    const outputs = join(PROJECT_ROOT, ".workshop", "outputs.aws.json");
    expect(cdkArguments("deploy", outputs)).toEqual([
      "deploy",
      "AuthWorkshop",
      "--outputs-file",
      ".workshop/outputs.aws.json",
      "--require-approval",
      "never",
    ]);
    expect(cdkArguments("destroy", outputs)).toEqual(["destroy", "AuthWorkshop", "--force"]);
    const env = cdkEnvironment({ region: "eu-west-1", profile: "w" }, { PATH: "/b", AWS_DEFAULT_REGION: "us-east-1" });
    expect(env).toMatchObject({ PATH: "/b", AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "eu-west-1" });
    expect(env.AWS_PROFILE).toBe("w");
    expect(displayPath("/somewhere/else.json")).toBe("/somewhere/else.json");
  });
});

describe("one stack, one Region", () => {
  it("deploying to a second Region would leave the first stack running; destroying there would do nothing", () => {
    expect(regionConflict("deploy", undefined, "eu-west-1", "/o.json")).toBeUndefined();
    expect(regionConflict("deploy", "eu-west-1", "eu-west-1", "/o.json")).toBeUndefined();
    expect(regionConflict("deploy", "us-east-1", "eu-west-1", "/o.json")).toBe(
      "/o.json says the workshop is already deployed in us-east-1, but your Region is eu-west-1: run " +
        "`AWS_REGION=us-east-1 npm run destroy` first, deploy with AWS_REGION=us-east-1, " +
        "or delete /o.json if that stack is gone.",
    );
    const destroy = regionConflict("destroy", "us-east-1", "eu-west-1", "/o.json");
    expect(destroy).toContain("run `AWS_REGION=us-east-1 npm run destroy`");
  });
});

describe("runStackCommand", () => {
  let dir: string;
  let outputsFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "stack-commands-"));
    outputsFile = join(dir, "outputs.aws.json");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const writeOutputs = (Region: string) =>
    writeFile(outputsFile, JSON.stringify({ AuthWorkshop: { ApiUrl: "x", Region } }));

  /** Offline: a checked environment, a CDK CLI that records its arguments, a terminal that answers `answer`. */
  function setup(options: { answer?: string; cdkExit?: number; cdkWrites?: boolean } = {}) {
    const log: string[] = [];
    const cdkCalls: { args: string[]; env: NodeJS.ProcessEnv }[] = [];
    const questions: string[] = [];
    const arn = "arn:aws:iam::123456789012:user/me";
    const aws = { account: "123456789012", arn, region: "eu-west-1", regionSource: "AWS_REGION" };
    const deps: StackCommandDeps = {
      env: { PATH: "/usr/bin" },
      preflight: async () => aws,
      checkBootstrap: async () => {},
      runCdk: async (args, env) => {
        cdkCalls.push({ args, env });
        if (options.cdkWrites !== false && args[0] === "deploy") await writeOutputs("eu-west-1");
        return options.cdkExit ?? 0;
      },
      ask: async (question) => (questions.push(question), options.answer),
      log: (line) => log.push(line),
    };
    return { deps, log, cdkCalls, questions };
  }

  it("deploy --yes: where it goes, then exactly the documented cdk command, in the checked Region", async () => {
    const { deps, log, cdkCalls, questions } = setup();
    expect(await runStackCommand("deploy", ["--yes", "--outputs", outputsFile], deps)).toBe(0);
    expect(questions).toEqual([]);
    expect(cdkCalls.map((call) => call.args)).toEqual([cdkArguments("deploy", outputsFile)]);
    expect(cdkCalls[0]!.env).toMatchObject({ PATH: "/usr/bin", AWS_REGION: "eu-west-1" });
    const text = log.join("\n");
    expect(text).toContain("Deploy AuthWorkshop to account 123456789012 (arn:aws:iam::123456789012:user/me)");
    expect(text).toContain("Region eu-west-1 (from AWS_REGION)");
    expect(text).toContain("(from AWS_REGION), outputs to");
    expect(text).toContain(`$ npx cdk deploy AuthWorkshop --outputs-file ${outputsFile} --require-approval never`);
    expect(text).toContain("npm run demo -- --target aws");
  });

  it("on a terminal it asks; anything but yes deploys nothing", async () => {
    const no = setup({ answer: "n" });
    expect(await runStackCommand("deploy", ["--outputs", outputsFile], no.deps)).toBe(1);
    expect(no.questions).toEqual(["Deploy? [y/N] "]);
    expect(no.cdkCalls).toEqual([]);
    expect(no.log.at(-1)).toBe("Nothing deployed.");
    const yes = setup({ answer: " Yes " });
    expect(await runStackCommand("deploy", ["--outputs", outputsFile], yes.deps)).toBe(0);
    expect(yes.cdkCalls).toHaveLength(1);
  });

  it("no terminal and no --yes: a refusal that says how", async () => {
    const { deps, cdkCalls } = setup({ answer: undefined });
    await expect(runStackCommand("destroy", ["--outputs", outputsFile], deps)).rejects.toThrow(
      "Not destroying: stdin is not a terminal, so there is nobody to confirm; " +
        "run `npm run destroy -- --yes` to destroy without asking.",
    );
    expect(cdkCalls).toEqual([]);
  });

  it("not bootstrapped: stops before asking", async () => {
    const { deps, cdkCalls, questions } = setup({ answer: "y" });
    deps.checkBootstrap = async () => {
      throw new AwsCommandError("Account 123456789012 is not bootstrapped");
    };
    await expect(runStackCommand("deploy", ["--outputs", outputsFile], deps)).rejects.toThrow("not bootstrapped");
    expect([cdkCalls, questions]).toEqual([[], []]);
  });

  it("a failed cdk deploy, or one that wrote no outputs, is one sentence", async () => {
    const deploy = (deps: StackCommandDeps) => runStackCommand("deploy", ["-y", "--outputs", outputsFile], deps);
    await expect(deploy(setup({ cdkExit: 1, cdkWrites: false }).deps)).rejects.toThrow(
      'cdk deploy failed (exit code 1): its output above says why — see "What can go wrong live" in ' +
        "docs/instructor-guide.md.",
    );
    await expect(deploy(setup({ cdkWrites: false }).deps)).rejects.toThrow(/^cdk deploy wrote no AuthWorkshop outputs/);
  });

  it("a second Region is refused before anything runs", async () => {
    await writeOutputs("us-east-1");
    const { deps, cdkCalls } = setup();
    const deploy = runStackCommand("deploy", ["--yes", "--outputs", outputsFile], deps);
    await expect(deploy).rejects.toThrow(/already deployed in us-east-1/);
    expect(cdkCalls).toEqual([]);
  });

  it("destroy --yes: cdk destroy --force, then the outputs file goes", async () => {
    await writeOutputs("eu-west-1");
    const { deps, log, cdkCalls } = setup();
    expect(await runStackCommand("destroy", ["--yes", "--outputs", outputsFile], deps)).toBe(0);
    expect(cdkCalls.map((call) => call.args)).toEqual([["destroy", "AuthWorkshop", "--force"]]);
    await expect(readFile(outputsFile)).rejects.toThrow();
    expect(log.at(-1)).toBe(`Removed ${outputsFile}.`);
  });

  it("--help prints the usage and touches nothing", async () => {
    const { deps, log } = setup();
    deps.preflight = async () => {
      throw new Error("must not be called");
    };
    expect(await runStackCommand("destroy", ["--help"], deps)).toBe(0);
    expect(log.join("\n")).toMatch(/^Usage: npm run destroy/);
  });
});
