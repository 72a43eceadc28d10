/**
 * IAM on the local stack, from the outside (issue 13): a member trades their
 * ID token for identity-pool credentials with @aws-sdk/client-cognito-identity,
 * then calls DynamoDB with them through @aws-sdk/client-dynamodb, as a user
 * would; and each local function signs with its own role, so a call its role
 * lacks fails as it would on Lambda.
 */
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from "@aws-sdk/client-cognito-identity";
import {
  BatchGetItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPurchasesHandler } from "../../solutions/05-tenant-scoped-lambda/purchases-handler.ts";
import { REVOCATION_KEY } from "../../solutions/07-sessions/revocations.ts";
import { WorkshopApi, aPurchase, type TestUser } from "../test-helpers/workshop-api.ts";
import { LOCAL_CREDENTIALS } from "./local-credentials.ts";
import { startLocalStack, type LocalStack } from "./local-stack.ts";

let stack: LocalStack;
let api: WorkshopApi;
let alice: TestUser;
let purchasesRoleDb: DynamoDBDocumentClient;
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    // The reference handler, its DynamoDB client kept: the client the purchases function signs with.
    createPurchasesHandler: (config) => {
      purchasesRoleDb = config.db;
      return createPurchasesHandler(config);
    },
  });
  api = new WorkshopApi(stack.outputs);
  alice = await api.user(WorkshopApi.newTenantId("acme"), "member");
  const created = await api.call("POST", "/purchases", { token: alice.idToken, body: aPurchase() });
  expect(created.status).toBe(201);
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  api?.close();
  await stack?.stop();
});

const track = <T extends { destroy(): void }>(client: T): T => (clients.push(client), client);

function identityClient(): CognitoIdentityClient {
  const { Region, CognitoIdentityEndpoint } = stack.outputs;
  // GetId and GetCredentialsForIdentity are unsigned calls: the ID token is the proof.
  return track(
    new CognitoIdentityClient({ region: Region, endpoint: CognitoIdentityEndpoint, credentials: LOCAL_CREDENTIALS }),
  );
}

async function credentialsFor(idToken: string) {
  const cognitoIdentity = identityClient();
  const { Region, UserPoolId, IdentityPoolId } = stack.outputs;
  const Logins = { [`cognito-idp.${Region}.amazonaws.com/${UserPoolId}`]: idToken };
  const { IdentityId } = await cognitoIdentity.send(new GetIdCommand({ IdentityPoolId, Logins }));
  const { Credentials } = await cognitoIdentity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins }));
  return {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretKey!,
    sessionToken: Credentials!.SessionToken!,
  };
}

function dynamoDbWith(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) {
  const { Region, DynamoDbEndpoint } = stack.outputs;
  return track(new DynamoDBClient({ region: Region, endpoint: DynamoDbEndpoint, credentials }));
}

async function refusal(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught as Error,
  );
  expect(error, "the call should have been refused").toBeInstanceOf(Error);
  return { name: error!.name, message: error!.message };
}

const partition = (tenantId: string) => ({
  KeyConditionExpression: "tenantId = :t",
  ExpressionAttributeValues: { ":t": { S: tenantId } },
});

describe("a member's identity-pool credentials", () => {
  let db: DynamoDBClient;
  let table: string;

  beforeAll(async () => {
    db = dynamoDbWith(await credentialsFor(alice.idToken));
    table = stack.outputs.TableName;
  });

  it("come from GetId and GetCredentialsForIdentity with the member's ID token, for the pool's one role", async () => {
    expect(stack.outputs.IdentityPoolId).toMatch(/^us-east-1:[0-9a-f-]{36}$/);
    const credentials = await credentialsFor(alice.idToken);
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
  });

  it("Query the member's own tenant: its purchases", async () => {
    const { Items } = await db.send(new QueryCommand({ TableName: table, ...partition(alice.tenantId) }));
    expect(Items).toHaveLength(1);
    expect(Items![0]!.tenantId).toEqual({ S: alice.tenantId });
  });

  it("GetItem in the member's own partition is allowed", async () => {
    const key = { tenantId: { S: alice.tenantId }, purchaseId: { S: "no-such-purchase" } };
    const { Item } = await db.send(new GetItemCommand({ TableName: table, Key: key }));
    expect(Item).toBeUndefined();
  });

  it("another tenant's partition, by Query or GetItem: AccessDeniedException naming the role session", async () => {
    const query = await refusal(db.send(new QueryCommand({ TableName: table, ...partition("globex") })));
    expect(query.name).toBe("AccessDeniedException");
    expect(query.message).toMatch(
      /^User: arn:aws:sts::000000000000:assumed-role\/AuthWorkshop-IdentityPoolAuthenticatedRole\w+\/CognitoIdentityCredentials is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:000000000000:table\/prod-purchases-local because no identity-based policy allows the dynamodb:Query action$/,
    );
    const key = { tenantId: { S: "globex" }, purchaseId: { S: "p" } };
    expect((await refusal(db.send(new GetItemCommand({ TableName: table, Key: key })))).name).toBe(
      "AccessDeniedException",
    );
  });

  it("the member's own idempotency records and tombstones are out of reach too", async () => {
    for (const suffix of ["#idempotency", "#deleted"]) {
      const refused = await refusal(
        db.send(new QueryCommand({ TableName: table, ...partition(alice.tenantId + suffix) })),
      );
      expect(refused.name, suffix).toBe("AccessDeniedException");
    }
  });

  it("Scan, BatchGetItem, PutItem and DeleteItem: AccessDeniedException, even in the own partition", async () => {
    const own = { tenantId: { S: alice.tenantId }, purchaseId: { S: "p-1" } };
    const calls = {
      Scan: db.send(new ScanCommand({ TableName: table })),
      BatchGetItem: db.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: [own] } } })),
      PutItem: db.send(new PutItemCommand({ TableName: table, Item: { ...own, amount: { N: "1" } } })),
      DeleteItem: db.send(new DeleteItemCommand({ TableName: table, Key: own })),
    };
    for (const [action, call] of Object.entries(calls)) {
      const refused = await refusal(call);
      expect(refused.name, action).toBe("AccessDeniedException");
      expect(refused.message, action).toContain(`is not authorized to perform: dynamodb:${action} on resource`);
    }
  });

  it("nothing on the revocation records' table", async () => {
    const key = { [REVOCATION_KEY]: { S: "x" } };
    const refused = await refusal(
      db.send(new GetItemCommand({ TableName: stack.outputs.RevocationsTableName, Key: key })),
    );
    expect(refused.name).toBe("AccessDeniedException");
  });
});

describe("the identity pool refuses", () => {
  it("an ID token from another app client of the same user pool: no identity, no credentials", async () => {
    const otherClientToken = await api.signInThroughAnotherAppClient(alice);
    const refused = await refusal(credentialsFor(otherClientToken));
    expect(refused).toEqual({
      name: "NotAuthorizedException",
      message: "Token is not from a supported provider of this identity pool.",
    });
  });

  it("unsigned or wrongly signed DynamoDB calls: the endpoint verifies every signature", async () => {
    const forged = dynamoDbWith({ accessKeyId: "ASIAFORGED0000000000", secretAccessKey: "x", sessionToken: "y" });
    const refused = await refusal(forged.send(new ScanCommand({ TableName: stack.outputs.TableName })));
    expect(refused.name).toBe("UnrecognizedClientException");
  });
});

describe("each local function signs with its own role", () => {
  it("a Scan added to the purchases function fails as on AWS: its role may not Scan", async () => {
    const refused = await refusal(purchasesRoleDb.send(new ScanCommand({ TableName: stack.outputs.TableName })));
    expect(refused.name).toBe("AccessDeniedException");
    expect(refused.message).toMatch(
      /assumed-role\/AuthWorkshop-PurchasesFunctionRole\w+\/purchases is not authorized to perform: dynamodb:Scan/,
    );
  });

  it("the purchases function may not read the revocation records", async () => {
    const refused = await refusal(
      purchasesRoleDb.send(
        new GetCommand({ TableName: stack.outputs.RevocationsTableName, Key: { [REVOCATION_KEY]: "x" } }),
      ),
    );
    expect(refused.name).toBe("AccessDeniedException");
  });

  it("the purchases function still reads and writes any tenant's partition: isolation there is the handler's", async () => {
    const Item = { tenantId: "globex", purchaseId: "by-the-function", amount: 1 };
    await purchasesRoleDb.send(new PutCommand({ TableName: stack.outputs.TableName, Item }));
    const { Item: read } = await purchasesRoleDb.send(
      new GetCommand({
        TableName: stack.outputs.TableName,
        Key: { tenantId: "globex", purchaseId: "by-the-function" },
      }),
    );
    expect(read).toEqual(Item);
  });
});

describe("the operator (LOCAL_CREDENTIALS)", () => {
  it("keeps full access: a Scan of the whole table", async () => {
    const operator = dynamoDbWith(LOCAL_CREDENTIALS);
    const { Items } = await operator.send(new ScanCommand({ TableName: stack.outputs.TableName }));
    expect(Items!.length).toBeGreaterThanOrEqual(2);
  });
});
