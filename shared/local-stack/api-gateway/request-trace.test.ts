import { afterAll, describe, expect, it } from "vitest";
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { ROUTES, STAGE_NAME } from "../../runtime/purchases-api.ts";
import type { FunctionName } from "../../runtime/purchases-api.ts";
import { startLocalApiGateway, type LocalApiGateway, type ProxyFunction } from "./local-api-gateway.ts";
import { matchingStatements, RequestTraceRecorder, tokenDigest } from "./request-trace.ts";

const ARN_PREFIX = `arn:aws:execute-api:us-east-1:000000000000:local/${STAGE_NAME}`;
const ORIGIN = "http://localhost:5173";

// A document client whose requests never leave the process: the last middleware answers an empty page.
const db = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: "us-east-1",
    endpoint: "http://127.0.0.1:9",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  }),
);
db.middlewareStack.add(() => async () => ({ output: { Items: [], $metadata: {} } }) as never, {
  step: "build",
  name: "answerLocally",
});

const authorizer = async (): Promise<APIGatewayAuthorizerResult> => ({
  principalId: "user-1",
  policyDocument: {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "execute-api:Invoke", Resource: [`${ARN_PREFIX}/GET/purchases`] },
      { Effect: "Allow", Action: "execute-api:Invoke", Resource: [`${ARN_PREFIX}/GET/purchases/*`] },
    ],
  },
  context: { tenantId: "acme", role: "viewer" },
});

const purchases: ProxyFunction = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  await db.send(
    new QueryCommand({
      TableName: "purchases",
      KeyConditionExpression: "tenantId = :tenantId",
      ExpressionAttributeValues: { ":tenantId": event.requestContext.authorizer?.tenantId },
    }),
  );
  return { statusCode: 200, body: JSON.stringify({ items: [] }) };
};

const recorder = new RequestTraceRecorder();
recorder.instrument(db, "DynamoDB");
let gateway: LocalApiGateway;

afterAll(() => gateway?.close());

async function call(path: string, init: RequestInit = {}) {
  gateway ??= await startLocalApiGateway({
    routes: ROUTES,
    // Every route's function: the purchases fake (whatever functions the API names).
    functions: Object.fromEntries(ROUTES.map((route) => [route.function, purchases])) as Record<
      FunctionName,
      ProxyFunction
    >,
    authorizer,
    region: "us-east-1",
    accountId: "000000000000",
    apiId: "local",
    stage: STAGE_NAME,
    tracer: recorder,
  });
  return fetch(`${gateway.url}${path}`, { ...init, headers: { Origin: ORIGIN, ...init.headers } });
}

describe("the request trace", () => {
  it("records each flow step of a call, the authorizer's run, then its cache hit", async () => {
    const after = recorder.lastSeq;
    const authorization = "Bearer token-a";
    expect((await call("/purchases", { headers: { Authorization: authorization } })).status).toBe(200);
    expect((await call("/purchases", { headers: { Authorization: authorization } })).status).toBe(200);

    const [first, second] = recorder.tracesFor({ digests: [tokenDigest(authorization)], after });
    expect(first).toMatchObject({
      method: "GET",
      path: `/${STAGE_NAME}/purchases`,
      tokenDigest: tokenDigest(authorization),
      methodArn: `${ARN_PREFIX}/GET/purchases`,
      authorizer: "invoked",
      principalId: "user-1",
      context: { tenantId: "acme", role: "viewer" },
      decision: "allow",
      matchedStatements: [{ Resource: [`${ARN_PREFIX}/GET/purchases`] }],
      functionName: "purchases",
      eventAuthorizer: { tenantId: "acme", role: "viewer", principalId: "user-1" },
      calls: [
        {
          service: "DynamoDB",
          command: "Query",
          by: "purchases",
          input: { TableName: "purchases", KeyConditionExpression: "tenantId = :tenantId" },
        },
      ],
      status: 200,
      body: '{"items":[]}',
    });
    expect(second).toMatchObject({ authorizer: "cache-hit", decision: "allow", status: 200, cachedSecondsAgo: 0 });
    // No token is kept: only its digest.
    expect(JSON.stringify([first, second])).not.toContain("token-a");
  });

  it("records a refusal: the policy judged against another route's ARN, no function called", async () => {
    const after = recorder.lastSeq;
    const authorization = "Bearer token-b";
    expect((await call("/purchases", { method: "POST", headers: { Authorization: authorization } })).status).toBe(403);
    const [trace] = recorder.tracesFor({ digests: [tokenDigest(authorization)], after });
    expect(trace).toMatchObject({ decision: "implicit-deny", matchedStatements: [], status: 403, calls: [] });
    expect(trace?.functionName).toBeUndefined();
  });

  it("hands a page only the traces of tokens it holds, and its own calls without a token", async () => {
    const after = recorder.lastSeq;
    await call("/purchases", { headers: { Authorization: "Bearer someone-else" } });
    await call("/purchases");
    const mine = recorder.tracesFor({ digests: [tokenDigest("Bearer token-a")], origin: ORIGIN, after });
    expect(mine.map((trace) => [trace.status, trace.authorizer])).toEqual([[401, "skipped"]]);
    expect(recorder.tracesFor({ digests: [], origin: "http://elsewhere.example", after })).toEqual([]);
  });

  it("keeps its capacity, dropping the oldest traces", async () => {
    const small = new RequestTraceRecorder({ capacity: 2 });
    const fakeRequest = { headers: { origin: ORIGIN }, method: "GET", url: "/prod/purchases" } as never;
    for (const id of ["1", "2", "3"]) small.start(fakeRequest, id).end(401, "", { authorizer: "skipped" });
    expect(small.tracesFor({ digests: [], origin: ORIGIN }).map((trace) => trace.requestId)).toEqual(["2", "3"]);
    expect(small.lastSeq).toBe(3);
  });
});

describe("matchingStatements", () => {
  it("lists the statements whose action and resource cover the method ARN", () => {
    const allowAll = { Effect: "Allow", Action: "execute-api:Invoke", Resource: `${ARN_PREFIX}/*` };
    const denyDelete = { Effect: "Deny", Action: ["execute-api:*"], Resource: [`${ARN_PREFIX}/DELETE/purchases/*`] };
    const policy = { Statement: [allowAll, denyDelete] };
    expect(matchingStatements(policy, `${ARN_PREFIX}/DELETE/purchases/p-1`)).toEqual([allowAll, denyDelete]);
    expect(matchingStatements(policy, `${ARN_PREFIX}/GET/purchases`)).toEqual([allowAll]);
    expect(matchingStatements(undefined, `${ARN_PREFIX}/GET/purchases`)).toEqual([]);
  });
});
