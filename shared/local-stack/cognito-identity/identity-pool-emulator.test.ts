import { generateKeyPairSync, randomUUID, sign, type JsonWebKey, type KeyObject } from "node:crypto";
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from "@aws-sdk/client-cognito-identity";
import { CreateTableCommand, DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import type { JwksCache } from "aws-jwt-verify/jwk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDynamoDbEmulator, type DynamoDbEmulator } from "../dynamodb-emulator.ts";
import { LOCAL_CREDENTIALS } from "../local-credentials.ts";
import { CredentialsRegistry } from "../iam/credentials-registry.ts";
import { startDynamoDbIamGate, type DynamoDbIamGate } from "../iam/dynamodb-iam-gate.ts";
import { startIdentityPoolEmulator, type IdentityPoolEmulator } from "./identity-pool-emulator.ts";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const USER_POOL_ID = "us-east-1_Local0001";
const CLIENT_ID = "localclient0001";
const PROVIDER = `cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`;
const ISSUER = `https://${PROVIDER}`;
const IDENTITY_POOL_ID = `${REGION}:11111111-2222-4333-8444-555555555555`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/AuthenticatedRole`;
const TABLE = "Purchases";

/** A user pool's signing key, test-only, and ID tokens signed with it. */
const KID = "test-key";
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
const jwk: JsonWebKey = { ...publicKey.export({ format: "jwk" }), kid: KID, alg: "RS256", use: "sig" };

function token(claims: Record<string, unknown>, key: KeyObject = privateKey): string {
  const now = Math.floor(Date.now() / 1000);
  const header = Buffer.from(JSON.stringify({ alg: "RS256", kid: KID, typ: "JWT" })).toString("base64url");
  const payload = Buffer.from(
    JSON.stringify({
      iss: ISSUER,
      aud: CLIENT_ID,
      token_use: "id",
      iat: now,
      auth_time: now,
      exp: now + 3600,
      jti: randomUUID(),
      ...claims,
    }),
  ).toString("base64url");
  const signature = sign("RSA-SHA256", Buffer.from(`${header}.${payload}`), key).toString("base64url");
  return `${header}.${payload}.${signature}`;
}
const idToken = (sub: string, tenantId: string) => token({ sub, "custom:tenantId": tenantId, "cognito:username": sub });

const verifier = CognitoJwtVerifier.create({ userPoolId: USER_POOL_ID, clientId: CLIENT_ID, tokenUse: "id" });
verifier.cacheJwks({ keys: [jwk] } as Parameters<JwksCache["addJwks"]>[1]);

let identity: IdentityPoolEmulator;
let dynalite: DynamoDbEmulator;
let gate: DynamoDbIamGate;
let client: CognitoIdentityClient;
const registry = new CredentialsRegistry();
const tenantPolicy = {
  Version: "2012-10-17",
  Statement: {
    Effect: "Allow",
    Action: ["dynamodb:Query", "dynamodb:GetItem"],
    Resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLE}`,
    Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["${aws:PrincipalTag/tenantId}"] } },
  },
};

beforeAll(async () => {
  identity = await startIdentityPoolEmulator({
    identityPoolId: IDENTITY_POOL_ID,
    providers: { [PROVIDER]: CLIENT_ID },
    roleArn: ROLE_ARN,
    principalTags: { tenantId: "custom:tenantId" },
    verify: (jwt) => verifier.verify(jwt),
    credentials: registry,
  });
  client = new CognitoIdentityClient({ region: REGION, endpoint: identity.endpoint, maxAttempts: 1 });

  dynalite = await startDynamoDbEmulator();
  const admin = new DynamoDBClient({ region: REGION, endpoint: dynalite.endpoint, credentials: LOCAL_CREDENTIALS });
  await admin.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "tenantId", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "tenantId", KeyType: "HASH" }],
    }),
  );
  admin.destroy();
  gate = await startDynamoDbIamGate({
    upstream: dynalite.endpoint,
    region: REGION,
    accountId: ACCOUNT,
    credentials: registry,
    policiesFor: ({ roleArn }) => (roleArn === ROLE_ARN ? [tenantPolicy] : []),
  });
});

afterAll(async () => {
  client?.destroy();
  await identity?.close();
  await gate?.close();
  await dynalite?.stop();
});

async function credentialsFor(jwt: string) {
  const logins = { [PROVIDER]: jwt };
  const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: IDENTITY_POOL_ID, Logins: logins }));
  return client.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }));
}

async function refusal(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  const error = (await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )) as { name: string; message: string } | undefined;
  if (!error) throw new Error("the call succeeded");
  return { name: error.name, message: error.message };
}

describe("the local identity pool, through @aws-sdk/client-cognito-identity", () => {
  it("gives a signed-in user temporary credentials, and the IAM gate enforces the role's LeadingKeys", async () => {
    const { IdentityId, Credentials } = await credentialsFor(idToken("alice-sub", "acme"));
    expect(IdentityId).toMatch(/^us-east-1:[0-9a-f-]{36}$/);
    expect(Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(Credentials?.Expiration?.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect(registry.lookup(Credentials!.AccessKeyId!)?.session).toEqual({
      roleArn: ROLE_ARN,
      sessionName: "CognitoIdentityCredentials",
      principalTags: { tenantId: "acme" },
      identityId: IdentityId,
      identityPoolId: IDENTITY_POOL_ID,
    });

    const dynamodb = new DynamoDBClient({
      region: REGION,
      endpoint: gate.endpoint,
      maxAttempts: 1,
      credentials: {
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretKey!,
        sessionToken: Credentials!.SessionToken!,
      },
    });
    const query = (tenantId: string) =>
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: "tenantId = :t",
        ExpressionAttributeValues: { ":t": { S: tenantId } },
      });
    expect((await dynamodb.send(query("acme"))).Items).toEqual([]);
    expect(await refusal(dynamodb.send(query("globex")))).toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringContaining(
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/AuthenticatedRole/CognitoIdentityCredentials is not authorized to perform: dynamodb:Query`,
      ),
    });
    dynamodb.destroy();
  });

  it("keeps one identity per user: the same IdentityId for the same sub, another for another", async () => {
    const getId = (jwt: string) =>
      client.send(new GetIdCommand({ IdentityPoolId: IDENTITY_POOL_ID, Logins: { [PROVIDER]: jwt } }));
    const first = await getId(idToken("bob-sub", "acme"));
    const again = await getId(idToken("bob-sub", "acme"));
    const other = await getId(idToken("carol-sub", "acme"));
    expect(again.IdentityId).toBe(first.IdentityId);
    expect(other.IdentityId).not.toBe(first.IdentityId);
  });

  it.each([
    {
      name: "no login (no unauthenticated identities)",
      logins: undefined,
      refusal: "Unauthenticated access is not supported for this identity pool.",
    },
    {
      name: "a provider that is not the pool's",
      logins: { "cognito-idp.us-east-1.amazonaws.com/us-east-1_Other": idToken("a", "acme") },
      refusal: "Token is not from a supported provider of this identity pool.",
    },
    {
      name: "a token from another app client",
      logins: { [PROVIDER]: token({ sub: "a", aud: "another-client" }) },
      refusal: "Token is not from a supported provider of this identity pool.",
    },
    {
      name: "a token from another user pool",
      logins: { [PROVIDER]: token({ sub: "a", iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other" }) },
      refusal: "Invalid login token. Issuer doesn't match providerName",
    },
    {
      name: "an access token (no aud)",
      logins: { [PROVIDER]: token({ sub: "a", aud: undefined, client_id: CLIENT_ID, token_use: "access" }) },
      refusal: "Invalid login token. Missing a required claim: aud",
    },
    {
      name: "a forged signature",
      logins: { [PROVIDER]: token({ sub: "a" }, otherKey) },
      refusal: "Invalid login token. Couldn't verify signed token.",
    },
    {
      name: "not a JWT",
      logins: { [PROVIDER]: "not-a-token" },
      refusal: "Invalid login token. Not a valid OpenId Connect identity token.",
    },
  ] as { name: string; logins: Record<string, string> | undefined; refusal: string }[])(
    "GetId refuses $name with NotAuthorizedException",
    async ({ logins, refusal: message }) => {
      expect(
        await refusal(client.send(new GetIdCommand({ IdentityPoolId: IDENTITY_POOL_ID, Logins: logins }))),
      ).toEqual({
        name: "NotAuthorizedException",
        message,
      });
    },
  );

  it("refuses an expired ID token, as Cognito Identity words it", async () => {
    const expired = token({ sub: "a", exp: Math.floor(Date.now() / 1000) - 10 });
    const { name, message } = await refusal(
      client.send(new GetIdCommand({ IdentityPoolId: IDENTITY_POOL_ID, Logins: { [PROVIDER]: expired } })),
    );
    expect(name).toBe("NotAuthorizedException");
    expect(message).toMatch(/^Invalid login token\. Token expired: \d+ >= \d+$/);
  });

  it("answers ResourceNotFoundException for another pool or an identity it never gave out", async () => {
    const logins = { [PROVIDER]: idToken("alice-sub", "acme") };
    expect(
      await refusal(
        client.send(
          new GetIdCommand({ IdentityPoolId: "us-east-1:00000000-0000-4000-8000-000000000000", Logins: logins }),
        ),
      ),
    ).toEqual({
      name: "ResourceNotFoundException",
      message: "IdentityPool 'us-east-1:00000000-0000-4000-8000-000000000000' not found.",
    });
    const unknown = "us-east-1:99999999-9999-4999-a999-999999999999";
    expect(
      await refusal(client.send(new GetCredentialsForIdentityCommand({ IdentityId: unknown, Logins: logins }))),
    ).toEqual({
      name: "ResourceNotFoundException",
      message: `Identity '${unknown}' not found.`,
    });
  });

  it("gives no credentials for someone else's identity", async () => {
    const alice = await client.send(
      new GetIdCommand({ IdentityPoolId: IDENTITY_POOL_ID, Logins: { [PROVIDER]: idToken("alice-sub", "acme") } }),
    );
    const asMallory = new GetCredentialsForIdentityCommand({
      IdentityId: alice.IdentityId,
      Logins: { [PROVIDER]: idToken("mallory-sub", "globex") },
    });
    expect(await refusal(client.send(asMallory))).toEqual({
      name: "NotAuthorizedException",
      message: "Logins don't match. Please include at least one valid login for this identity or identity pool.",
    });
    const withoutLogin = new GetCredentialsForIdentityCommand({ IdentityId: alice.IdentityId });
    expect(await refusal(client.send(withoutLogin))).toMatchObject({ name: "NotAuthorizedException" });
  });

  it("credentials past their expiry are refused by the gate with ExpiredTokenException", async () => {
    const past = await startIdentityPoolEmulator({
      identityPoolId: IDENTITY_POOL_ID,
      providers: { [PROVIDER]: CLIENT_ID },
      roleArn: ROLE_ARN,
      principalTags: { tenantId: "custom:tenantId" },
      verify: (jwt) => verifier.verify(jwt),
      credentials: registry,
      // Issued two hours ago for one hour: expired an hour ago.
      clock: () => Date.now() - 2 * 3600_000,
    });
    const pastClient = new CognitoIdentityClient({ region: REGION, endpoint: past.endpoint, maxAttempts: 1 });
    const logins = { [PROVIDER]: idToken("dave-sub", "acme") };
    const { IdentityId } = await pastClient.send(
      new GetIdCommand({ IdentityPoolId: IDENTITY_POOL_ID, Logins: logins }),
    );
    const { Credentials } = await pastClient.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }));
    pastClient.destroy();
    await past.close();
    expect(Credentials?.Expiration?.getTime()).toBeLessThan(Date.now());
    const dynamodb = new DynamoDBClient({
      region: REGION,
      endpoint: gate.endpoint,
      maxAttempts: 1,
      credentials: {
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretKey!,
        sessionToken: Credentials!.SessionToken!,
      },
    });
    const query = new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: "tenantId = :t",
      ExpressionAttributeValues: { ":t": { S: "acme" } },
    });
    expect(await refusal(dynamodb.send(query))).toEqual({
      name: "ExpiredTokenException",
      message: "The security token included in the request is expired",
    });
    dynamodb.destroy();
  });
});
