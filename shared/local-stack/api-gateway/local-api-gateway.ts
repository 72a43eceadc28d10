/**
 * A local Amazon API Gateway REST API (v1), in this process on node:http: a
 * TOKEN Lambda authorizer with its result cache in front of Lambda proxy
 * integrations. It runs a request through the same steps, in the same order,
 * and answers with the same status codes and bodies as AWS, so what the
 * workshop shows locally is what the deployed API does.
 */
import { createServer, validateHeaderName, validateHeaderValue } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayTokenAuthorizerEvent,
} from "aws-lambda";
import {
  AUTHORIZER,
  authorizationOf,
  FUNCTION_TIMEOUT_SECONDS,
  INTEGRATION_TIMEOUT_MS,
  STAGE_THROTTLING,
} from "../../runtime/purchases-api.ts";
import type { FunctionName, RouteDefinition } from "../../runtime/purchases-api.ts";
import { AuthorizerCache } from "./authorizer-cache.ts";
import { createCognitoUserPoolAuthorizer } from "./cognito-user-pools-authorizer.ts";
import type { CognitoUserPoolAuthorizerOptions } from "./cognito-user-pools-authorizer.ts";
import { allowOriginHeaders, preflightHeaders } from "./cors.ts";
import { withDeadlines } from "./deadline.ts";
import type { CorsOptions } from "./cors.ts";
import * as responses from "./gateway-responses.ts";
import type { GatewayResponse } from "./gateway-responses.ts";
import { authorizeIamRequest } from "./iam-authorization.ts";
import type { IamAuthorizationOptions } from "./iam-authorization.ts";
import { evaluatePolicy, methodArn, validateAuthorizerResult } from "./policy-evaluator.ts";
import type { ValidAuthorizerResult } from "./policy-evaluator.ts";
import { buildProxyEvent, MalformedRequestError, type ProxyEventAuthorizer } from "./proxy-event.ts";
import type { CallerIdentity } from "./proxy-event.ts";
import { toHttpResponse } from "./proxy-result.ts";
import type { HttpResponse } from "./proxy-result.ts";
import type { RequestSpan, RequestTracer } from "./request-trace.ts";
import { matchResource, matchRoute } from "./route-matcher.ts";
import { StageThrottle, type ThrottleSettings } from "./token-bucket.ts";
import { unsignedAuthorizationResponse } from "./unsigned-authorization.ts";

export type ProxyFunction = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
export type TokenAuthorizer = (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

export interface LocalApiGatewayOptions {
  /** From shared/runtime/purchases-api.ts. */
  routes: readonly RouteDefinition[];
  functions: Record<FunctionName, ProxyFunction>;
  /** The TOKEN authorizer of `lambda` routes. */
  authorizer: TokenAuthorizer;
  /**
   * The user pool and app client of `cognito-user-pools` routes, and where its
   * JWKS is. Without it, such a route answers 500 and logs why.
   */
  cognitoUserPool?: CognitoUserPoolAuthorizerOptions;
  /**
   * The credentials and policies of `iam` routes (AWS_IAM). Without it, such a
   * route answers 500 and logs why.
   */
  iam?: IamAuthorizationOptions;
  region: string;
  accountId: string;
  apiId: string;
  stage: string;
  /** The Lambda authorizer's cache: default AUTHORIZER.resultsCacheTtlSeconds; 0 disables it. */
  authorizerCacheTtlSeconds?: number;
  /** Answer CORS preflights (OPTIONS) and add CORS headers to gateway errors. */
  cors?: CorsOptions;
  /** Per-method token bucket; default STAGE_THROTTLING, the deployed stage's. */
  throttle?: ThrottleSettings;
  /** Lambda timeouts in ms; default FUNCTION_TIMEOUT_SECONDS. Tests pass short ones. */
  functionTimeoutMs?: Partial<Record<FunctionName | "authorizer", number>>;
  /** How long the gateway waits for an integration; default INTEGRATION_TIMEOUT_MS. */
  integrationTimeoutMs?: number;
  /** 0 or undefined: a free port. */
  port?: number;
  host?: string;
  /** Milliseconds since the epoch, for the cache and request times. */
  clock?: () => number;
  /** One line per request. */
  log?: (line: string) => void;
  /**
   * Methods deployed with no authorizer (`"GET /purchases"`): a
   * misconfiguration, never the workshop's API; the validation step's mutants
   * use it to show what a test must catch.
   */
  methodsWithoutAuthorizer?: readonly string[];
  /** Records each request's steps for the web app's flow inspector (request-trace.ts); local only. */
  tracer?: RequestTracer;
}

export interface LocalApiGatewayStats {
  authorizerInvocations: number;
  cacheHits: number;
}

export interface LocalApiGateway {
  /** `http://127.0.0.1:{port}/{stage}`, no trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
  /** Live counters. */
  stats: LocalApiGatewayStats;
}

/** What happened to a request, for its log line. */
interface Trace {
  authorizer: "skipped" | "invoked" | "cache-hit";
  /** Set when API Gateway itself authorized the request (no Lambda authorizer). */
  authorization?: "cognito-user-pools" | "iam";
  reason?: string;
  span?: RequestSpan;
}

type Authorization =
  { kind: "ok"; result: ValidAuthorizerResult; latencyMs: number } | { kind: "response"; response: GatewayResponse };

export async function startLocalApiGateway(options: LocalApiGatewayOptions): Promise<LocalApiGateway> {
  validateOptions(options);
  const clock = options.clock ?? Date.now;
  const cache = new AuthorizerCache({
    ttlSeconds: options.authorizerCacheTtlSeconds ?? AUTHORIZER.resultsCacheTtlSeconds,
    now: clock,
  });
  const stats: LocalApiGatewayStats = { authorizerInvocations: 0, cacheHits: 0 };
  const identityHeader = AUTHORIZER.identityHeader.toLowerCase();
  const stagePrefix = `/${options.stage}`;
  const throttle = new StageThrottle(options.throttle ?? STAGE_THROTTLING, clock);
  const timeoutMs = (fn: FunctionName | "authorizer") =>
    options.functionTimeoutMs?.[fn] ?? FUNCTION_TIMEOUT_SECONDS[fn] * 1000;
  const integrationTimeoutMs = options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;

  async function authorize(token: string, arn: string, trace: Trace): Promise<Authorization> {
    trace.span?.authorizing(token, arn);
    const cached = cache.get(token);
    if (cached) {
      stats.cacheHits++;
      trace.authorizer = "cache-hit";
      trace.span?.authorized(cached, "cache");
      return { kind: "ok", result: cached, latencyMs: 0 };
    }
    stats.authorizerInvocations++;
    trace.authorizer = "invoked";
    const started = performance.now();
    const event: APIGatewayTokenAuthorizerEvent = { type: "TOKEN", authorizationToken: token, methodArn: arn };
    const outcome = await withDeadlines(() => options.authorizer(event), {
      functionTimeoutMs: timeoutMs("authorizer"),
    });
    if (outcome.kind !== "done") {
      // The one failure that means "bad token" rather than "broken authorizer".
      if (outcome.kind === "failed" && isUnauthorized(outcome.error))
        return { kind: "response", response: responses.UNAUTHORIZED };
      trace.reason = `authorizer failed: ${outcome.kind === "failed" ? describe(outcome.error) : "timed out"}`;
      return { kind: "response", response: responses.AUTHORIZER_CONFIGURATION_ERROR };
    }
    const latencyMs = Math.round(performance.now() - started);
    const wire = overTheWire(outcome.value);
    const validation = wire.ok ? validateAuthorizerResult(wire.value) : wire;
    if (!validation.ok) {
      trace.reason = `authorizer answer malformed: ${validation.reason}`;
      return { kind: "response", response: responses.AUTHORIZER_CONFIGURATION_ERROR };
    }
    cache.set(token, validation.result);
    trace.span?.authorized(validation.result, "authorizer", latencyMs);
    return { kind: "ok", result: validation.result, latencyMs };
  }

  const userPoolAuthorizer = options.cognitoUserPool && createCognitoUserPoolAuthorizer(options.cognitoUserPool);

  /** A COGNITO_USER_POOLS method: the claims of a valid ID token, or API Gateway's 401. */
  async function authorizeWithUserPool(
    token: string | undefined,
    route: RouteDefinition,
    trace: Trace,
  ): Promise<{ kind: "ok"; claims: Record<string, string> } | { kind: "response"; response: GatewayResponse }> {
    trace.authorization = "cognito-user-pools";
    if (!userPoolAuthorizer) {
      trace.reason = `${route.method} ${route.path} is a COGNITO_USER_POOLS route, but the local gateway was started without the cognitoUserPool option (userPoolId, clientId, jwksUrl)`;
      return { kind: "response", response: responses.LOCAL_GATEWAY_ERROR };
    }
    if (token === undefined || token.trim() === "") return { kind: "response", response: responses.UNAUTHORIZED };
    const verdict = await userPoolAuthorizer(token);
    if (!verdict.ok) {
      trace.reason = `Cognito user pool authorizer: ${verdict.reason}`;
      return { kind: "response", response: responses.UNAUTHORIZED };
    }
    return { kind: "ok", claims: verdict.claims };
  }

  /** An AWS_IAM method: the signer's identity, or API Gateway's 403. */
  async function authorizeWithIam(
    req: IncomingMessage,
    target: { method: string; fullPath: string; path: string; query: string; body: Buffer },
    route: RouteDefinition,
    trace: Trace,
  ): Promise<{ kind: "ok"; identity: CallerIdentity } | { kind: "response"; response: GatewayResponse }> {
    trace.authorization = "iam";
    if (!options.iam) {
      trace.reason = `${route.method} ${route.path} is an AWS_IAM route, but the local gateway was started without the iam option (credentials, policiesForRole)`;
      return { kind: "response", response: responses.LOCAL_GATEWAY_ERROR };
    }
    const verdict = await authorizeIamRequest(
      {
        method: target.method,
        path: target.fullPath,
        query: target.query,
        headers: req.headers,
        body: target.body,
        methodArn: methodArn({ ...options, method: target.method, path: target.path }),
      },
      options.iam,
      { region: options.region, clock },
    );
    if (!verdict.ok) {
      trace.reason = verdict.reason;
      return { kind: "response", response: verdict.response };
    }
    return { kind: "ok", identity: verdict.identity };
  }

  /** The pipeline, in API Gateway's order. Returns what to send. */
  async function route(req: IncomingMessage, requestId: string, trace: Trace): Promise<GatewayResponse | HttpResponse> {
    const body = await readBody(req, responses.MAX_PAYLOAD_BYTES);
    if (body === "too-large") return responses.PAYLOAD_TOO_LARGE;

    const target = splitTarget(req.url ?? "/");
    if (!target) return responses.BAD_REQUEST;
    const { path: fullPath, query } = target;
    if (fullPath !== stagePrefix && !fullPath.startsWith(`${stagePrefix}/`)) return noSuchMethod(req);
    const path = fullPath.slice(stagePrefix.length) || "/";
    const method = (req.method ?? "GET").toUpperCase();

    const resource = method === "OPTIONS" && options.cors ? matchResource(options.routes, path) : undefined;
    if (resource !== undefined && options.cors) {
      if (!throttle.tryTake(`OPTIONS ${resource}`)) return responses.THROTTLED;
      return {
        statusCode: 204,
        headers: preflightHeaders(options.cors, header(req, "origin")),
        body: "",
        customizable: false,
      };
    }
    const match = matchRoute(options.routes, method, path);
    if (!match) return noSuchMethod(req);
    // Throttled before the authorizer runs: a throttled request costs no invocation.
    if (!throttle.tryTake(`${method} ${match.route.path}`)) return responses.THROTTLED;

    let authorizer: ProxyEventAuthorizer | undefined;
    let cognitoClaims: Record<string, string> | undefined;
    let callerIdentity: CallerIdentity | undefined;
    const kind = authorizationOf(match.route);
    const protectedMethod = !options.methodsWithoutAuthorizer?.includes(`${method} ${match.route.path}`);
    if (protectedMethod && kind === "cognito-user-pools") {
      const verdict = await authorizeWithUserPool(header(req, identityHeader), match.route, trace);
      if (verdict.kind === "response") return verdict.response;
      cognitoClaims = verdict.claims;
    }
    if (protectedMethod && kind === "iam") {
      const verdict = await authorizeWithIam(req, { method, fullPath, path, query, body }, match.route, trace);
      if (verdict.kind === "response") return verdict.response;
      callerIdentity = verdict.identity;
    }
    if (protectedMethod && kind === "lambda") {
      const token = header(req, identityHeader);
      if (token === undefined || token.trim() === "") return responses.UNAUTHORIZED;

      const arn = methodArn({ ...options, method, path });
      const authorization = await authorize(token, arn, trace);
      if (authorization.kind === "response") return authorization.response;

      // The policy, cached or fresh, is judged against *this* request's ARN.
      const decision = evaluatePolicy(authorization.result.policyDocument, arn);
      trace.span?.decided(decision);
      if (decision === "explicit-deny") return responses.EXPLICIT_DENY;
      if (decision === "implicit-deny") return responses.IMPLICIT_DENY;
      authorizer = {
        principalId: authorization.result.principalId,
        context: authorization.result.context,
        integrationLatency: authorization.latencyMs,
      };
    }

    let event: APIGatewayProxyEvent;
    try {
      event = buildProxyEvent({
        resource: match.route.path,
        httpMethod: method,
        path,
        rawQuery: query,
        rawHeaders: req.rawHeaders,
        body: body.toString("utf8"),
        rawPathParameters: match.rawPathParameters,
        stage: options.stage,
        accountId: options.accountId,
        apiId: options.apiId,
        sourceIp: (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
        protocol: `HTTP/${req.httpVersion}`,
        requestTimeEpoch: clock(),
        requestId,
        authorizer,
        cognitoClaims,
        callerIdentity,
      });
    } catch (error) {
      if (!(error instanceof MalformedRequestError)) throw error;
      trace.reason = error.message;
      return responses.BAD_REQUEST;
    }
    if (Buffer.byteLength(JSON.stringify(event)) > responses.MAX_LAMBDA_EVENT_BYTES) {
      return responses.LAMBDA_REQUEST_TOO_LONG;
    }

    const name = match.route.function;
    const fn = options.functions[name];
    trace.span?.invoking(name, event);
    const outcome = await withDeadlines(() => fn(event), { functionTimeoutMs: timeoutMs(name), integrationTimeoutMs });
    if (outcome.kind === "integration-timeout") {
      trace.reason = `function ${name} did not answer within the ${integrationTimeoutMs} ms integration timeout`;
      return responses.INTEGRATION_TIMEOUT;
    }
    if (outcome.kind !== "done") {
      trace.reason = `function ${name} failed: ${outcome.kind === "failed" ? describe(outcome.error) : `timed out after ${timeoutMs(name)} ms`}`;
      return responses.INTEGRATION_ERROR;
    }
    const wire = overTheWire(outcome.value);
    if (wire.ok && wire.bytes > responses.MAX_LAMBDA_RESPONSE_BYTES) {
      trace.reason = `function ${name} answered ${wire.bytes} bytes, over Lambda's ${responses.MAX_LAMBDA_RESPONSE_BYTES}-byte response limit`;
      return responses.INTEGRATION_ERROR;
    }
    const converted = wire.ok ? toHttpResponse(wire.value) : wire;
    if (!converted.ok) {
      trace.reason = `function ${name} returned a malformed proxy result: ${converted.reason}`;
      return responses.INTEGRATION_ERROR;
    }
    return converted.response;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = randomUUID();
    const trace: Trace = { authorizer: "skipped", span: options.tracer?.start(req, requestId) };
    let outcome: GatewayResponse | HttpResponse;
    try {
      outcome = await (trace.span?.run(() => route(req, requestId, trace)) ?? route(req, requestId, trace));
    } catch (error) {
      trace.reason = `local gateway error: ${describe(error)}`;
      outcome = responses.LOCAL_GATEWAY_ERROR;
    }
    if ("customizable" in outcome && outcome.customizable && outcome.statusCode >= 400 && options.cors) {
      outcome = {
        ...outcome,
        headers: { ...outcome.headers, ...allowOriginHeaders(options.cors, header(req, "origin")) },
      };
    }
    const status = send(res, outcome, requestId, trace);
    trace.span?.end(status, outcome.body, trace);
    const ms = Math.round(performance.now() - started);
    options.log?.(
      `${req.method} ${req.url} ${status} ${ms}ms authorizer=${trace.authorization ?? trace.authorizer}${trace.reason ? ` - ${trace.reason}` : ""}`,
    );
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  // Garbage on the wire gets a 400 and a closed socket, never a crashed process.
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}/${options.stage}`,
    port,
    stats,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets (fetch keeps them) would hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function validateOptions(options: LocalApiGatewayOptions): void {
  if (!/^[A-Za-z0-9_-]+$/.test(options.stage)) throw new Error(`invalid stage name: ${JSON.stringify(options.stage)}`);
  for (const route of options.routes) {
    if (typeof options.functions[route.function] !== "function") {
      throw new Error(`no function "${route.function}" for ${route.method} ${route.path}`);
    }
  }
}

/** Writes the response; returns the status for the log line. */
function send(res: ServerResponse, outcome: GatewayResponse | HttpResponse, requestId: string, trace: Trace): number {
  const isProxy = !("customizable" in outcome);
  const headers: [string, string | string[]][] = [];
  for (const [name, value] of Object.entries(outcome.headers)) {
    // API Gateway owns the framing headers; a function's are renamed, not obeyed.
    const lower = name.toLowerCase();
    const safeName = isProxy && FRAMING_HEADERS.has(lower) ? `x-amzn-Remapped-${name}` : name;
    try {
      validateHeaderName(safeName);
      for (const item of Array.isArray(value) ? value : [value]) validateHeaderValue(safeName, item);
    } catch {
      trace.reason = `function returned an invalid header ${JSON.stringify(name)}`;
      return send(res, responses.INTEGRATION_ERROR, requestId, trace);
    }
    headers.push([safeName, value]);
  }
  const body = typeof outcome.body === "string" ? Buffer.from(outcome.body, "utf8") : outcome.body;
  res.statusCode = outcome.statusCode;
  for (const [name, value] of headers) res.setHeader(name, value);
  res.setHeader("x-amzn-RequestId", requestId);
  if (outcome.statusCode === 204 || outcome.statusCode === 304) {
    res.end();
  } else {
    res.setHeader("Content-Length", body.length);
    res.end(body);
  }
  return outcome.statusCode;
}

const FRAMING_HEADERS = new Set(["content-length", "transfer-encoding", "connection"]);

/**
 * Reads the body, refusing (but draining, so the client still gets the
 * answer) anything over the limit.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    let tooLarge = Number.isFinite(declared) && declared > limit;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      } else {
        chunks.push(chunk);
      }
    });
    req.on("end", () => resolve(tooLarge ? "too-large" : Buffer.concat(chunks)));
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete) reject(new Error("client went away mid-request"));
    });
  });
}

/** Path and query as sent (still percent-encoded); undefined when unusable. */
function splitTarget(target: string): { path: string; query: string } | undefined {
  let raw = target;
  if (!raw.startsWith("/")) {
    // Absolute-form request target, as proxies send it.
    try {
      const url = new URL(raw);
      raw = `${url.pathname}${url.search}`;
    } catch {
      return undefined;
    }
  }
  const q = raw.indexOf("?");
  return q === -1 ? { path: raw, query: "" } : { path: raw.slice(0, q), query: raw.slice(q + 1) };
}

function header(req: IncomingMessage, lowercaseName: string): string | undefined {
  const value = req.headers[lowercaseName];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** No such stage, resource or method: with an Authorization header, API Gateway tries to read it as SigV4. */
function noSuchMethod(req: IncomingMessage): GatewayResponse {
  const authorization = header(req, "authorization");
  return authorization === undefined || authorization.trim() === ""
    ? responses.MISSING_AUTHENTICATION_TOKEN
    : unsignedAuthorizationResponse(authorization);
}

function isUnauthorized(error: unknown): boolean {
  return (error instanceof Error && error.message === "Unauthorized") || error === "Unauthorized";
}

/** An error in one line: name and message, never a stack. */
function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.replace(/\s+/g, " ");
  try {
    return String(JSON.stringify(error)).slice(0, 200);
  } catch {
    return String(error);
  }
}

/**
 * A Lambda's answer reaches API Gateway as JSON: undefined values and
 * functions vanish, Dates become strings. Judge that, not the JS object.
 */
function overTheWire(value: unknown): { ok: true; value: unknown; bytes: number } | { ok: false; reason: string } {
  try {
    const text = JSON.stringify(value) ?? "null";
    return { ok: true, value: JSON.parse(text), bytes: Buffer.byteLength(text) };
  } catch (error) {
    return { ok: false, reason: `not serializable as JSON (${describe(error)})` };
  }
}
