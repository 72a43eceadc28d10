/**
 * `npm run cleanup` end to end, against a local stack of its own (it deletes
 * the demo's fixed users and tenants, which must not race other suites): the
 * demo's users and purchases go, everybody else's stay, and a second run finds
 * nothing left.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdminGetUserCommand, CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthClient } from "../../solutions/02-user-pool/auth-client.ts";
import { authClientConfig } from "../../shared/auth-client-config.ts";
import { LOCAL_CREDENTIALS } from "../../shared/local-stack/local-credentials.ts";
import { startLocalStack, type LocalStack } from "../../shared/local-stack/local-stack.ts";
import { PROJECT_ROOT } from "../../shared/project-root.ts";
import { STACK_NAME } from "../../shared/outputs-file.ts";
import { DEMO_USERS } from "../lib/demo-cast.ts";
import { randomPassword } from "../../shared/random-password.ts";

const PASSWORD = randomPassword();

const OUTSIDER = { email: "olga@initech.example", tenantId: "initech", role: "member" as const };

let stack: LocalStack;
let dir: string;
let outputsFile: string;
let cognito: CognitoIdentityProviderClient;
let db: DynamoDBDocumentClient;
let auth: AuthClient;

beforeAll(async () => {
  stack = await startLocalStack();
  dir = await mkdtemp(join(tmpdir(), "cleanup-e2e-"));
  outputsFile = join(dir, "outputs.local.json");
  await writeFile(outputsFile, JSON.stringify({ [STACK_NAME]: stack.outputs }, null, 2));
  const { outputs } = stack;
  cognito = new CognitoIdentityProviderClient({
    region: outputs.Region,
    endpoint: outputs.CognitoEndpoint,
    credentials: LOCAL_CREDENTIALS,
  });
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: outputs.Region, endpoint: outputs.DynamoDbEndpoint, credentials: LOCAL_CREDENTIALS }),
  );
  auth = new AuthClient(authClientConfig(outputs));

  // What the demo leaves behind, plus a tenant that is not the demo's.
  for (const user of [...Object.values(DEMO_USERS), OUTSIDER]) {
    await auth.addUserToTenant({ email: user.email, password: PASSWORD, tenantId: user.tenantId, role: user.role });
  }
  await buy(DEMO_USERS.alice.email, "Mechanical keyboard");
  await buy(DEMO_USERS.alice.email, "Desk lamp");
  await buy(DEMO_USERS.bob.email, "Coffee beans");
  await buy(OUTSIDER.email, "TPS report covers");
  expect(await purchasesOf("acme")).toHaveLength(2);
});

afterAll(async () => {
  auth?.destroy();
  cognito?.destroy();
  db?.destroy();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function buy(email: string, item: string) {
  const { idToken } = await auth.signIn(email, PASSWORD);
  const response = await fetch(`${stack.outputs.ApiUrl}/purchases`, {
    method: "POST",
    headers: { Authorization: `Bearer ${idToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ item, amountCents: 1000, currency: "USD" }),
  });
  expect(response.status).toBe(201);
}

async function purchasesOf(tenantId: string) {
  const { Items = [] } = await db.send(
    new QueryCommand({
      TableName: stack.outputs.TableName,
      KeyConditionExpression: "tenantId = :t",
      ExpressionAttributeValues: { ":t": tenantId },
    }),
  );
  return Items;
}

async function userExists(email: string): Promise<boolean> {
  try {
    await cognito.send(new AdminGetUserCommand({ UserPoolId: stack.outputs.UserPoolId, Username: email }));
    return true;
  } catch (error) {
    if ((error as Error).name === "UserNotFoundException") return false;
    throw error;
  }
}

function runCleanup(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join("scripts", "instructor", "cleanup.ts"), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run cleanup -- --target local", () => {
  it("removes the demo's users and its tenants' purchases, and says so", async () => {
    const run = await runCleanup(["--target", "local", "--outputs", outputsFile]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    for (const user of Object.values(DEMO_USERS)) {
      expect(run.stdout).toContain(`removed    user ${user.email}`);
      expect(await userExists(user.email)).toBe(false);
    }
    expect(run.stdout).toContain("removed    2 purchases of tenant acme");
    expect(run.stdout).toContain("removed    1 purchase of tenant globex");
    expect(run.stdout).toContain("Removed 4 users and 3 purchases.");
    expect(await purchasesOf("acme")).toEqual([]);
    expect(await purchasesOf("globex")).toEqual([]);
  }, 60_000);

  it("leaves every other tenant and user alone", async () => {
    expect(await userExists(OUTSIDER.email)).toBe(true);
    expect(await purchasesOf("initech")).toHaveLength(1);
  });

  it("a second run finds nothing left, and succeeds", async () => {
    const run = await runCleanup(["--outputs", outputsFile]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`not found  user ${DEMO_USERS.alice.email}`);
    expect(run.stdout).toContain("Removed 0 users and 0 purchases.");
  }, 60_000);

  it("the demo can provision its users again afterwards", async () => {
    await auth.addUserToTenant({ email: DEMO_USERS.alice.email, password: PASSWORD, tenantId: "acme", role: "member" });
    expect(await userExists(DEMO_USERS.alice.email)).toBe(true);
  });
});
