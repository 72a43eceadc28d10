/**
 * `npm run deploy | destroy | cleanup` as a person runs them, in a child process: with no AWS credentials at all
 * (an empty environment and an empty home directory), and against a fake AWS on localhost. Every failure must be
 * one sentence on stderr, a non-zero exit and no stack trace, and nothing may hang.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../shared/project-root.ts";
import { FAKE_ARN, FAKE_CREDENTIALS, startFakeAws, type FakeAws } from "./lib/fake-aws-server.ts";

/** Longer than any path may take (the slowest is a 5 s network timeout); a script still running then hangs. */
const HANG_LIMIT_MS = 40_000;
const home = mkdtempSync(join(tmpdir(), "workshop-empty-home-"));
const awsOutputs = join(home, "outputs.aws.json");
const neverWritten = ["--outputs", join(home, "never-written.json")];

beforeAll(async () => {
  const outputs = { UserPoolId: "eu-west-1_AbC", UserPoolClientId: "c", Region: "eu-west-1", TableName: "t" };
  await writeFile(awsOutputs, JSON.stringify({ AuthWorkshop: { ApiUrl: "https://x/prod/", ...outputs } }));
});
afterAll(() => rm(home, { recursive: true, force: true }));

function runScript(script: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ["--import", "tsx", join("scripts", "instructor", script), ...args], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} ${args.join(" ")} still running after ${HANG_LIMIT_MS} ms: it hangs`));
    }, HANG_LIMIT_MS);
    child.once("error", reject);
    child.once("close", (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
  });
}

/** A failure as one sentence: a non-zero exit, a single line on stderr, no stack frames anywhere. */
function expectOneSentence(run: Awaited<ReturnType<typeof runScript>>, pattern: RegExp) {
  expect(run.code).not.toBe(0);
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/^\s+at /m);
}

describe.concurrent("with no AWS credentials anywhere", () => {
  it.each([
    ["deploy.ts", ["--yes"]],
    ["deploy.ts", []],
    ["destroy.ts", ["--yes"]],
    ["cleanup.ts", ["--target", "aws", "--outputs", awsOutputs]],
  ])(
    "%s %j stops at once with one sentence",
    async (script, args) => {
      const run = await runScript(script, args, { HOME: home });
      expectOneSentence(run, /^No AWS credentials found: configure a profile .* see docs\/instructor-guide\.md\.$/);
    },
    60_000,
  );
});

describe("against a fake AWS", () => {
  let fake: FakeAws;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    fake = await startFakeAws();
    const { accessKeyId, secretAccessKey } = FAKE_CREDENTIALS;
    const keys = { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey };
    env = { HOME: home, ...keys, AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL: fake.url };
  });
  afterAll(() => fake.close());

  it("expired credentials", async () => {
    fake.behaviour.stsError = "ExpiredToken";
    try {
      const run = await runScript("deploy.ts", ["--yes", ...neverWritten], env);
      expectOneSentence(run, /^Your AWS credentials have expired: /);
    } finally {
      delete fake.behaviour.stsError;
    }
  }, 60_000);

  it("an account that is not bootstrapped: the exact cdk bootstrap command", async () => {
    fake.behaviour.bootstrapVersion = undefined;
    const run = await runScript("deploy.ts", ["--yes", ...neverWritten], env);
    expectOneSentence(run, /^Account 123456789012 is not bootstrapped for the CDK in eu-west-1: run /);
    expect(run.stderr).toContain("run `npx cdk bootstrap aws://123456789012/eu-west-1` once");
  }, 60_000);

  it("no terminal and no --yes: says where it would deploy, refuses, deploys nothing", async () => {
    fake.behaviour.bootstrapVersion = "30";
    fake.calls.length = 0;
    const run = await runScript("deploy.ts", neverWritten, env);
    expectOneSentence(run, /^Not deploying: stdin is not a terminal.*`npm run deploy -- --yes`/);
    expect(run.stdout).toContain(`to account 123456789012 (${FAKE_ARN}), Region eu-west-1 (from AWS_REGION)`);
    const key = FAKE_CREDENTIALS.accessKeyId;
    expect(fake.calls).toEqual([`sts:GetCallerIdentity ${key}`, `ssm:GetParameter ${key}`]);
  }, 60_000);

  it("no network: one sentence naming the endpoint", async () => {
    const port = await closedPort();
    const closed = { ...env, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` };
    const run = await runScript("destroy.ts", ["--yes", ...neverWritten], closed);
    expectOneSentence(run, /^Cannot reach AWS /);
    expect(run.stderr.trim()).toBe(`Cannot reach AWS (127.0.0.1:${port}: ECONNREFUSED): check your network.`);
  }, 60_000);

  it("an endpoint that never answers: one sentence after the timeout, no hang", async () => {
    const hanging = await startFakeAws({ hang: true });
    try {
      const silent = { ...env, AWS_ENDPOINT_URL: hanging.url };
      const run = await runScript("destroy.ts", ["--yes", ...neverWritten], silent);
      expectOneSentence(run, /^Cannot reach AWS \(127\.0\.0\.1:\d+: no answer within 5 s\): check your network\.$/);
    } finally {
      await hanging.close();
    }
  }, 60_000);
});

it("cleanup of a local stack that has stopped: one sentence that says to start it", async () => {
  const port = await closedPort();
  const local = `http://127.0.0.1:${port}`;
  const outputs = { ApiUrl: `${local}/prod/`, UserPoolId: "us-east-1_x", UserPoolClientId: "c", Region: "us-east-1" };
  const endpoints = { TableName: "t", CognitoEndpoint: local, DynamoDbEndpoint: local };
  const stale = join(home, "outputs.local.json");
  await writeFile(stale, JSON.stringify({ AuthWorkshop: { ...outputs, ...endpoints } }));
  const run = await runScript("cleanup.ts", ["--outputs", stale], { HOME: home });
  expectOneSentence(run, /^The local stack does not answer \(ECONNREFUSED from http:\/\/127\.0\.0\.1:\d+\): start it/);
}, 60_000);

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
