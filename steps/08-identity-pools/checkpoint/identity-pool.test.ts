/**
 * Step 08's checkpoint, the identity pool: your TenantIdentityPool synthesized
 * beside the reference user pool and purchases table, its template checked,
 * and its role's policy enforced by the local IAM check (the DynamoDB IAM gate
 * before dynalite) on real AWS SDK calls made with a tenant's credentials.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/lib-dynamodb";
import { App, RemovalPolicy, Stack } from "aws-cdk-lib";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { check } from "../../../shared/checkpoint/check.ts";
import { rolePolicyDocuments, staticResolver } from "../../../shared/local-stack/iam/cloudformation-policies.ts";
import { CredentialsRegistry } from "../../../shared/local-stack/iam/credentials-registry.ts";
import { startDynamoDbIamGate, type DynamoDbIamGate } from "../../../shared/local-stack/iam/dynamodb-iam-gate.ts";
import { startDynamoDbEmulator, type DynamoDbEmulator } from "../../../shared/local-stack/dynamodb-emulator.ts";
import { LOCAL_CREDENTIALS } from "../../../shared/local-stack/local-credentials.ts";
import { createPurchasesTable } from "../../../shared/local-stack/purchases-table-local.ts";
import { TenantUserPool } from "../../../solutions/02-user-pool/tenant-user-pool.ts";
import { TenantPurchasesTable } from "../../../solutions/05-tenant-scoped-lambda/purchases-table.ts";
import { TenantIdentityPool } from "../identity-pool.ts";

const REGION = "us-east-1";
const ACCOUNT = "000000000000";
const TABLE = "purchases-step08";

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

/** Your construct in a stack of its own, synthesized (a TODO it throws is the check's failure). */
function synthesize() {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  const stack = new Stack(app, "Step08", { env: { region: REGION, account: ACCOUNT } });
  const identity = new TenantUserPool(stack, "Identity", { removalPolicy: RemovalPolicy.DESTROY });
  const purchases = new TenantPurchasesTable(stack, "Purchases", { removalPolicy: RemovalPolicy.DESTROY });
  new TenantIdentityPool(stack, "Flow", {
    userPool: identity.userPool,
    userPoolClient: identity.userPoolClient,
    purchasesTable: purchases.table,
    invokableMethodArns: [`arn:aws:execute-api:${REGION}:${ACCOUNT}:api/prod/GET/me/iam`],
  });
  const template = app.synth().getStackByName("Step08").template as { Resources: Resources };
  const of = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  return { template, of };
}

function authenticatedRoleId(resources: Resources): string {
  const roles = Object.entries(resources).filter(
    ([, r]) =>
      r.Type === "AWS::IAM::Role" &&
      JSON.stringify(r.Properties?.AssumeRolePolicyDocument).includes("cognito-identity.amazonaws.com"),
  );
  if (roles.length !== 1) throw new Error(`expected one role trusted by cognito-identity, found ${roles.length}`);
  return roles[0]![0];
}

describe("the identity pool's template", () => {
  check(
    "has the user pool's app client as its only provider, and no unauthenticated identities or role",
    {
      todo: "identity-pool.ts, TODO 1",
      hint: "The pool and its role are given: finish the construct so that it synthesizes.",
    },
    () => {
      const { of } = synthesize();
      const pools = of("AWS::Cognito::IdentityPool");
      expect(pools).toHaveLength(1);
      const pool = pools[0]![1].Properties!;
      expect(pool.AllowUnauthenticatedIdentities).toBe(false);
      expect(pool.CognitoIdentityProviders).toHaveLength(1);
      const attachment = of("AWS::Cognito::IdentityPoolRoleAttachment")[0]![1].Properties!;
      expect(Object.keys(attachment.Roles)).toEqual(["authenticated"]);
    },
  );
  check(
    "maps the ID token's custom:tenantId to the principal tag tenantId, and nothing else",
    {
      todo: "identity-pool.ts, TODO 1",
      hint: "A CfnIdentityPoolPrincipalTag for the user pool's provider name, UseDefaults false.",
    },
    () => {
      const { of } = synthesize();
      const tags = of("AWS::Cognito::IdentityPoolPrincipalTag");
      expect(tags).toHaveLength(1);
      expect(tags[0]![1].Properties).toMatchObject({
        PrincipalTags: { tenantId: "custom:tenantId" },
        UseDefaults: false,
      });
    },
  );
});

describe("the role's policy, enforced on real DynamoDB calls", () => {
  let dynamo: DynamoDbEmulator;
  let gate: DynamoDbIamGate;
  const registry = new CredentialsRegistry();
  let acme: DynamoDBDocumentClient;
  const clients: DynamoDBClient[] = [];

  beforeAll(async () => {
    dynamo = await startDynamoDbEmulator();
    const admin = new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
    clients.push(admin);
    await createPurchasesTable(admin, TABLE);
    const seed = DynamoDBDocumentClient.from(admin);
    for (const [tenantId, purchaseId] of [
      ["acme", "01ACME"],
      ["globex", "01GLOBEX"],
      ["acme#idempotency", "key-1"],
    ]) {
      await seed.send(new PutCommand({ TableName: TABLE, Item: { tenantId, purchaseId, item: "Mug" } }));
    }
    let policies: unknown[] | undefined;
    let failure: unknown;
    try {
      const { template } = synthesize();
      const tableId = Object.entries(template.Resources).find(([, r]) => r.Type === "AWS::DynamoDB::Table")![0];
      const tableArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLE}`;
      const resolver = staticResolver(template, {
        region: REGION,
        accountId: ACCOUNT,
        refs: { [tableId]: TABLE },
        attributes: { [`${tableId}.Arn`]: tableArn },
      });
      policies = rolePolicyDocuments(template, authenticatedRoleId(template.Resources), resolver, {
        ignoreManagedPolicies: true,
      });
    } catch (error) {
      failure = error;
    }
    gate = await startDynamoDbIamGate({
      upstream: dynamo.endpoint,
      region: REGION,
      accountId: ACCOUNT,
      credentials: registry,
      policiesFor: () => {
        if (failure) throw failure;
        return policies ?? [];
      },
    });
    const credentials = registry.issue({
      session: {
        roleArn: `arn:aws:iam::${ACCOUNT}:role/Step08AuthenticatedRole`,
        sessionName: "CognitoIdentityCredentials",
        principalTags: { tenantId: "acme" },
      },
    });
    const client = new DynamoDBClient({ endpoint: gate.endpoint, region: REGION, credentials });
    clients.push(client);
    acme = DynamoDBDocumentClient.from(client);
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.destroy();
    await gate?.close();
    await dynamo?.stop();
  });

  /** The call's answer, or the name of the error that refused it. */
  async function outcome(call: Promise<unknown>): Promise<unknown> {
    try {
      return await call;
    } catch (error) {
      if ((error as Error).name === "AccessDeniedException") return "AccessDeniedException";
      throw error;
    }
  }

  /** Rethrows the TODO your construct threw at synthesis, so the check names it. */
  const synthesizes = () => synthesize();

  check(
    "lets a tenant Query and GetItem its own partition",
    {
      todo: "identity-pool.ts, TODO 2",
      hint: "Allow dynamodb:Query and dynamodb:GetItem on the purchases table, for the caller's tenant's partition.",
    },
    async () => {
      synthesizes();
      const own = await acme.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: "tenantId = :t",
          ExpressionAttributeValues: { ":t": "acme" },
        }),
      );
      expect(own.Items?.map((i) => i.purchaseId)).toEqual(["01ACME"]);
      const one = await acme.send(
        new GetCommand({ TableName: TABLE, Key: { tenantId: "acme", purchaseId: "01ACME" } }),
      );
      expect(one.Item?.item).toBe("Mug");
    },
  );
  check(
    "refuses another tenant's partition, and the tenant's own idempotency records",
    {
      todo: "identity-pool.ts, TODO 2",
      hint: "ForAllValues:StringEquals on dynamodb:LeadingKeys, equal to ${aws:PrincipalTag/tenantId}.",
    },
    async () => {
      synthesizes();
      const query = (tenantId: string) =>
        outcome(
          acme.send(
            new QueryCommand({
              TableName: TABLE,
              KeyConditionExpression: "tenantId = :t",
              ExpressionAttributeValues: { ":t": tenantId },
            }),
          ),
        );
      expect(await query("globex")).toBe("AccessDeniedException");
      expect(await query("acme#idempotency")).toBe("AccessDeniedException");
      expect(
        await outcome(
          acme.send(new GetCommand({ TableName: TABLE, Key: { tenantId: "globex", purchaseId: "01GLOBEX" } })),
        ),
      ).toBe("AccessDeniedException");
    },
  );
  check(
    "refuses a Scan, a batch read, a write and a delete, even of the tenant's own items",
    {
      todo: "identity-pool.ts, TODO 2",
      hint: "List the two read actions only: a Scan has no leading keys, so the condition alone would let it through.",
    },
    async () => {
      synthesizes();
      expect(await outcome(acme.send(new ScanCommand({ TableName: TABLE })))).toBe("AccessDeniedException");
      expect(
        await outcome(
          acme.send(
            new BatchGetCommand({ RequestItems: { [TABLE]: { Keys: [{ tenantId: "acme", purchaseId: "01ACME" }] } } }),
          ),
        ),
      ).toBe("AccessDeniedException");
      expect(
        await outcome(
          acme.send(new PutCommand({ TableName: TABLE, Item: { tenantId: "acme", purchaseId: "02", item: "Pen" } })),
        ),
      ).toBe("AccessDeniedException");
      expect(
        await outcome(
          acme.send(new DeleteCommand({ TableName: TABLE, Key: { tenantId: "acme", purchaseId: "01ACME" } })),
        ),
      ).toBe("AccessDeniedException");
    },
  );
});
