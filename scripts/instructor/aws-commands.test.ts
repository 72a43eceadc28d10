/**
 * `npm run deploy | destroy | cleanup` as a person runs them, in a child
 * process: with no AWS credentials at all (an empty environment and an empty
 * home directory), and against a fake AWS on localhost. Every failure must be
 * one sentence on stderr, a non-zero exit and no stack trace, and nothing may
 * hang.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../shared/local-stack/outputs-file.ts";
import { FAKE_CREDENTIALS, startFakeAws, type FakeAws } from "./lib/fake-aws-server.ts";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Longer than any path may take; a script still running then has hung. */
const HANG_LIMIT_MS = 40_000;

function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join("scripts", "instructor", script), ...args], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} ${args.join(" ")} still running after ${HANG_LIMIT_MS} ms: it hangs`));
    }, HANG_LIMIT_MS);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** One sentence: a single line on stderr, no stack frames anywhere. */
function expectOneSentence(run: Run, pattern: RegExp) {
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/^\s+at /m);
}

let home: string;
let awsOutputs: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "workshop-empty-home-"));
  awsOutputs = join(home, "outputs.aws.json");
  await writeFile(
    awsOutputs,
    JSON.stringify({
      AuthWorkshop: {
        ApiUrl: "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/",
        UserPoolId: "eu-west-1_AbCdEfGhI",
        UserPoolClientId: "client",
        Region: "eu-west-1",
        TableName: "AuthWorkshop-Purchases",
      },
    }),
  );
});
afterAll(() => rm(home, { recursive: true, force: true }));

describe.concurrent("with no AWS credentials anywhere", () => {
  const noCredentials = /^No AWS credentials found: configure a profile \(aws configure \/ aws sso login\) or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY — see docs\/instructor-guide\.md\.$/;

  it.each([
    ["deploy.ts", ["--yes"]],
    ["deploy.ts", []],
    ["destroy.ts", ["--yes"]],
  ])("%s %j stops at once with one sentence", async (script, args) => {
    const run = await runScript(script, args, { HOME: home });
    expect(run.code).not.toBe(0);
    expectOneSentence(run, noCredentials);
  }, 60_000);

  it("cleanup --target aws too", async () => {
    const run = await runScript("cleanup.ts", ["--target", "aws", "--outputs", awsOutputs], { HOME: home });
    expect(run.code).not.toBe(0);
    expectOneSentence(run, noCredentials);
  }, 60_000);
});

describe("against a fake AWS", () => {
  let fake: FakeAws;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    fake = await startFakeAws();
    env = {
      HOME: home,
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
      AWS_REGION: "eu-west-1",
      AWS_ENDPOINT_URL: fake.url,
    };
  });
  afterAll(() => fake.close());

  it("expired credentials", async () => {
    fake.behaviour.identity = { error: "ExpiredToken", message: "The security token included in the request is expired" };
    try {
      const run = await runScript("deploy.ts", ["--yes"], env);
      expect(run.code).not.toBe(0);
      expectOneSentence(run, /^Your AWS credentials have expired: /);
    } finally {
      delete fake.behaviour.identity;
    }
  }, 60_000);

  it("an account that is not bootstrapped: the exact cdk bootstrap command", async () => {
    Object.assign(fake.behaviour, { bootstrapVersion: undefined, stackStatus: undefined });
    const run = await runScript("deploy.ts", ["--yes", "--outputs", join(home, "never-written.json")], env);
    expect(run.code).not.toBe(0);
    expectOneSentence(run, /^Account 123456789012 is not bootstrapped for the CDK in eu-west-1 .*run `npx cdk bootstrap aws:\/\/123456789012\/eu-west-1` once/);
  }, 60_000);

  it("no terminal and no --yes: prints the plan, refuses, deploys nothing", async () => {
    Object.assign(fake.behaviour, { bootstrapVersion: "30", stackStatus: undefined });
    fake.calls.length = 0;
    const run = await runScript("deploy.ts", ["--outputs", join(home, "never-written.json")], env);
    expect(run.code).not.toBe(0);
    expectOneSentence(run, /^Not deploying: stdin is not a terminal.*`npm run deploy -- --yes`/);
    expect(run.stdout).toContain("account    123456789012  (arn:aws:sts::123456789012:assumed-role/WorkshopAdmin/instructor)");
    expect(run.stdout).toContain("Region     eu-west-1  (from AWS_REGION)");
    expect(run.stdout).toContain("stack      AuthWorkshop  (not deployed yet: it will be created)");
    expect(fake.calls).toEqual(["sts:GetCallerIdentity", "cloudformation:DescribeStacks", "ssm:GetParameter"]);
    expect(fake.badSignatures).toEqual([]);
  }, 60_000);

  it("destroy when there is no stack: nothing to do, exit 0", async () => {
    Object.assign(fake.behaviour, { stackStatus: undefined });
    const stale = join(home, "stale-outputs.json");
    await writeFile(stale, await readFile(awsOutputs));
    const run = await runScript("destroy.ts", ["--outputs", stale], env);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("There is no stack AuthWorkshop in account 123456789012, eu-west-1: nothing to destroy.");
    await expect(readFile(stale)).rejects.toThrow();
  }, 60_000);

  it("no network: one sentence naming the endpoint", async () => {
    const port = await closedPort();
    const run = await runScript("destroy.ts", ["--yes"], { ...env, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` });
    expect(run.code).not.toBe(0);
    expectOneSentence(run, new RegExp(`^Cannot reach AWS \\(127\\.0\\.0\\.1:${port}: ECONNREFUSED\\): check your network\\.$`));
  }, 60_000);
});

describe.concurrent("cleanup, offline failures", () => {
  it("a local outputs file whose stack has stopped", async () => {
    const port = await closedPort();
    const stale = join(home, "outputs.local.json");
    await writeFile(
      stale,
      JSON.stringify({
        AuthWorkshop: {
          ApiUrl: `http://127.0.0.1:${port}/prod/`,
          UserPoolId: "us-east-1_local",
          UserPoolClientId: "client",
          Region: "us-east-1",
          TableName: "prod-purchases-local",
          CognitoEndpoint: `http://127.0.0.1:${port}`,
          DynamoDbEndpoint: `http://127.0.0.1:${port}`,
        },
      }),
    );
    const run = await runScript("cleanup.ts", ["--outputs", stale], { HOME: home });
    expect(run.code).not.toBe(0);
    expectOneSentence(run, /^The local stack does not answer \(ECONNREFUSED from http:\/\/127\.0\.0\.1:\d+\): start it with `npm run local`/);
  }, 60_000);

  it("the wrong kind of outputs file for the target", async () => {
    const run = await runScript("cleanup.ts", ["--target", "local", "--outputs", awsOutputs], { HOME: home });
    expect(run.code).not.toBe(0);
    expectOneSentence(run, /describes a deployed stack, not the local one .*use --target aws\.$/);
  }, 60_000);

  it("a bad option", async () => {
    const run = await runScript("cleanup.ts", ["--target", "cloud"], { HOME: home });
    expect(run.code).not.toBe(0);
    expectOneSentence(run, /^--target must be "local" or "aws", not "cloud": Usage: npm run cleanup/);
  }, 60_000);
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
