import { createHash } from "node:crypto";
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayTokenAuthorizerEvent,
} from "aws-lambda";
import { CORS, ROUTES, STAGE_NAME, STAGE_THROTTLING } from "../../runtime/purchases-api.ts";
import { startLocalApiGateway } from "./local-api-gateway.ts";
import type { LocalApiGateway, LocalApiGatewayOptions } from "./local-api-gateway.ts";

const REGION = "eu-west-1";
const ACCOUNT = "123456789012";
const API_ID = "localapi01";
const ARN_PREFIX = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/${STAGE_NAME}`;

const UNAUTHORIZED = '{"message":"Unauthorized"}';
const MISSING_TOKEN = '{"message":"Missing Authentication Token"}';
const AUTHORIZER_ERROR = '{"message":null}';
const EXPLICIT_DENY = '{"Message":"User is not authorized to access this resource with an explicit deny"}';
const IMPLICIT_DENY = '{"Message":"User is not authorized to access this resource"}';
const INTEGRATION_ERROR = '{"message": "Internal server error"}';
const TIMED_OUT = '{"message": "Endpoint request timed out"}';
const THROTTLED = '{"message":"Too Many Requests"}';
/** What API Gateway answers a missing method called with `Authorization: Bearer ...`: it read the header as SigV4. */
const NOT_SIGV4 = (authorization: string) =>
  `{"message":"Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '${sha256(authorization)}'."}`;
const NO_SIGV4_PARAMETERS = (authorization: string) =>
  `{"message":"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. ` +
  `Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' ` +
  `or a 'Date' header. (Hashed with SHA-256 and encoded with Base64) Authorization=${sha256(authorization)}"}`;
const sha256 = (text: string) => createHash("sha256").update(text).digest("base64");

const statement = (Effect: "Allow" | "Deny", Resource: string) => ({ Effect, Action: "execute-api:Invoke", Resource });
const answer = (...Statement: ReturnType<typeof statement>[]): APIGatewayAuthorizerResult => ({
  principalId: "user-1",
  policyDocument: { Version: "2012-10-17", Statement },
  context: { tenantId: "t-1", role: "member", level: 3, admin: false },
});

/**
 * A fake authorizer: the token (`Bearer <behaviour>[:<nonce>]`) says how it
 * answers; the nonce keeps cache entries of different tests apart.
 */
const authorizer = vi.fn(async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const behaviour = event.authorizationToken.replace(/^Bearer /, "").split(":")[0];
  switch (behaviour) {
    case "allow-all":
      return answer(statement("Allow", `${ARN_PREFIX}/*`));
    case "get-only":
      return answer(statement("Allow", `${ARN_PREFIX}/GET/*`));
    case "deny-delete":
      return answer(statement("Allow", `${ARN_PREFIX}/*`), statement("Deny", `${ARN_PREFIX}/DELETE/purchases/*`));
    case "exact-arn": // the classic mistake: allow only the ARN being asked about
      return answer(statement("Allow", event.methodArn));
    case "nested-context":
      return {
        ...answer(statement("Allow", "*")),
        context: { tenant: { id: "t-1" } },
      } as unknown as APIGatewayAuthorizerResult;
    case "null-context":
      return {
        ...answer(statement("Allow", "*")),
        context: { tenantId: null },
      } as unknown as APIGatewayAuthorizerResult;
    case "hang":
      return new Promise(() => {});
    case "array-context":
      return {
        ...answer(statement("Allow", "*")),
        context: { groups: ["admin"] },
      } as unknown as APIGatewayAuthorizerResult;
    case "no-policy":
      return { principalId: "user-1" } as unknown as APIGatewayAuthorizerResult;
    case "boom":
      throw new Error("user pool unreachable");
    default:
      throw new Error("Unauthorized");
  }
});

/** A fake purchases function; the `x-test-behaviour` header picks a failure. */
const purchases = vi.fn(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  switch (event.headers["x-test-behaviour"]) {
    case "throw":
      throw new Error("DynamoDB said no");
    case "object-body":
      return { statusCode: 200, body: { not: "a string" } } as unknown as APIGatewayProxyResult;
    case "no-status":
      return { body: "{}" } as unknown as APIGatewayProxyResult;
    case "nothing":
      return undefined as unknown as APIGatewayProxyResult;
    case "bad-header":
      return { statusCode: 200, headers: { "X-Injected": "a\r\nSet-Cookie: evil=1" }, body: "{}" };
    case "content-length":
      return { statusCode: 200, headers: { "Content-Length": 999 }, body: "short" };
    case "hang":
      return new Promise(() => {});
    case "bytes": {
      // A proxy result whose JSON is exactly x-test-bytes bytes long.
      const overhead = JSON.stringify({ statusCode: 200, body: "" }).length;
      return { statusCode: 200, body: "x".repeat(Number(event.headers["x-test-bytes"]) - overhead) };
    }
    default:
      return {
        statusCode: event.httpMethod === "POST" ? 201 : 200,
        headers: { "Content-Type": "application/json", "X-Custom": 7 },
        multiValueHeaders: { "Set-Cookie": ["a=1", "b=2"] },
        body: JSON.stringify({ ok: true, path: event.path }),
      };
  }
});

/** A stub for POST /sign-out (step 07): these tests are about the gateway, not sign-out. */
const signOut = vi.fn(async (): Promise<APIGatewayProxyResult> => ({ statusCode: 204, body: "" }));
/** A stub for GET /me and its kin (step 08); local-api-gateway.authorization.test.ts drives them. */
const me = vi.fn(async (): Promise<APIGatewayProxyResult> => ({ statusCode: 200, body: "{}" }));

let now = Date.UTC(2025, 0, 1);
const logLines: string[] = [];
const started: LocalApiGateway[] = [];

async function start(overrides: Partial<LocalApiGatewayOptions> = {}): Promise<LocalApiGateway> {
  const gateway = await startLocalApiGateway({
    routes: ROUTES,
    functions: { purchases, signOut, me },
    authorizer,
    region: REGION,
    accountId: ACCOUNT,
    apiId: API_ID,
    stage: STAGE_NAME,
    clock: () => now,
    log: (line) => logLines.push(line),
    // The frozen clock never refills a bucket: a deep one, so only the throttling tests meet the limit.
    throttle: { rateLimit: 0, burstLimit: 10_000 },
    ...overrides,
  });
  started.push(gateway);
  return gateway;
}

afterAll(async () => {
  await Promise.all(started.map((gateway) => gateway.close()));
});

beforeEach(() => {
  authorizer.mockClear();
  purchases.mockClear();
});

interface Sent {
  status: number;
  text: string;
  headers: Headers;
}

async function send(
  url: string,
  {
    method = "GET",
    token,
    headers = {},
    body,
  }: { method?: string; token?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Sent> {
  const response = await fetch(url, {
    method,
    headers: { ...(token === undefined ? {} : { Authorization: token }), ...headers },
    body,
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

const lastEvent = (): APIGatewayProxyEvent => {
  const call = purchases.mock.calls.at(-1);
  if (!call) throw new Error("the function was not invoked");
  return call[0];
};

describe("request pipeline (cache off, so every request reaches the authorizer)", () => {
  let gateway: LocalApiGateway;
  beforeAll(async () => {
    gateway = await start({ authorizerCacheTtlSeconds: 0 });
  });

  interface PipelineCase {
    name: string;
    method?: string;
    /** Below the stage, or a full path when it starts with `//`. */
    path: string;
    token?: string;
    headers?: Record<string, string>;
    status: number;
    body: string;
    errorType?: string;
    authorizerCalls: number;
    functionCalls: number;
  }

  it.each<PipelineCase>([
    {
      name: "no Authorization header",
      path: "/purchases",
      status: 401,
      body: UNAUTHORIZED,
      errorType: "UnauthorizedException",
      authorizerCalls: 0,
      functionCalls: 0,
    },
    {
      name: "empty Authorization header",
      path: "/purchases",
      token: "",
      status: 401,
      body: UNAUTHORIZED,
      errorType: "UnauthorizedException",
      authorizerCalls: 0,
      functionCalls: 0,
    },
    {
      name: "whitespace Authorization header",
      path: "/purchases",
      token: "   ",
      status: 401,
      body: UNAUTHORIZED,
      errorType: "UnauthorizedException",
      authorizerCalls: 0,
      functionCalls: 0,
    },
    {
      name: "authorizer throws Unauthorized",
      path: "/purchases",
      token: "Bearer expired",
      status: 401,
      body: UNAUTHORIZED,
      errorType: "UnauthorizedException",
      authorizerCalls: 1,
      functionCalls: 0,
    },
    {
      name: "authorizer throws another error",
      path: "/purchases",
      token: "Bearer boom",
      status: 500,
      body: AUTHORIZER_ERROR,
      errorType: "AuthorizerConfigurationException",
      authorizerCalls: 1,
      functionCalls: 0,
    },
    {
      name: "authorizer context holds null (not string, number or boolean)",
      path: "/purchases",
      token: "Bearer null-context",
      status: 500,
      body: AUTHORIZER_ERROR,
      errorType: "AuthorizerConfigurationException",
      authorizerCalls: 1,
      functionCalls: 0,
    },
    {
      name: "authorizer context holds an object",
      path: "/purchases",
      token: "Bearer nested-context",
      status: 500,
      body: AUTHORIZER_ERROR,
      errorType: "AuthorizerConfigurationException",
      authorizerCalls: 1,
      functionCalls: 0,
    },
    {
      name: "authorizer context holds an array",
      path: "/purchases",
      token: "Bearer array-context",
      status: 500,
      body: AUTHORIZER_ERROR,
      errorType: "AuthorizerConfigurationException",
      authorizerCalls: 1,
      functionCalls: 0,
    },
    {
      name: "authorizer answer without policy",
      path: "/purchases",
      token: "Bearer no-policy",
      status: 500,
      body: AUTHORIZER_ERROR,
      errorType: "AuthorizerConfigurationException",
      authorizerCalls: 1,
      functionCalls: 0,
    },
    {
      name: "explicit Deny for the method",
      method: "DELETE",
      path: "/purchases/01HX",
      token: "Bearer deny-delete",
      status: 403,
      body: EXPLICIT_DENY,
      errorType: "AccessDeniedException",
      authorizerCalls: 1,
      functionCalls: 0,
    },
    {
      name: "method not in the policy",
      method: "POST",
      path: "/purchases",
      token: "Bearer get-only",
      status: 403,
      body: IMPLICIT_DENY,
      errorType: "AccessDeniedException",
      authorizerCalls: 1,
      functionCalls: 0,
    },
    {
      name: "unknown resource, Bearer token (read as SigV4)",
      path: "/nope",
      token: "Bearer allow-all",
      status: 403,
      body: NOT_SIGV4("Bearer allow-all"),
      errorType: "IncompleteSignatureException",
      authorizerCalls: 0,
      functionCalls: 0,
    },
    {
      name: "unknown resource, bare token (no SigV4 parameters)",
      path: "/nope",
      token: "allow-all",
      status: 403,
      body: NO_SIGV4_PARAMETERS("allow-all"),
      errorType: "IncompleteSignatureException",
      authorizerCalls: 0,
      functionCalls: 0,
    },
    {
      name: "unknown resource, empty Authorization header",
      path: "/nope",
      token: "",
      status: 403,
      body: MISSING_TOKEN,
      errorType: "MissingAuthenticationTokenException",
      authorizerCalls: 0,
      functionCalls: 0,
    },
    {
      name: "unknown resource without a token",
      path: "/nope",
      status: 403,
      body: MISSING_TOKEN,
      errorType: "MissingAuthenticationTokenException",
      authorizerCalls: 0,
      functionCalls: 0,
    },
    {
      name: "method not defined on the resource",
      method: "PUT",
      path: "/purchases",
      token: "Bearer allow-all",
      status: 403,
      body: NOT_SIGV4("Bearer allow-all"),
      errorType: "IncompleteSignatureException",
      authorizerCalls: 0,
      functionCalls: 0,
    },
    {
      name: "method not defined, no token",
      method: "PUT",
      path: "/purchases",
      status: 403,
      body: MISSING_TOKEN,
      errorType: "MissingAuthenticationTokenException",
      authorizerCalls: 0,
      functionCalls: 0,
    },
    {
      name: "too many path segments",
      path: "/purchases/01HX/extra",
      token: "Bearer allow-all",
      status: 403,
      body: NOT_SIGV4("Bearer allow-all"),
      errorType: "IncompleteSignatureException",
      authorizerCalls: 0,
      functionCalls: 0,
    },
    {
      name: "the stage root",
      path: "",
      token: "Bearer allow-all",
      status: 403,
      body: NOT_SIGV4("Bearer allow-all"),
      errorType: "IncompleteSignatureException",
      authorizerCalls: 0,
      functionCalls: 0,
    },
    {
      name: "another stage",
      path: "//dev/purchases",
      token: "Bearer allow-all",
      status: 403,
      body: NOT_SIGV4("Bearer allow-all"),
      errorType: "IncompleteSignatureException",
      authorizerCalls: 0,
      functionCalls: 0,
    },
    {
      name: "another stage, no token",
      path: "//dev/purchases",
      status: 403,
      body: MISSING_TOKEN,
      errorType: "MissingAuthenticationTokenException",
      authorizerCalls: 0,
      functionCalls: 0,
    },
    {
      name: "OPTIONS without CORS configured",
      method: "OPTIONS",
      path: "/purchases",
      status: 403,
      body: MISSING_TOKEN,
      errorType: "MissingAuthenticationTokenException",
      authorizerCalls: 0,
      functionCalls: 0,
    },
    {
      name: "allowed list",
      path: "/purchases",
      token: "Bearer allow-all",
      status: 200,
      body: '{"ok":true,"path":"/purchases"}',
      authorizerCalls: 1,
      functionCalls: 1,
    },
    {
      name: "DELETE on the collection (no such method)",
      method: "DELETE",
      path: "/purchases",
      token: "Bearer deny-delete",
      status: 403,
      body: NOT_SIGV4("Bearer deny-delete"),
      errorType: "IncompleteSignatureException",
      authorizerCalls: 0,
      functionCalls: 0,
    },
    {
      name: "query names that are JavaScript built-ins",
      path: "/purchases?constructor=1&__proto__=2&toString&hasOwnProperty=3&valueOf=4",
      token: "Bearer allow-all",
      status: 200,
      body: '{"ok":true,"path":"/purchases"}',
      authorizerCalls: 1,
      functionCalls: 1,
    },
    {
      name: "a header named hasOwnProperty",
      path: "/purchases",
      token: "Bearer allow-all",
      headers: Object.fromEntries([
        ["hasOwnProperty", "1"],
        ["constructor", "2"],
        ["__proto__", "3"],
      ]),
      status: 200,
      body: '{"ok":true,"path":"/purchases"}',
      authorizerCalls: 1,
      functionCalls: 1,
    },
    {
      name: "allowed read next to a Deny",
      path: "/purchases/01HX",
      token: "Bearer deny-delete",
      status: 200,
      body: '{"ok":true,"path":"/purchases/01HX"}',
      authorizerCalls: 1,
      functionCalls: 1,
    },
    {
      name: "function throws",
      path: "/purchases",
      token: "Bearer allow-all",
      headers: { "x-test-behaviour": "throw" },
      status: 502,
      body: INTEGRATION_ERROR,
      errorType: "InternalServerErrorException",
      authorizerCalls: 1,
      functionCalls: 1,
    },
    {
      name: "function returns a non-string body",
      path: "/purchases",
      token: "Bearer allow-all",
      headers: { "x-test-behaviour": "object-body" },
      status: 502,
      body: INTEGRATION_ERROR,
      errorType: "InternalServerErrorException",
      authorizerCalls: 1,
      functionCalls: 1,
    },
    {
      name: "function returns no statusCode",
      path: "/purchases",
      token: "Bearer allow-all",
      headers: { "x-test-behaviour": "no-status" },
      status: 502,
      body: INTEGRATION_ERROR,
      errorType: "InternalServerErrorException",
      authorizerCalls: 1,
      functionCalls: 1,
    },
    {
      name: "function returns nothing",
      path: "/purchases",
      token: "Bearer allow-all",
      headers: { "x-test-behaviour": "nothing" },
      status: 502,
      body: INTEGRATION_ERROR,
      errorType: "InternalServerErrorException",
      authorizerCalls: 1,
      functionCalls: 1,
    },
    {
      name: "function returns a header with a line break",
      path: "/purchases",
      token: "Bearer allow-all",
      headers: { "x-test-behaviour": "bad-header" },
      status: 502,
      body: INTEGRATION_ERROR,
      errorType: "InternalServerErrorException",
      authorizerCalls: 1,
      functionCalls: 1,
    },
    {
      name: "function's Content-Length is remapped, not obeyed",
      path: "/purchases",
      token: "Bearer allow-all",
      headers: { "x-test-behaviour": "content-length" },
      status: 200,
      body: "short",
      authorizerCalls: 1,
      functionCalls: 1,
    },
    {
      name: "broken percent-encoding in a path parameter",
      path: "/purchases/%E0%A4%A",
      token: "Bearer allow-all",
      status: 400,
      body: '{"message":"Bad request"}',
      errorType: "BadRequestException",
      authorizerCalls: 1,
      functionCalls: 0,
    },
  ])(
    "$name -> $status",
    async ({ method, path, token, headers, status, body, errorType, authorizerCalls, functionCalls }) => {
      const url = path.startsWith("//") ? `${new URL(gateway.url).origin}${path.slice(1)}` : `${gateway.url}${path}`;
      const response = await send(url, { method, token, headers });

      expect(response.status).toBe(status);
      expect(response.text).toBe(body);
      expect(response.headers.get("x-amzn-errortype")).toBe(errorType ?? null);
      expect(response.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
      expect(authorizer).toHaveBeenCalledTimes(authorizerCalls);
      expect(purchases).toHaveBeenCalledTimes(functionCalls);
    },
  );

  it("hands the authorizer the token and this request's method ARN", async () => {
    await send(`${gateway.url}/purchases/01HX?limit=1`, { token: "Bearer allow-all" });
    expect(authorizer).toHaveBeenCalledWith({
      type: "TOKEN",
      authorizationToken: "Bearer allow-all",
      methodArn: `${ARN_PREFIX}/GET/purchases/01HX`,
    });
  });

  it("gives the event's requestContext.requestId and the response's x-amzn-RequestId one id", async () => {
    const response = await send(`${gateway.url}/purchases`, { token: "Bearer allow-all" });
    expect(response.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    expect(lastEvent().requestContext.requestId).toBe(response.headers.get("x-amzn-requestid"));
  });

  it("builds the proxy event: route, path parameters, query, headers, authorizer context", async () => {
    const response = await rawGet(gateway.port, `/${STAGE_NAME}/purchases/01HX%20Y?limit=10&tag=a&tag=b+c%2Bd&flag`, [
      "Host",
      `127.0.0.1:${gateway.port}`,
      "Authorization",
      "Bearer allow-all",
      "X-Multi",
      "one",
      "X-Multi",
      "two",
      "User-Agent",
      "workshop-test",
    ]);
    expect(response.status).toBe(200);

    const event = lastEvent();
    expect(event).toMatchObject({
      resource: "/purchases/{purchaseId}",
      path: "/purchases/01HX%20Y",
      httpMethod: "GET",
      pathParameters: { purchaseId: "01HX Y" },
      queryStringParameters: { limit: "10", tag: "b c+d", flag: "" },
      multiValueQueryStringParameters: { limit: ["10"], tag: ["a", "b c+d"], flag: [""] },
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
    });
    expect(event.headers).toMatchObject({
      Authorization: "Bearer allow-all",
      "X-Multi": "two",
      "User-Agent": "workshop-test",
    });
    expect(event.multiValueHeaders["X-Multi"]).toEqual(["one", "two"]);

    const { requestContext } = event;
    expect(requestContext).toMatchObject({
      accountId: ACCOUNT,
      apiId: API_ID,
      resourcePath: "/purchases/{purchaseId}",
      httpMethod: "GET",
      path: `/${STAGE_NAME}/purchases/01HX%20Y`,
      stage: STAGE_NAME,
      requestTimeEpoch: now,
      identity: { sourceIp: "127.0.0.1", userAgent: "workshop-test", user: null, cognitoIdentityId: null },
    });
    expect(requestContext.resourceId).toMatch(/^[0-9a-f]{6}$/);
    expect(requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestContext.requestTime).toBe("01/Jan/2025:00:00:00 +0000");
    // REST APIs stringify the authorizer's context values for the integration.
    expect(requestContext.authorizer).toEqual({
      tenantId: "t-1",
      role: "member",
      level: "3",
      admin: "false",
      principalId: "user-1",
      integrationLatency: expect.any(Number),
    });
  });

  it("passes a POST body as a string; no path parameters or query -> null", async () => {
    const response = await send(`${gateway.url}/purchases`, {
      method: "POST",
      token: "Bearer allow-all",
      headers: { "Content-Type": "application/json" },
      body: '{"item":"café","amountCents":1250}',
    });
    expect(response.status).toBe(201);
    const event = lastEvent();
    expect(event.body).toBe('{"item":"café","amountCents":1250}');
    expect(event.pathParameters).toBeNull();
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
  });

  it("sends the function's status, headers and multi-value headers as given, adding no CORS", async () => {
    const response = await fetch(`${gateway.url}/purchases`, { headers: { Authorization: "Bearer allow-all" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-custom")).toBe("7");
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses a body over 10 MB at the front door, before the authorizer", async () => {
    const response = await send(`${gateway.url}/purchases`, {
      method: "POST",
      token: "Bearer allow-all",
      body: "x".repeat(10 * 1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expect(response.text).toBe("HTTP content length exceeded 10485760 bytes.");
    expect(authorizer).not.toHaveBeenCalled();
  });

  it("refuses an event over Lambda's 6 MB invoke limit after authorizing", async () => {
    const response = await send(`${gateway.url}/purchases`, {
      method: "POST",
      token: "Bearer allow-all",
      body: "x".repeat(7 * 1024 * 1024),
    });
    expect(response.status).toBe(413);
    expect(response.text).toBe('{"message": "Request Too Long"}');
    expect(authorizer).toHaveBeenCalledTimes(1);
    expect(purchases).not.toHaveBeenCalled();
  });

  it("logs one line per request, with the reason for a 500 and no stack trace", async () => {
    logLines.length = 0;
    await send(`${gateway.url}/purchases`, { token: "Bearer boom" });
    await send(`${gateway.url}/purchases`, { token: "Bearer allow-all", headers: { "x-test-behaviour": "throw" } });
    expect(logLines).toHaveLength(2);
    expect(logLines[0]).toMatch(/^GET \/prod\/purchases 500 .*user pool unreachable/);
    expect(logLines[1]).toMatch(/^GET \/prod\/purchases 502 .*DynamoDB said no/);
    expect(logLines.join("\n")).not.toMatch(/\n\s+at |Bearer/);
  });

  it("survives garbage on the wire and keeps serving", async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(gateway.port, "127.0.0.1", () => socket.write("NOT HTTP AT ALL\r\n\r\n"));
      let data = "";
      socket.on("data", (chunk) => (data += chunk.toString()));
      socket.on("end", () => resolve(data));
      socket.on("error", reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await send(`${gateway.url}/purchases`, { token: "Bearer allow-all" })).status).toBe(200);
  });
});

describe("authorizer cache", () => {
  let cached: LocalApiGateway;
  let uncached: LocalApiGateway;
  beforeAll(async () => {
    cached = await start({ authorizerCacheTtlSeconds: 300 });
    uncached = await start({ authorizerCacheTtlSeconds: 0 });
  });

  it("invokes the authorizer once for the same token, then serves from the cache", async () => {
    const before = { ...cached.stats };
    const first = await send(`${cached.url}/purchases`, { token: "Bearer allow-all:same" });
    const second = await send(`${cached.url}/purchases`, { token: "Bearer allow-all:same" });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(authorizer).toHaveBeenCalledTimes(1);
    expect(cached.stats.authorizerInvocations - before.authorizerInvocations).toBe(1);
    expect(cached.stats.cacheHits - before.cacheHits).toBe(1);
    expect(lastEvent().requestContext.authorizer).toMatchObject({
      principalId: "user-1",
      tenantId: "t-1",
      integrationLatency: 0,
    });
  });

  it("invokes it again once the TTL has passed (injected clock)", async () => {
    const token = "Bearer allow-all:ttl";
    await send(`${cached.url}/purchases`, { token });
    now += 299_000;
    await send(`${cached.url}/purchases`, { token });
    expect(authorizer).toHaveBeenCalledTimes(1);
    now += 2_000;
    await send(`${cached.url}/purchases`, { token });
    expect(authorizer).toHaveBeenCalledTimes(2);
  });

  it("with TTL 0 invokes it on every request", async () => {
    for (let i = 0; i < 3; i++) {
      expect((await send(`${uncached.url}/purchases`, { token: "Bearer allow-all:nocache" })).status).toBe(200);
    }
    expect(authorizer).toHaveBeenCalledTimes(3);
  });

  it("re-evaluates the cached policy per route: a narrow policy from GET /purchases denies GET /purchases/1", async () => {
    const token = "Bearer exact-arn:pitfall";
    const list = await send(`${cached.url}/purchases`, { token });
    const item = await send(`${cached.url}/purchases/1`, { token });
    expect(list.status).toBe(200);
    expect(item.status).toBe(403);
    expect(item.text).toBe(IMPLICIT_DENY);
    expect(authorizer).toHaveBeenCalledTimes(1);
  });

  it("without the cache the same narrow policy works for both routes (the pitfall hides until caching is on)", async () => {
    const token = "Bearer exact-arn:pitfall";
    expect((await send(`${uncached.url}/purchases`, { token })).status).toBe(200);
    expect((await send(`${uncached.url}/purchases/1`, { token })).status).toBe(200);
  });

  it("caches a Deny policy too", async () => {
    const token = "Bearer deny-delete:cached";
    const first = await send(`${cached.url}/purchases/1`, { method: "DELETE", token });
    const second = await send(`${cached.url}/purchases/1`, { method: "DELETE", token });
    expect([first.text, second.text]).toEqual([EXPLICIT_DENY, EXPLICIT_DENY]);
    expect(authorizer).toHaveBeenCalledTimes(1);
  });

  it.each([
    ["a 401 (authorizer threw Unauthorized)", "Bearer expired:not-cached", 401],
    ["a 500 (authorizer failed)", "Bearer boom:not-cached", 500],
    ["a 500 (malformed answer)", "Bearer nested-context:not-cached", 500],
  ])("does not cache %s", async (_name, token, status) => {
    expect((await send(`${cached.url}/purchases`, { token })).status).toBe(status);
    expect((await send(`${cached.url}/purchases`, { token })).status).toBe(status);
    expect(authorizer).toHaveBeenCalledTimes(2);
  });
});

describe("CORS", () => {
  let gateway: LocalApiGateway;
  const APP = "https://app.example.com";
  const ADMIN = "https://admin.example.com";
  beforeAll(async () => {
    gateway = await start({
      authorizerCacheTtlSeconds: 0,
      cors: { allowOrigins: [APP, ADMIN], ...CORS },
    });
  });

  it("answers a preflight with 204 and the allowed headers, without the authorizer", async () => {
    const response = await send(`${gateway.url}/purchases/01HX`, {
      method: "OPTIONS",
      headers: { Origin: ADMIN, "Access-Control-Request-Method": "DELETE" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(ADMIN);
    expect(response.headers.get("access-control-allow-headers")).toBe("Authorization,Content-Type,Idempotency-Key");
    expect(response.headers.get("access-control-allow-methods")).toBe("GET,POST,DELETE,OPTIONS");
    // The deployed stack's maxAge: a browser reuses the answer for an hour.
    expect(response.headers.get("access-control-max-age")).toBe(String(CORS.maxAgeSeconds));
    expect(authorizer).not.toHaveBeenCalled();
  });

  it("sends the first allowed origin to an origin it does not know", async () => {
    const response = await send(`${gateway.url}/purchases`, {
      method: "OPTIONS",
      headers: { Origin: "https://evil.example" },
    });
    expect(response.headers.get("access-control-allow-origin")).toBe(APP);
  });

  it.each([
    ["401", "/purchases", undefined, 401],
    ["403 explicit deny", "/purchases/1", "Bearer deny-delete", 403],
    ["403 missing authentication token", "/nope", undefined, 403],
    ["500 authorizer failure", "/purchases", "Bearer boom", 500],
    ["403 unsigned Authorization on a missing resource", "/nope", "Bearer allow-all", 403],
  ])("adds Access-Control-Allow-Origin to a gateway %s", async (_name, path, token, status) => {
    const method = token === "Bearer deny-delete" ? "DELETE" : "GET";
    const response = await send(`${gateway.url}${path}`, { method, token, headers: { Origin: APP } });
    expect(response.status).toBe(status);
    expect(response.headers.get("access-control-allow-origin")).toBe(APP);
  });

  it("leaves the function's own response alone", async () => {
    const response = await send(`${gateway.url}/purchases`, { token: "Bearer allow-all", headers: { Origin: APP } });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("Lambda and integration limits (the shared settings' values, injected short so no test waits 10 s)", () => {
  interface LimitCase {
    name: string;
    options: Partial<LocalApiGatewayOptions>;
    token?: string;
    headers?: Record<string, string>;
    status: number;
    body: string;
    errorType?: string;
  }
  const LONG = 60_000;

  it.each<LimitCase>([
    {
      name: "function still running at its own timeout: Lambda ends it, a function error",
      options: { functionTimeoutMs: { purchases: 50 }, integrationTimeoutMs: LONG },
      headers: { "x-test-behaviour": "hang" },
      status: 502,
      body: INTEGRATION_ERROR,
      errorType: "InternalServerErrorException",
    },
    {
      name: "function still running at the integration timeout: API Gateway stops waiting",
      options: { functionTimeoutMs: { purchases: LONG }, integrationTimeoutMs: 50 },
      headers: { "x-test-behaviour": "hang" },
      status: 504,
      body: TIMED_OUT,
    },
    {
      name: "authorizer still running at its timeout",
      options: { functionTimeoutMs: { authorizer: 50 } },
      token: "Bearer hang",
      status: 500,
      body: AUTHORIZER_ERROR,
      errorType: "AuthorizerConfigurationException",
    },
    {
      name: "proxy result of exactly 6,291,556 bytes (Lambda's response limit)",
      options: {},
      headers: { "x-test-behaviour": "bytes", "x-test-bytes": "6291556" },
      status: 200,
      body: "x".repeat(6_291_556 - JSON.stringify({ statusCode: 200, body: "" }).length),
    },
    {
      name: "proxy result one byte over Lambda's response limit",
      options: {},
      headers: { "x-test-behaviour": "bytes", "x-test-bytes": "6291557" },
      status: 502,
      body: INTEGRATION_ERROR,
      errorType: "InternalServerErrorException",
    },
  ])("$name -> $status", async ({ options, token = "Bearer allow-all", headers, status, body, errorType }) => {
    const gateway = await start({ authorizerCacheTtlSeconds: 0, ...options });
    const response = await send(`${gateway.url}/purchases`, { token, headers });
    expect(response.status).toBe(status);
    expect(response.text).toBe(body);
    expect(response.headers.get("x-amzn-errortype")).toBe(errorType ?? null);
  });
});

describe("stage throttling (token bucket from STAGE_THROTTLING, injected clock)", () => {
  const getList = (gateway: LocalApiGateway) =>
    send(`${gateway.url}/purchases`, { token: "Bearer allow-all:throttle" });

  it("serves the deployed burst, then 429s before the authorizer runs, then refills at the deployed rate", async () => {
    const gateway = await start({ throttle: undefined }); // the default: the deployed stage's limits
    const statuses: number[] = [];
    for (let i = 0; i < STAGE_THROTTLING.burstLimit; i++) statuses.push((await getList(gateway)).status);
    expect(statuses.every((status) => status === 200)).toBe(true);

    const authorizerCalls = authorizer.mock.calls.length;
    const throttled = await send(`${gateway.url}/purchases`, { token: "Bearer not-yet-cached" });
    expect([throttled.status, throttled.text]).toEqual([429, THROTTLED]);
    expect(throttled.headers.get("x-amzn-errortype")).toBe("TooManyRequestsException");
    expect(authorizer.mock.calls.length).toBe(authorizerCalls);

    now += 1000 / STAGE_THROTTLING.rateLimit; // one token's worth
    expect((await getList(gateway)).status).toBe(200);
    expect((await getList(gateway)).status).toBe(429);
  });

  it("gives each method its own bucket, as stage limits apply per method", async () => {
    const gateway = await start({ throttle: { rateLimit: 1, burstLimit: 1 } });
    expect((await getList(gateway)).status).toBe(200);
    expect((await getList(gateway)).status).toBe(429);
    expect((await send(`${gateway.url}/purchases/01HX`, { token: "Bearer allow-all" })).status).toBe(200);
    expect((await send(`${gateway.url}/purchases/01HY`, { token: "Bearer allow-all" })).status).toBe(429);
  });

  it("throttles preflights too, and a 429 carries the CORS header", async () => {
    const origin = "https://app.example.com";
    const gateway = await start({
      throttle: { rateLimit: 1, burstLimit: 1 },
      cors: { allowOrigins: [origin], ...CORS },
    });
    const preflight = () => send(`${gateway.url}/purchases`, { method: "OPTIONS", headers: { Origin: origin } });
    expect((await preflight()).status).toBe(204);
    const throttled = await preflight();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("access-control-allow-origin")).toBe(origin);
  });
});

describe("startLocalApiGateway", () => {
  it("serves under http://127.0.0.1:{port}/{stage} and stops on close()", async () => {
    const gateway = await startLocalApiGateway({
      routes: ROUTES,
      functions: { purchases, signOut, me },
      authorizer,
      region: REGION,
      accountId: ACCOUNT,
      apiId: API_ID,
      stage: STAGE_NAME,
    });
    expect(gateway.url).toBe(`http://127.0.0.1:${gateway.port}/${STAGE_NAME}`);
    expect((await send(`${gateway.url}/purchases`, { token: "Bearer allow-all:close" })).status).toBe(200);
    await gateway.close();
    await expect(fetch(`${gateway.url}/purchases`)).rejects.toThrow();
  });

  it("refuses a route whose function is missing", async () => {
    await expect(
      startLocalApiGateway({
        routes: ROUTES,
        functions: {} as LocalApiGatewayOptions["functions"],
        authorizer,
        region: REGION,
        accountId: ACCOUNT,
        apiId: API_ID,
        stage: STAGE_NAME,
      }),
    ).rejects.toThrow(/no function "purchases"/);
  });
});

/** GET with raw headers (so a header can repeat), via node:http. */
function rawGet(port: number, path: string, rawHeaders: string[]): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET", headers: rawHeaders }, (res) => {
      let text = "";
      res.on("data", (chunk) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("a method deployed without the authorizer (the misconfiguration validation tests must catch)", () => {
  it("reaches the function with no token and no authorizer context; other methods stay protected", async () => {
    const gateway = await start({ methodsWithoutAuthorizer: ["GET /purchases"] });
    expect((await send(`${gateway.url}/purchases`)).status).toBe(200);
    expect(authorizer).not.toHaveBeenCalled();
    expect(lastEvent().requestContext.authorizer).toBeNull();
    expect((await send(`${gateway.url}/purchases/1`)).status).toBe(401);
  });
});
