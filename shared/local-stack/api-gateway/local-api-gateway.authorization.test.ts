/**
 * The three authorizer types of step 08 through a real local gateway: GET /me
 * behind the Lambda authorizer, GET /me/cognito behind a Cognito user pool
 * authorizer (tokens signed with the Cognito emulator's key, JWKS over HTTP),
 * GET /me/iam behind AWS_IAM (requests signed by the AWS SDK's SignatureV4
 * with credentials from the local CredentialsRegistry), all served by the
 * real me handler.
 */
import { request } from "node:http";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import type { APIGatewayAuthorizerResult, APIGatewayProxyResult } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMeHandler } from "../../../solutions/08-identity-pools/me-handler.ts";
import { ROUTES, STAGE_NAME } from "../../runtime/purchases-api.ts";
import { emulatorSigningKey } from "../../test-helpers/emulator-signing-key.ts";
import { startJwksServer, type JwksServer } from "../../test-helpers/jwks-server.ts";
import {
  cognitoAccessTokenClaims,
  cognitoIdTokenClaims,
  createSigningKey,
  signJwt,
} from "../../test-helpers/token-factory.ts";
import { CredentialsRegistry, type RegisteredCredentials } from "../iam/credentials-registry.ts";
import { startLocalApiGateway, type LocalApiGateway } from "./local-api-gateway.ts";
import type { LocalApiGatewayOptions } from "./local-api-gateway.ts";

const REGION = "eu-west-1";
const ACCOUNT = "123456789012";
const API_ID = "authz08";
const USER_POOL_ID = "eu-west-1_Workshop1";
const CLIENT_ID = "workshopclient123";
const IDENTITY_POOL_ID = "eu-west-1:11111111-2222-4333-a444-555555555555";
const IDENTITY_ID = "eu-west-1:aaaaaaaa-bbbb-4ccc-addd-eeeeeeeeeeee";
const READER_ROLE = `arn:aws:iam::${ACCOUNT}:role/AuthWorkshop-IdentityPoolAuthenticatedRole`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/AuthWorkshop-SomeOtherRole`;
const ME_IAM_ARN = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/${STAGE_NAME}/GET/me/iam`;
const PROVIDER = `cognito-idp.${REGION}.amazonaws.com/${USER_POOL_ID}`;

const POLICIES: Record<string, unknown[]> = {
  [READER_ROLE]: [
    { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: ME_IAM_ARN }] },
  ],
  // Allowed another method only: GET /me/iam is not its to call.
  [OTHER_ROLE]: [
    {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: ME_IAM_ARN.replace("/me/iam", "/me") }],
    },
  ],
};

const emulatorKey = emulatorSigningKey();
const registry = new CredentialsRegistry();
const logLines: string[] = [];
let jwks: JwksServer;
let gateway: LocalApiGateway;

const lambdaAuthorizer = async (): Promise<APIGatewayAuthorizerResult> => ({
  principalId: "user-1",
  policyDocument: {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: `${ME_IAM_ARN.split("/GET")[0]}/*` }],
  },
  context: { tenantId: "acme", userId: "user-1", role: "member" },
});

function options(overrides: Partial<LocalApiGatewayOptions> = {}): LocalApiGatewayOptions {
  const me = createMeHandler({ corsAllowOrigin: "http://localhost:5173" });
  const unused = async (): Promise<APIGatewayProxyResult> => ({ statusCode: 500, body: "not this one" });
  return {
    routes: ROUTES,
    functions: { purchases: unused, signOut: unused, me },
    authorizer: lambdaAuthorizer,
    region: REGION,
    accountId: ACCOUNT,
    apiId: API_ID,
    stage: STAGE_NAME,
    authorizerCacheTtlSeconds: 0,
    cognitoUserPool: { userPoolId: USER_POOL_ID, clientId: CLIENT_ID, jwksUrl: jwks.url },
    iam: {
      credentials: registry,
      policiesForRole: (roleArn) => POLICIES[roleArn] ?? [],
      cognitoAuthenticationProviderOf: (session) =>
        session.identityId ? `${PROVIDER},${PROVIDER}:CognitoSignIn:sub-of-alice` : undefined,
    },
    log: (line) => logLines.push(line),
    ...overrides,
  };
}

beforeAll(async () => {
  jwks = await startJwksServer([emulatorKey.jwk]);
  gateway = await startLocalApiGateway(options());
});

afterAll(async () => {
  await gateway?.close();
  await jwks?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => any;
}

/** GET through node:http, so the signed Host header goes out exactly as signed. */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET", headers }, (res) => {
      let text = "";
      res.on("data", (chunk) => (text += chunk.toString()));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

/** Signs GET <path> for execute-api with the AWS SDK's signer, as a client SDK would. */
async function signedHeaders(
  port: number,
  path: string,
  credentials: Pick<RegisteredCredentials, "accessKeyId" | "secretAccessKey" | "sessionToken">,
  signingDate?: Date,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials, region: REGION, service: "execute-api", sha256: Sha256 });
  const signed = await signer.sign(
    { method: "GET", protocol: "http:", hostname: "127.0.0.1", port, path, headers: { host: `127.0.0.1:${port}` } },
    signingDate ? { signingDate } : {},
  );
  return signed.headers as Record<string, string>;
}

function identityPoolCredentials(roleArn: string, now = Date.now()): RegisteredCredentials {
  return registry.issue({
    session: {
      roleArn,
      sessionName: "CognitoIdentityCredentials",
      principalTags: { tenantId: "acme" },
      identityId: IDENTITY_ID,
      identityPoolId: IDENTITY_POOL_ID,
    },
    now,
  });
}

const idToken = (overrides: Record<string, unknown> = {}) =>
  signJwt({
    key: emulatorKey,
    payload: {
      ...cognitoIdTokenClaims({
        region: REGION,
        userPoolId: USER_POOL_ID,
        clientId: CLIENT_ID,
        tenantId: "acme",
        groups: ["admin"],
        sub: "sub-of-alice",
      }),
      ...overrides,
    },
  });
const path = (route: string) => `/${STAGE_NAME}${route}`;

describe("GET /me: the Lambda authorizer", () => {
  it("answers with the authorizer's context", async () => {
    const answer = await get(gateway.port, path("/me"), { Authorization: "Bearer anything" });
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({
      authorizer: "lambda",
      principalId: "user-1",
      context: { tenantId: "acme", userId: "user-1", role: "member" },
    });
    expect(answer.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
  });
});

describe("GET /me/cognito: a Cognito user pool authorizer without scopes", () => {
  it("accepts the pool's ID token and hands the integration its claims as strings", async () => {
    const token = idToken();
    const answer = await get(gateway.port, path("/me/cognito"), { Authorization: `Bearer ${token}` });
    expect(answer.status).toBe(200);
    const body = answer.json();
    expect(body.authorizer).toBe("cognito-user-pools");
    expect(body.claims).toMatchObject({
      sub: "sub-of-alice",
      "custom:tenantId": "acme",
      "cognito:groups": "admin",
      email_verified: "true",
      token_use: "id",
      aud: CLIENT_ID,
      iss: `https://${PROVIDER}`,
    });
    expect(body.claims.exp).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
    expect(body.claims.auth_time).toMatch(/^\d+$/);
    for (const value of Object.values(body.claims)) expect(typeof value).toBe("string");
    expect(answer.text).not.toContain(token);
  });

  it("accepts the bare token too", async () => {
    expect((await get(gateway.port, path("/me/cognito"), { Authorization: idToken() })).status).toBe(200);
  });

  it("refuses the pool's access token (it would need a scope the method lists) with API Gateway's 401", async () => {
    const accessToken = signJwt({
      key: emulatorKey,
      payload: cognitoAccessTokenClaims({ region: REGION, userPoolId: USER_POOL_ID, clientId: CLIENT_ID }),
    });
    const answer = await get(gateway.port, path("/me/cognito"), { Authorization: `Bearer ${accessToken}` });
    expect(answer.status).toBe(401);
    expect(answer.text).toBe('{"message":"Unauthorized"}');
    expect(answer.headers["x-amzn-errortype"]).toBe("UnauthorizedException");
  });

  it("refuses no token, an expired one, another client's, another key's with 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    const otherKey = createSigningKey();
    for (const headers of [
      {} as Record<string, string>,
      { Authorization: `Bearer ${idToken({ iat: now - 7200, exp: now - 3600 })}` },
      { Authorization: `Bearer ${idToken({ aud: "anotherclient" })}` },
      {
        Authorization: `Bearer ${signJwt({ key: otherKey, payload: cognitoIdTokenClaims({ region: REGION, userPoolId: USER_POOL_ID, clientId: CLIENT_ID }) })}`,
      },
    ]) {
      const answer = await get(gateway.port, path("/me/cognito"), headers);
      expect(answer.status).toBe(401);
      expect(answer.text).toBe('{"message":"Unauthorized"}');
    }
  });

  it("never reaches the Lambda authorizer: a TOKEN authorizer's Bearer value is no user-pool token", async () => {
    expect((await get(gateway.port, path("/me/cognito"), { Authorization: "Bearer anything" })).status).toBe(401);
  });
});

describe("GET /me/iam: AWS_IAM", () => {
  it("serves a request signed by the AWS SDK with identity-pool credentials, naming the caller", async () => {
    const credentials = identityPoolCredentials(READER_ROLE);
    const headers = await signedHeaders(gateway.port, path("/me/iam"), credentials);
    const answer = await get(gateway.port, path("/me/iam"), headers);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json()).toEqual({
      authorizer: "iam",
      identity: {
        cognitoIdentityId: IDENTITY_ID,
        cognitoIdentityPoolId: IDENTITY_POOL_ID,
        cognitoAuthenticationType: "authenticated",
        cognitoAuthenticationProvider: `${PROVIDER},${PROVIDER}:CognitoSignIn:sub-of-alice`,
        userArn: `arn:aws:sts::${ACCOUNT}:assumed-role/AuthWorkshop-IdentityPoolAuthenticatedRole/CognitoIdentityCredentials`,
        caller: expect.stringMatching(/^AROA[A-Z2-7]{17}:CognitoIdentityCredentials$/),
        accessKey: credentials.accessKeyId,
      },
    });
    expect(answer.text).not.toContain(credentials.secretAccessKey);
    expect(answer.text).not.toContain(credentials.sessionToken);
  });

  it("refuses an unsigned request: 403 Missing Authentication Token", async () => {
    const answer = await get(gateway.port, path("/me/iam"));
    expect(answer.status).toBe(403);
    expect(answer.text).toBe('{"message":"Missing Authentication Token"}');
    expect(answer.headers["x-amzn-errortype"]).toBe("MissingAuthenticationTokenException");
  });

  it("refuses a user-pool token: API Gateway reads the header as SigV4", async () => {
    const answer = await get(gateway.port, path("/me/iam"), { Authorization: `Bearer ${idToken()}` });
    expect(answer.status).toBe(403);
    expect(answer.headers["x-amzn-errortype"]).toBe("IncompleteSignatureException");
    expect(answer.json().message).toMatch(/^Invalid key=value pair \(missing equal-sign\) in Authorization header/);
  });

  it("refuses another role's credentials: 403 with IAM's words, naming the assumed role and the method ARN", async () => {
    const credentials = identityPoolCredentials(OTHER_ROLE);
    const answer = await get(
      gateway.port,
      path("/me/iam"),
      await signedHeaders(gateway.port, path("/me/iam"), credentials),
    );
    expect(answer.status).toBe(403);
    expect(answer.headers["x-amzn-errortype"]).toBe("AccessDeniedException");
    expect(answer.json()).toEqual({
      Message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/AuthWorkshop-SomeOtherRole/CognitoIdentityCredentials is not authorized to perform: execute-api:Invoke on resource: ${ME_IAM_ARN}`,
    });
  });

  it("refuses expired credentials: 403 ExpiredTokenException", async () => {
    const credentials = identityPoolCredentials(READER_ROLE, Date.now() - 2 * 3600 * 1000);
    const answer = await get(
      gateway.port,
      path("/me/iam"),
      await signedHeaders(gateway.port, path("/me/iam"), credentials),
    );
    expect(answer.status).toBe(403);
    expect(answer.headers["x-amzn-errortype"]).toBe("ExpiredTokenException");
    expect(answer.json()).toEqual({ message: "The security token included in the request is expired" });
  });

  it("refuses a signature over 5 minutes old, as API Gateway does", async () => {
    const credentials = identityPoolCredentials(READER_ROLE);
    const old = new Date(Date.now() - 6 * 60 * 1000);
    const answer = await get(
      gateway.port,
      path("/me/iam"),
      await signedHeaders(gateway.port, path("/me/iam"), credentials, old),
    );
    expect(answer.status).toBe(403);
    expect(answer.headers["x-amzn-errortype"]).toBe("InvalidSignatureException");
    expect(answer.json().message).toMatch(
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(.* - 5 min\.\)$/,
    );
  });

  it("refuses a key it never issued, a wrong secret and a signature for another path", async () => {
    const credentials = identityPoolCredentials(READER_ROLE);
    const unknown = await get(
      gateway.port,
      path("/me/iam"),
      await signedHeaders(gateway.port, path("/me/iam"), { ...credentials, accessKeyId: "ASIANOTISSUEDBYUS123" }),
    );
    expect([unknown.status, unknown.headers["x-amzn-errortype"], unknown.json().message]).toEqual([
      403,
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
    ]);
    for (const headers of [
      await signedHeaders(gateway.port, path("/me/iam"), { ...credentials, secretAccessKey: "not-the-secret" }),
      await signedHeaders(gateway.port, path("/me"), credentials),
    ]) {
      const answer = await get(gateway.port, path("/me/iam"), headers);
      expect(answer.status).toBe(403);
      expect(answer.headers["x-amzn-errortype"]).toBe("InvalidSignatureException");
      expect(answer.json().message).toMatch(/^The request signature we calculated does not match/);
    }
  });
});

describe("a gateway started without the cognitoUserPool and iam options", () => {
  it("answers 500 on those routes and logs what is missing; the Lambda-authorizer routes still work", async () => {
    const bare = await startLocalApiGateway(options({ cognitoUserPool: undefined, iam: undefined }));
    try {
      const before = logLines.length;
      expect((await get(bare.port, path("/me/iam"))).status).toBe(500);
      expect((await get(bare.port, path("/me/cognito"), { Authorization: idToken() })).status).toBe(500);
      expect((await get(bare.port, path("/me"), { Authorization: "Bearer x" })).status).toBe(200);
      const lines = logLines.slice(before).join("\n");
      expect(lines).toContain(
        "GET /me/iam is an AWS_IAM route, but the local gateway was started without the iam option",
      );
      expect(lines).toContain("without the cognitoUserPool option");
    } finally {
      await bare.close();
    }
  });
});
