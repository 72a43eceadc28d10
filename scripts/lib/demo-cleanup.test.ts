import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../shared/local-stack/outputs-file.ts";
import { DEMO_USERS } from "./demo-cast.ts";
import { deleteTenantPurchases, demoEmails, demoTenants, parseCleanupArgs, readCleanupOutputs } from "./demo-cleanup.ts";

describe("what cleanup removes", () => {
  it("the demo's users and tenants, from demo-cast.ts", () => {
    expect(demoEmails()).toEqual(Object.values(DEMO_USERS).map((user) => user.email));
    expect(demoTenants()).toEqual(["acme", "globex"]);
  });
});

describe("parseCleanupArgs", () => {
  it("local and the project's outputs file by default", () => {
    expect(parseCleanupArgs([])).toEqual({
      target: "local",
      outputsFile: join(PROJECT_ROOT, ".workshop", "outputs.local.json"),
      outputsGiven: false,
      profile: undefined,
      help: false,
    });
    expect(parseCleanupArgs(["--target", "aws"]).outputsFile).toBe(join(PROJECT_ROOT, ".workshop", "outputs.aws.json"));
    expect(parseCleanupArgs(["--target", "aws", "--outputs", "x.json", "--profile", "p"])).toMatchObject({ outputsFile: "x.json", outputsGiven: true, profile: "p" });
  });

  it("anything else is one sentence", () => {
    expect(() => parseCleanupArgs(["--yes"])).toThrow("Unknown option --yes: Usage: npm run cleanup [-- --target local|aws] [--outputs FILE] [--profile NAME]");
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
  const aws = { ApiUrl: "https://x/prod/", UserPoolId: "eu-west-1_x", UserPoolClientId: "c", Region: "eu-west-1", TableName: "t" };

  it("says which command to run when the default file is missing", async () => {
    await expect(readCleanupOutputs({ target: "aws", outputsFile: join(dir, "none.json"), outputsGiven: false })).rejects.toThrow(/run `npm run deploy` first\.$/);
    await expect(readCleanupOutputs({ target: "local", outputsFile: join(dir, "none.json"), outputsGiven: false })).rejects.toThrow(/run `npm run local` in another terminal first\.$/);
    await expect(readCleanupOutputs({ target: "local", outputsFile: join(dir, "none.json"), outputsGiven: true })).rejects.toThrow(/check the path given to --outputs\.$/);
  });

  it("refuses a file that is not the stack's outputs", async () => {
    await expect(readCleanupOutputs({ target: "aws", outputsFile: await write("a.json", "{"), outputsGiven: true })).rejects.toThrow(/is not JSON/);
    await expect(readCleanupOutputs({ target: "aws", outputsFile: await write("b.json", "{}"), outputsGiven: true })).rejects.toThrow(/has no AuthWorkshop outputs/);
  });

  it("checks the file matches the target", async () => {
    const deployed = await write("aws.json", JSON.stringify({ AuthWorkshop: aws }));
    const local = await write("local.json", JSON.stringify({ AuthWorkshop: { ...aws, CognitoEndpoint: "http://127.0.0.1:1", DynamoDbEndpoint: "http://127.0.0.1:2" } }));
    expect(await readCleanupOutputs({ target: "aws", outputsFile: deployed, outputsGiven: true })).toEqual(aws);
    await expect(readCleanupOutputs({ target: "local", outputsFile: deployed, outputsGiven: true })).rejects.toThrow(/use --target aws\.$/);
    await expect(readCleanupOutputs({ target: "aws", outputsFile: local, outputsGiven: true })).rejects.toThrow(/use --target local\.$/);
  });
});

describe("deleteTenantPurchases", () => {
  /** A table of one tenant's keys that pages by 30 and leaves some deletes unprocessed at first. */
  function fakeTable(count: number, unprocessedOnce: number) {
    const items = Array.from({ length: count }, (_, i) => ({ tenantId: "acme", purchaseId: String(i).padStart(4, "0") }));
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    let toRefuse = unprocessedOnce;
    const db = {
      async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
        sent.push({ name: command.constructor.name, input: command.input });
        if (command.constructor.name === "QueryCommand") {
          const after = (command.input.ExclusiveStartKey as { purchaseId?: string } | undefined)?.purchaseId ?? "";
          const page = items.filter((item) => item.purchaseId > after).slice(0, 30);
          return { Items: page, LastEvaluatedKey: page.length === 30 ? page.at(-1) : undefined };
        }
        const requests = (command.input.RequestItems as Record<string, { DeleteRequest: { Key: { purchaseId: string } } }[]>).table!;
        const refused = requests.slice(0, toRefuse);
        toRefuse = 0;
        for (const request of requests.slice(refused.length)) {
          items.splice(items.findIndex((item) => item.purchaseId === request.DeleteRequest.Key.purchaseId), 1);
        }
        return { UnprocessedItems: refused.length ? { table: refused } : {} };
      },
    };
    return { db: db as unknown as DynamoDBDocumentClient, sent, items };
  }

  it("queries the tenant's partition page by page, deletes in batches of 25, retries what was unprocessed", async () => {
    const { db, sent, items } = fakeTable(70, 3);
    expect(await deleteTenantPurchases(db, "table", "acme", async () => {})).toBe(70);
    expect(items).toEqual([]);
    const names = sent.map((call) => call.name);
    expect(names).not.toContain("ScanCommand");
    expect(names.filter((name) => name === "QueryCommand").length).toBeGreaterThanOrEqual(3);
    const batches = sent.filter((call) => call.name === "BatchWriteCommand").map((call) => (call.input.RequestItems as Record<string, unknown[]>).table!.length);
    expect(Math.max(...batches)).toBeLessThanOrEqual(25);
    expect(batches).toContain(3); // the retry of the 3 unprocessed deletes
    const query = sent.find((call) => call.name === "QueryCommand")!.input;
    expect(query).toMatchObject({ TableName: "table", KeyConditionExpression: "#pk = :tenant", ExpressionAttributeValues: { ":tenant": "acme" } });
  });

  it("an empty partition: nothing to delete, no write", async () => {
    const { db, sent } = fakeTable(0, 0);
    expect(await deleteTenantPurchases(db, "table", "acme")).toBe(0);
    expect(sent.map((call) => call.name)).toEqual(["QueryCommand"]);
  });
});
