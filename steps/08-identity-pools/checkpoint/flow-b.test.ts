/**
 * Step 08's checkpoint, Flow B: your client code against the local stack
 * (its identity pool, its DynamoDB behind the IAM check, its API Gateway with
 * the three authorizers), as a user's app would call them with the AWS SDK.
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import { check } from "../../../shared/checkpoint/check.ts";
import { isTodoError } from "../../../shared/checkpoint/todo.ts";
import { startLocalStack, type LocalStack } from "../../../shared/local-stack/local-stack.ts";
import { WorkshopApi, aPurchase, type TestUser } from "../../../shared/test-helpers/workshop-api.ts";
import {
  credentialsForIdToken,
  documentClientFor,
  queryTenantPurchases,
  signedGet,
  type FlowBConfig,
  type TemporaryCredentials,
} from "../flow-b-client.ts";

let stack: LocalStack;
let api: WorkshopApi;
let config: FlowBConfig;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  stack = await startLocalStack({ authorizerCacheTtlSeconds: 0 });
  const { outputs } = stack;
  api = new WorkshopApi(outputs);
  config = {
    region: outputs.Region,
    identityPoolId: outputs.IdentityPoolId,
    userPoolId: outputs.UserPoolId,
    tableName: outputs.TableName,
    cognitoIdentityEndpoint: outputs.CognitoIdentityEndpoint,
    dynamoDbEndpoint: outputs.DynamoDbEndpoint,
  };
  alice = await api.user(WorkshopApi.newTenantId("acme"), "member");
  bob = await api.user(WorkshopApi.newTenantId("globex"), "member");
  for (const user of [alice, bob]) {
    const created = await api.call("POST", "/purchases", { token: user.idToken, body: aPurchase() });
    if (created.status !== 201) throw new Error(`seeding a purchase answered ${created.status}: ${created.text}`);
  }
}, 60_000);

afterAll(async () => {
  await api?.cleanup();
  await stack?.stop();
});

/** The name of the error that refused the call; a TODO of yours is thrown as it is. */
async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (isTodoError(error)) throw error;
    return (error as Error).name;
  }
  return "no error";
}

let credentials: TemporaryCredentials | undefined;
async function alicesCredentials(): Promise<TemporaryCredentials> {
  credentials ??= await credentialsForIdToken(config, alice.idToken);
  return credentials;
}

describe("an ID token traded for AWS credentials", () => {
  check(
    "gives a signed-in member temporary credentials of the identity pool's role, and an identity id",
    {
      todo: "flow-b-client.ts, TODO 3",
      hint: "GetId, then GetCredentialsForIdentity, both with Logins: { [loginsKey(region, userPoolId)]: idToken }.",
    },
    async () => {
      const creds = await alicesCredentials();
      expect(creds.accessKeyId).toMatch(/^ASIA/);
      expect(creds.secretAccessKey).toBeTruthy();
      expect(creds.sessionToken).toBeTruthy();
      expect(creds.expiration.getTime()).toBeGreaterThan(Date.now());
      expect(creds.identityId).toMatch(new RegExp(`^${config.region}:`));
      // The same user is the same identity.
      expect((await credentialsForIdToken(config, alice.idToken)).identityId).toBe(creds.identityId);
    },
  );
  check(
    "gives no credentials for a token of another app client, nor for a forged one",
    {
      todo: "flow-b-client.ts, TODO 3",
      hint: "The identity pool verifies the token itself: pass it as it is; its refusal reaches the caller.",
    },
    async () => {
      const other = await api.signInThroughAnotherAppClient(alice);
      expect(await refusal(credentialsForIdToken(config, other))).toBe("NotAuthorizedException");
      const [header, payload] = alice.idToken.split(".");
      expect(await refusal(credentialsForIdToken(config, `${header}.${payload}.c2lnbmF0dXJl`))).toBe(
        "NotAuthorizedException",
      );
    },
  );
});

describe("DynamoDB, straight from the client", () => {
  check(
    "a Query of the caller's own tenant returns its purchases",
    {
      todo: "flow-b-client.ts, TODO 4",
      hint: "QueryCommand with KeyConditionExpression on tenantId, through documentClientFor(config, credentials).",
    },
    async () => {
      const db = documentClientFor(config, await alicesCredentials());
      const items = await queryTenantPurchases(db, config.tableName, alice.tenantId);
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((item) => item.tenantId === alice.tenantId)).toBe(true);
    },
  );
  check(
    "the same Query for another tenant is refused by IAM: AccessDeniedException",
    {
      todo: "flow-b-client.ts, TODO 4",
      hint: "Nothing to add: the role's LeadingKeys condition refuses it. Your Query must name the tenant it asks for.",
    },
    async () => {
      const db = documentClientFor(config, await alicesCredentials());
      expect(await refusal(queryTenantPurchases(db, config.tableName, bob.tenantId))).toBe("AccessDeniedException");
    },
  );
});

describe("three authorizers, one question: who does API Gateway say I am?", () => {
  const url = (path: string) => `${stack.outputs.ApiUrl.replace(/\/$/, "")}${path}`;
  check(
    "GET /me/iam signed with the credentials: 200, and API Gateway names the identity",
    {
      todo: "flow-b-client.ts, TODO 5",
      hint: "SignatureV4 with the credentials, the region and service execute-api; send its headers with the request.",
    },
    async () => {
      const creds = await alicesCredentials();
      const response = await signedGet(url("/me/iam"), creds, config.region);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { authorizer: string; identity: Record<string, unknown> };
      expect(body.authorizer).toBe("iam");
      expect(body.identity.cognitoIdentityId).toBe(creds.identityId);
      expect(body.identity.cognitoIdentityPoolId).toBe(config.identityPoolId);
    },
  );
  check(
    "GET /me/iam unsigned, with a Bearer token, or signed by unknown credentials is a 403",
    {
      todo: "flow-b-client.ts, TODO 5",
      hint: "The signature is the only way in: sign every request, and get new credentials when they expire.",
    },
    async () => {
      expect((await fetch(url("/me/iam"))).status).toBe(403);
      expect((await fetch(url("/me/iam"), { headers: { Authorization: `Bearer ${alice.idToken}` } })).status).toBe(403);
      const creds = await alicesCredentials();
      const unknown = { ...creds, accessKeyId: "ASIAUNKNOWNEXAMPLE00" };
      expect((await signedGet(url("/me/iam"), unknown, config.region)).status).toBe(403);
    },
  );
  check(
    "side by side: /me (the Lambda authorizer's context), /me/cognito (ID token 200, access token 401), /me/iam (signed)",
    { todo: "flow-b-client.ts, TODO 5", hint: "Each route has its own authorizer; only /me/iam needs your signature." },
    async () => {
      const me = await api.call("GET", "/me", { token: alice.idToken });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ authorizer: "lambda", context: { tenantId: alice.tenantId } });
      const cognito = await api.call("GET", "/me/cognito", { token: alice.idToken });
      expect(cognito.status).toBe(200);
      expect(cognito.body).toMatchObject({
        authorizer: "cognito-user-pools",
        claims: { "custom:tenantId": alice.tenantId },
      });
      expect((await api.call("GET", "/me/cognito", { token: alice.accessToken })).status).toBe(401);
      const iam = await signedGet(url("/me/iam"), await alicesCredentials(), config.region);
      expect(iam.status).toBe(200);
    },
  );
});
