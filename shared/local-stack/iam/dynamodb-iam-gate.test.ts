import {
  BatchGetItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDynamoDbEmulator, type DynamoDbEmulator } from "../dynamodb-emulator.ts";
import { LOCAL_CREDENTIALS } from "../local-credentials.ts";
import { CredentialsRegistry, type AssumedRoleSession } from "./credentials-registry.ts";
import { startDynamoDbIamGate, type DynamoDbIamGate, type GateDecision } from "./dynamodb-iam-gate.ts";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const TABLE = "Purchases";
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLE}`;
const TENANT_ROLE = `arn:aws:iam::${ACCOUNT}:role/TenantRole`;
const UNSUPPORTED_ROLE = `arn:aws:iam::${ACCOUNT}:role/UnsupportedRole`;

/** Issue 13's tenant role: Query, GetItem and BatchGetItem on its own partition; never DeleteItem. */
const tenantPolicies = [
  {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchGetItem"],
        Resource: TABLE_ARN,
        Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["${aws:PrincipalTag/tenantId}"] } },
      },
      { Effect: "Deny", Action: "dynamodb:DeleteItem", Resource: "*" },
    ],
  },
];
const unsupportedPolicies = [
  {
    Version: "2012-10-17",
    Statement: {
      Effect: "Allow",
      Action: "dynamodb:Query",
      Resource: TABLE_ARN,
      Condition: { IpAddress: { "aws:SourceIp": "127.0.0.1/32" } },
    },
  },
];

let dynalite: DynamoDbEmulator;
let gate: DynamoDbIamGate;
const registry = new CredentialsRegistry();
const decisions: GateDecision[] = [];
const clients: DynamoDBClient[] = [];

function session(roleArn: string, tenantId: string): AssumedRoleSession {
  return { roleArn, sessionName: "CognitoIdentityCredentials", principalTags: { tenantId } };
}

function clientFor(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) {
  const client = new DynamoDBClient({ region: REGION, endpoint: gate.endpoint, credentials, maxAttempts: 1 });
  clients.push(client);
  return client;
}

const queryOf = (tenantId: string) =>
  new QueryCommand({
    TableName: TABLE,
    KeyConditionExpression: "#t = :t",
    ExpressionAttributeNames: { "#t": "tenantId" },
    ExpressionAttributeValues: { ":t": { S: tenantId } },
  });
const keyOf = (tenantId: string, purchaseId = "p1") => ({ tenantId: { S: tenantId }, purchaseId: { S: purchaseId } });

beforeAll(async () => {
  dynalite = await startDynamoDbEmulator();
  const admin = new DynamoDBClient({ region: REGION, endpoint: dynalite.endpoint, credentials: LOCAL_CREDENTIALS });
  await admin.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "tenantId", AttributeType: "S" },
        { AttributeName: "purchaseId", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "tenantId", KeyType: "HASH" },
        { AttributeName: "purchaseId", KeyType: "RANGE" },
      ],
    }),
  );
  for (const tenant of ["acme", "globex"]) {
    await admin.send(new PutItemCommand({ TableName: TABLE, Item: { ...keyOf(tenant), item: { S: `${tenant}'s` } } }));
  }
  admin.destroy();
  gate = await startDynamoDbIamGate({
    upstream: dynalite.endpoint,
    region: REGION,
    accountId: ACCOUNT,
    credentials: registry,
    policiesFor: ({ roleArn }) =>
      roleArn === TENANT_ROLE ? tenantPolicies : roleArn === UNSUPPORTED_ROLE ? unsupportedPolicies : [],
    onDecision: (decision) => decisions.push(decision),
  });
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await gate?.close();
  await dynalite?.stop();
});

async function refusal(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  const error = (await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )) as { name: string; message: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (!error) throw new Error("the call succeeded");
  return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
}

describe("the DynamoDB IAM gate, in front of dynalite, through the AWS SDK", () => {
  const deniedBecause = (action: string, resource = TABLE_ARN) =>
    `User: arn:aws:sts::${ACCOUNT}:assumed-role/TenantRole/CognitoIdentityCredentials is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;

  it("lets a tenant Query its own partition", async () => {
    const acme = clientFor(registry.issue({ session: session(TENANT_ROLE, "acme") }));
    const { Items } = await acme.send(queryOf("acme"));
    expect(Items).toEqual([{ ...keyOf("acme"), item: { S: "acme's" } }]);
    expect(decisions.at(-1)?.context.keys?.["dynamodb:LeadingKeys"]).toEqual(["acme"]);
  });

  it("refuses a Query of another tenant's partition with AccessDeniedException, in IAM's words", async () => {
    const acme = clientFor(registry.issue({ session: session(TENANT_ROLE, "acme") }));
    expect(await refusal(acme.send(queryOf("globex")))).toEqual({
      name: "AccessDeniedException",
      message: deniedBecause("dynamodb:Query"),
      status: 400,
    });
  });

  it("refuses a Scan: it has no leading keys, so only the missing Scan permission protects the table", async () => {
    const acme = clientFor(registry.issue({ session: session(TENANT_ROLE, "acme") }));
    expect(await refusal(acme.send(new ScanCommand({ TableName: TABLE })))).toMatchObject({
      name: "AccessDeniedException",
      message: deniedBecause("dynamodb:Scan"),
    });
  });

  it("refuses a PutItem, even into the tenant's own partition", async () => {
    const acme = clientFor(registry.issue({ session: session(TENANT_ROLE, "acme") }));
    const put = new PutItemCommand({ TableName: TABLE, Item: keyOf("acme", "p2") });
    expect(await refusal(acme.send(put))).toMatchObject({
      name: "AccessDeniedException",
      message: deniedBecause("dynamodb:PutItem"),
    });
  });

  it("GetItem: own key allowed, another tenant's refused", async () => {
    const acme = clientFor(registry.issue({ session: session(TENANT_ROLE, "acme") }));
    const own = await acme.send(new GetItemCommand({ TableName: TABLE, Key: keyOf("acme") }));
    expect(own.Item?.item).toEqual({ S: "acme's" });
    expect(await refusal(acme.send(new GetItemCommand({ TableName: TABLE, Key: keyOf("globex") })))).toMatchObject({
      name: "AccessDeniedException",
      message: deniedBecause("dynamodb:GetItem"),
    });
  });

  it("BatchGetItem is authorized per table with every key it names as LeadingKeys", async () => {
    const acme = clientFor(registry.issue({ session: session(TENANT_ROLE, "acme") }));
    const batch = (...tenants: string[]) =>
      new BatchGetItemCommand({ RequestItems: { [TABLE]: { Keys: tenants.map((tenant) => keyOf(tenant)) } } });
    const own = await acme.send(batch("acme"));
    expect(own.Responses?.[TABLE]).toHaveLength(1);
    expect(await refusal(acme.send(batch("acme", "globex")))).toMatchObject({
      name: "AccessDeniedException",
      message: deniedBecause("dynamodb:BatchGetItem"),
    });
  });

  it("answers an explicit Deny in IAM's words for it", async () => {
    const acme = clientFor(registry.issue({ session: session(TENANT_ROLE, "acme") }));
    expect(await refusal(acme.send(new DeleteItemCommand({ TableName: TABLE, Key: keyOf("acme") })))).toMatchObject({
      name: "AccessDeniedException",
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/TenantRole/CognitoIdentityCredentials is not authorized to perform: dynamodb:DeleteItem on resource: ${TABLE_ARN} with an explicit deny in an identity-based policy`,
    });
  });

  it("refuses what it cannot evaluate, and says so in the message", async () => {
    const client = clientFor(registry.issue({ session: session(UNSUPPORTED_ROLE, "acme") }));
    const { name, message } = await refusal(client.send(queryOf("acme")));
    expect(name).toBe("AccessDeniedException");
    expect(message).toContain("condition operator IpAddress is not supported by the local IAM check");
  });

  it("refuses expired credentials with ExpiredTokenException", async () => {
    const expired = registry.issue({
      session: session(TENANT_ROLE, "acme"),
      durationSeconds: 1,
      now: Date.now() - 5000,
    });
    expect(await refusal(clientFor(expired).send(queryOf("acme")))).toEqual({
      name: "ExpiredTokenException",
      message: "The security token included in the request is expired",
      status: 400,
    });
  });

  it("refuses credentials it never issued with UnrecognizedClientException", async () => {
    expect(await refusal(clientFor(LOCAL_CREDENTIALS).send(queryOf("acme")))).toMatchObject({
      name: "UnrecognizedClientException",
      message: "The security token included in the request is invalid.",
    });
  });

  it("refuses a wrong secret with InvalidSignatureException", async () => {
    const issued = registry.issue({ session: session(TENANT_ROLE, "acme") });
    const forged = clientFor({ ...issued, secretAccessKey: "guessed" });
    expect(await refusal(forged.send(queryOf("acme")))).toMatchObject({ name: "InvalidSignatureException" });
  });
});
