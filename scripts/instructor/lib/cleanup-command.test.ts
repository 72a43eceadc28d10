import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../../shared/project-root.ts";
import { CLEANUP_USAGE, parseCleanupArgs, readCleanupOutputs } from "./cleanup-command.ts";

describe("parseCleanupArgs", () => {
  it("local and the project's outputs file by default", () => {
    const workshop = join(PROJECT_ROOT, ".workshop");
    expect(parseCleanupArgs([])).toEqual({
      target: "local",
      outputsFile: join(workshop, "outputs.local.json"),
      outputsGiven: false,
      profile: undefined,
      help: false,
    });
    expect(parseCleanupArgs(["--target", "aws"]).outputsFile).toBe(join(workshop, "outputs.aws.json"));
    expect(parseCleanupArgs(["--target", "aws", "--outputs", "x.json", "--profile", "p"])).toMatchObject({
      outputsFile: "x.json",
      outputsGiven: true,
      profile: "p",
    });
  });

  it("anything else is one sentence", () => {
    expect(() => parseCleanupArgs(["--yes"])).toThrow(`Unknown option '--yes': ${CLEANUP_USAGE}`);
    expect(() => parseCleanupArgs(["--target", "prod"])).toThrow(/^--target must be "local" or "aws", not "prod"/);
  });
});

describe("readCleanupOutputs", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cleanup-outputs-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const write = async (name: string, content: string) => {
    const file = join(dir, name);
    await writeFile(file, content);
    return file;
  };
  const read = (target: "local" | "aws", outputsFile: string, outputsGiven = true) =>
    readCleanupOutputs({ target, outputsFile, outputsGiven });
  const aws = {
    ApiUrl: "https://x/prod/",
    UserPoolId: "eu-west-1_x",
    UserPoolClientId: "c",
    Region: "eu-west-1",
    TableName: "t",
  };

  it("says which command to run when the default file is missing", async () => {
    const none = join(dir, "none.json");
    await expect(read("aws", none, false)).rejects.toThrow(/run `npm run deploy` first\.$/);
    await expect(read("local", none, false)).rejects.toThrow(/run `npm run local` in another terminal first\.$/);
    await expect(read("local", none)).rejects.toThrow(/check the path after --outputs\.$/);
  });

  it("refuses a file that is not the stack's outputs", async () => {
    await expect(read("aws", await write("a.json", "{"))).rejects.toThrow(/is not JSON/);
    await expect(read("aws", await write("b.json", "{}"))).rejects.toThrow(/has no AuthWorkshop outputs/);
  });

  it("checks the file matches the target", async () => {
    const deployed = await write("aws.json", JSON.stringify({ AuthWorkshop: aws }));
    const endpoints = { CognitoEndpoint: "http://127.0.0.1:1", DynamoDbEndpoint: "http://127.0.0.1:2" };
    const local = await write("local.json", JSON.stringify({ AuthWorkshop: { ...aws, ...endpoints } }));
    expect(await read("aws", deployed)).toEqual(aws);
    await expect(read("local", deployed)).rejects.toThrow(/use --target aws\.$/);
    await expect(read("aws", local)).rejects.toThrow(/use --target local\.$/);
  });
});
