import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../../shared/local-stack/outputs-file.ts";
import { AwsNetworkError, type AwsApi } from "./aws-api.ts";
import { PreflightError, type AwsEnvironment } from "./aws-preflight.ts";
import {
  cdkArguments,
  cdkEnvironment,
  confirmationMode,
  displayPath,
  isYes,
  parseStackArgs,
  planLines,
  refusalSentence,
  regionConflict,
  runStackCommand,
  type StackCommandDeps,
} from "./stack-commands.ts";

describe("the command line", () => {
  it("defaults: ask, the project's outputs file", () => {
    expect(parseStackArgs("deploy", [])).toEqual({
      yes: false,
      help: false,
      profile: undefined,
      outputsFile: join(PROJECT_ROOT, ".workshop", "outputs.aws.json"),
    });
  });

  it("--yes, -y, --profile, --outputs", () => {
    expect(parseStackArgs("destroy", ["-y", "--profile", "workshop", "--outputs", "/tmp/o.json"])).toMatchObject({
      yes: true,
      profile: "workshop",
      outputsFile: "/tmp/o.json",
    });
    expect(parseStackArgs("deploy", ["--yes"]).yes).toBe(true);
  });

  it.each([
    [["--force"], "Unknown option --force: Usage: npm run deploy [-- --yes] [--profile NAME] [--outputs FILE]"],
    [["now"], "Unexpected argument now: Usage: npm run deploy [-- --yes] [--profile NAME] [--outputs FILE]"],
    [["--profile"], "--profile needs a value: Usage: npm run deploy [-- --yes] [--profile NAME] [--outputs FILE]"],
  ])("%j is one sentence with the usage", (argv, message) => {
    expect(() => parseStackArgs("deploy", argv)).toThrow(message);
  });
});

describe("confirmation", () => {
  it("--yes goes ahead; a terminal asks; anything else refuses", () => {
    expect(confirmationMode({ yes: true, interactive: false })).toBe("proceed");
    expect(confirmationMode({ yes: true, interactive: true })).toBe("proceed");
    expect(confirmationMode({ yes: false, interactive: true })).toBe("ask");
    expect(confirmationMode({ yes: false, interactive: false })).toBe("refuse");
  });

  it("the refusal is one sentence that says how", () => {
    expect(refusalSentence("deploy")).toBe(
      "Not deploying: stdin is not a terminal, so there is nobody to confirm; run `npm run deploy -- --yes` to deploy without asking.",
    );
    expect(refusalSentence("destroy")).toContain("`npm run destroy -- --yes`");
  });

  it.each([
    ["y", true],
    ["Y", true],
    ["yes", true],
    [" YES ", true],
    ["", false],
    ["n", false],
    ["no", false],
    ["sure", false],
  ])("%j means %s", (answer, yes) => {
    expect(isYes(answer)).toBe(yes);
  });
});

describe("what the CDK CLI gets", () => {
  it("the documented commands", () => {
    const outputs = join(PROJECT_ROOT, ".workshop", "outputs.aws.json");
    expect(cdkArguments("deploy", outputs)).toEqual(["deploy", "AuthWorkshop", "--outputs-file", ".workshop/outputs.aws.json", "--require-approval", "never"]);
    expect(cdkArguments("destroy", outputs)).toEqual(["destroy", "AuthWorkshop", "--force"]);
    expect(cdkArguments("deploy", "/elsewhere/o.json")).toContain("/elsewhere/o.json");
  });

  it("the Region that was checked, whatever the profile says", () => {
    const env = cdkEnvironment({ region: "eu-west-1", profile: "w" }, { PATH: "/bin", AWS_DEFAULT_REGION: "us-east-1" });
    expect(env).toMatchObject({ PATH: "/bin", AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "eu-west-1", AWS_PROFILE: "w" });
  });

  it("paths are shown relative to the project", () => {
    expect(displayPath(join(PROJECT_ROOT, ".workshop", "outputs.aws.json"))).toBe(".workshop/outputs.aws.json");
    expect(displayPath("/somewhere/else.json")).toBe("/somewhere/else.json");
  });
});

describe("the plan", () => {
  const facts = {
    account: "123456789012",
    arn: "arn:aws:sts::123456789012:assumed-role/Admin/me",
    region: "eu-west-1",
    regionSource: "AWS_REGION",
    stackStatus: undefined,
    bootstrapVersion: 30,
    outputsFile: join(PROJECT_ROOT, ".workshop", "outputs.aws.json"),
  };

  it("deploy: account, Region, stack, bootstrap, outputs, what it creates", () => {
    const text = planLines("deploy", facts).join("\n");
    expect(text).toContain("account    123456789012  (arn:aws:sts::123456789012:assumed-role/Admin/me)");
    expect(text).toContain("Region     eu-west-1  (from AWS_REGION)");
    expect(text).toContain("stack      AuthWorkshop  (not deployed yet: it will be created)");
    expect(text).toContain("bootstrap  CDKToolkit version 30");
    expect(text).toContain("outputs    .workshop/outputs.aws.json");
    expect(text).toContain("`npm run destroy` removes all of it.");
    expect(planLines("deploy", { ...facts, stackStatus: "UPDATE_COMPLETE" }).join("\n")).toContain("(UPDATE_COMPLETE: it will be updated)");
  });

  it("destroy: what goes and what stays", () => {
    const text = planLines("destroy", { ...facts, stackStatus: "CREATE_COMPLETE", profile: "w" }).join("\n");
    expect(text).toContain("stack      AuthWorkshop  (CREATE_COMPLETE: it will be deleted)");
    expect(text).toContain("profile    w");
    expect(text).toContain("user pool with every user");
    expect(text).toContain("CloudWatch role");
  });
});

describe("one stack, one Region", () => {
  it("no outputs file, or the same Region: fine", () => {
    expect(regionConflict("deploy", undefined, "eu-west-1", "/o.json")).toBeUndefined();
    expect(regionConflict("deploy", "eu-west-1", "eu-west-1", "/o.json")).toBeUndefined();
  });

  it("deploying to a second Region would orphan the first stack", () => {
    expect(regionConflict("deploy", "us-east-1", "eu-west-1", "/o.json")).toBe(
      "/o.json says the workshop is already deployed in us-east-1, but your Region is eu-west-1: run `AWS_REGION=us-east-1 npm run destroy` first, deploy with AWS_REGION=us-east-1, or delete /o.json if that stack is gone.",
    );
  });

  it("destroying in the wrong Region would do nothing", () => {
    expect(regionConflict("destroy", "us-east-1", "eu-west-1", "/o.json")).toContain("run `AWS_REGION=us-east-1 npm run destroy`");
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

  function setup(options: { stackStatus?: string; interactive?: boolean; answer?: string; cdkExit?: number; writeOutputs?: boolean; api?: Partial<AwsApi> } = {}) {
    const log: string[] = [];
    const cdkCalls: { args: string[]; env: NodeJS.ProcessEnv }[] = [];
    const questions: string[] = [];
    const api: AwsApi = {
      getCallerIdentity: async () => ({ account: "123456789012", arn: "arn:aws:iam::123456789012:user/me" }),
      getParameter: async () => "30",
      getStackStatus: async () => options.stackStatus,
      ...options.api,
    };
    const aws: AwsEnvironment = {
      account: "123456789012",
      arn: "arn:aws:iam::123456789012:user/me",
      region: "eu-west-1",
      regionSource: "AWS_REGION",
      credentials: { accessKeyId: "a", secretAccessKey: "b" },
      api,
    };
    const deps: StackCommandDeps = {
      env: { PATH: "/usr/bin" },
      preflight: async () => aws,
      checkBootstrap: async () => 30,
      runCdk: async (args, env) => {
        cdkCalls.push({ args, env });
        if (options.writeOutputs !== false && args[0] === "deploy") {
          await writeFile(outputsFile, JSON.stringify({ AuthWorkshop: { ApiUrl: "https://x.execute-api.eu-west-1.amazonaws.com/prod/", Region: "eu-west-1" } }));
        }
        return options.cdkExit ?? 0;
      },
      interactive: options.interactive ?? false,
      ask: async (question) => {
        questions.push(question);
        return options.answer ?? "";
      },
      log: (line) => log.push(line),
    };
    return { deps, log, cdkCalls, questions };
  }

  it("deploy --yes: plan, then exactly the documented cdk command, in the checked Region", async () => {
    const { deps, log, cdkCalls } = setup();
    expect(await runStackCommand("deploy", ["--yes", "--outputs", outputsFile], deps)).toBe(0);
    expect(cdkCalls).toHaveLength(1);
    expect(cdkCalls[0]!.args).toEqual(["deploy", "AuthWorkshop", "--outputs-file", outputsFile, "--require-approval", "never"]);
    expect(cdkCalls[0]!.env).toMatchObject({ PATH: "/usr/bin", AWS_REGION: "eu-west-1" });
    const text = log.join("\n");
    expect(text).toContain("account    123456789012");
    expect(text).toContain(`$ npx cdk deploy AuthWorkshop --outputs-file ${outputsFile} --require-approval never`);
    expect(text).toContain("npm run demo -- --target aws");
  });

  it("deploy on a terminal asks, and a no deploys nothing", async () => {
    const { deps, log, cdkCalls, questions } = setup({ interactive: true, answer: "n" });
    expect(await runStackCommand("deploy", ["--outputs", outputsFile], deps)).toBe(1);
    expect(questions).toEqual(["Deploy AuthWorkshop to account 123456789012 in eu-west-1? [y/N] "]);
    expect(cdkCalls).toEqual([]);
    expect(log.at(-1)).toBe("Nothing deployed.");
  });

  it("deploy on a terminal, answered yes", async () => {
    const { deps, cdkCalls } = setup({ interactive: true, answer: "y" });
    expect(await runStackCommand("deploy", ["--outputs", outputsFile], deps)).toBe(0);
    expect(cdkCalls).toHaveLength(1);
  });

  it("deploy without a terminal and without --yes: the plan, then a refusal", async () => {
    const { deps, log, cdkCalls } = setup();
    await expect(runStackCommand("deploy", ["--outputs", outputsFile], deps)).rejects.toThrow(refusalSentence("deploy"));
    expect(log.join("\n")).toContain("stack      AuthWorkshop");
    expect(cdkCalls).toEqual([]);
  });

  it("not bootstrapped: stops before the plan", async () => {
    const { deps, cdkCalls } = setup();
    deps.checkBootstrap = async () => {
      throw new PreflightError("Account 123456789012 is not bootstrapped");
    };
    await expect(runStackCommand("deploy", ["--yes", "--outputs", outputsFile], deps)).rejects.toThrow("not bootstrapped");
    expect(cdkCalls).toEqual([]);
  });

  it("a failed cdk deploy is one sentence and a non-zero exit", async () => {
    const { deps } = setup({ cdkExit: 1, writeOutputs: false });
    await expect(runStackCommand("deploy", ["--yes", "--outputs", outputsFile], deps)).rejects.toThrow(
      'cdk deploy failed (exit code 1): its output above says why — see "What can go wrong live" in docs/instructor-guide.md.',
    );
  });

  it("a cdk deploy that wrote no outputs is an error", async () => {
    const { deps } = setup({ writeOutputs: false });
    await expect(runStackCommand("deploy", ["--yes", "--outputs", outputsFile], deps)).rejects.toThrow(/wrote no AuthWorkshop outputs/);
  });

  it("deploy refuses a second Region", async () => {
    await writeFile(outputsFile, JSON.stringify({ AuthWorkshop: { ApiUrl: "x", Region: "us-east-1" } }));
    const { deps, cdkCalls } = setup();
    await expect(runStackCommand("deploy", ["--yes", "--outputs", outputsFile], deps)).rejects.toThrow(/already deployed in us-east-1/);
    expect(cdkCalls).toEqual([]);
  });

  it("no network while looking for the stack: one sentence", async () => {
    const { deps } = setup({
      api: {
        getStackStatus: async () => {
          throw new AwsNetworkError("cloudformation.eu-west-1.amazonaws.com", "ECONNRESET");
        },
      },
    });
    await expect(runStackCommand("deploy", ["--yes", "--outputs", outputsFile], deps)).rejects.toThrow(
      "Cannot reach AWS (cloudformation.eu-west-1.amazonaws.com: ECONNRESET): check your network.",
    );
  });

  it("destroy --yes: cdk destroy --force, then the outputs file goes", async () => {
    await writeFile(outputsFile, JSON.stringify({ AuthWorkshop: { ApiUrl: "x", Region: "eu-west-1" } }));
    const { deps, log, cdkCalls } = setup({ stackStatus: "CREATE_COMPLETE" });
    expect(await runStackCommand("destroy", ["--yes", "--outputs", outputsFile], deps)).toBe(0);
    expect(cdkCalls.map((call) => call.args)).toEqual([["destroy", "AuthWorkshop", "--force"]]);
    await expect(readFile(outputsFile)).rejects.toThrow();
    expect(log.join("\n")).toContain(`Removed ${outputsFile}.`);
    expect(log.at(-1)).toBe("Destroyed AuthWorkshop in account 123456789012, eu-west-1.");
  });

  it("destroy asks with the data at stake", async () => {
    const { deps, questions, cdkCalls } = setup({ stackStatus: "UPDATE_COMPLETE", interactive: true, answer: "" });
    expect(await runStackCommand("destroy", ["--outputs", outputsFile], deps)).toBe(1);
    expect(questions).toEqual(["Destroy AuthWorkshop in account 123456789012, eu-west-1, with its users and data? [y/N] "]);
    expect(cdkCalls).toEqual([]);
  });

  it("destroy with no stack: nothing to do, a stale outputs file goes", async () => {
    await writeFile(outputsFile, JSON.stringify({ AuthWorkshop: { ApiUrl: "x", Region: "eu-west-1" } }));
    const { deps, log, cdkCalls } = setup({ stackStatus: undefined });
    expect(await runStackCommand("destroy", ["--outputs", outputsFile], deps)).toBe(0);
    expect(cdkCalls).toEqual([]);
    expect(log).toContain("There is no stack AuthWorkshop in account 123456789012, eu-west-1: nothing to destroy.");
    await expect(readFile(outputsFile)).rejects.toThrow();
  });

  it("destroy in the wrong Region is refused", async () => {
    await writeFile(outputsFile, JSON.stringify({ AuthWorkshop: { ApiUrl: "x", Region: "ap-south-1" } }));
    const { deps, cdkCalls } = setup({ stackStatus: "CREATE_COMPLETE" });
    await expect(runStackCommand("destroy", ["--yes", "--outputs", outputsFile], deps)).rejects.toThrow(/run `AWS_REGION=ap-south-1 npm run destroy`/);
    expect(cdkCalls).toEqual([]);
  });

  it("--help prints the usage and does nothing else", async () => {
    const { deps, log } = setup();
    deps.preflight = async () => {
      throw new Error("must not be called");
    };
    expect(await runStackCommand("destroy", ["--help"], deps)).toBe(0);
    expect(log.join("\n")).toMatch(/^Usage: npm run destroy/);
  });
});
