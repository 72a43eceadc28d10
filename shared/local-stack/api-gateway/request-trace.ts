/**
 * What the local API Gateway did with each request, step by step, for the web
 * app's flow inspector (solutions/web-app): the token it received, whether the
 * authorizer ran or its cached policy was used, the policy and context, the
 * method ARN and the statement that matched, the event's
 * `requestContext.authorizer`, the DynamoDB and Cognito calls made on the
 * request's behalf, and the answer.
 *
 * Local only, never deployed: on AWS the same facts are in the stage's
 * execution and access logs and the functions' logs. It keeps no token, only
 * a SHA-256 digest of the `Authorization` header: a trace is handed only to a
 * caller who presents the digest of the token it sent (`tracesFor`), so the
 * endpoint tells a page nothing about tokens it does not already hold.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { APIGatewayProxyEvent } from "aws-lambda";
import type { PolicyDecision, ValidAuthorizerResult } from "./policy-evaluator.ts";
import { wildcardMatch } from "./policy-evaluator.ts";

/** A DynamoDB or Cognito call made while the gateway served the request. */
export interface TracedCall {
  service: string;
  command: string;
  /** `authorizer` (before the policy was judged) or the function's name. */
  by: string;
  /** The parts of the input that show what was read or written (never a token). */
  input: Record<string, unknown>;
  error?: string;
}

export interface RequestTrace {
  /** Increases with every request: a client asks for traces after the last one it saw. */
  seq: number;
  requestId: string;
  /** Milliseconds since the epoch, when the request arrived. */
  at: number;
  method: string;
  path: string;
  origin?: string;
  /** SHA-256 (hex) of the Authorization header as received; absent: no header. */
  tokenDigest?: string;
  methodArn?: string;
  /** skipped: no token reached it; invoked: it ran; cache-hit: the policy cached for this token was used. */
  authorizer: "skipped" | "invoked" | "cache-hit";
  authorizerLatencyMs?: number;
  /** Seconds since the authorizer ran for this token, on a cache hit. */
  cachedSecondsAgo?: number;
  principalId?: string;
  policy?: ValidAuthorizerResult["policyDocument"];
  context?: ValidAuthorizerResult["context"];
  decision?: PolicyDecision;
  /** The statements whose Effect, Action and Resource apply to the method ARN. */
  matchedStatements?: unknown[];
  functionName?: string;
  /** `event.requestContext.authorizer`, as the function received it. */
  eventAuthorizer?: unknown;
  calls: TracedCall[];
  status?: number;
  /** The body sent, cut to a few KB. */
  body?: string;
  /** Why the gateway answered as it did, when it says (a malformed answer, a timeout). */
  reason?: string;
  ms?: number;
}

/** What the gateway tells a request's span, in its order; local-api-gateway.ts calls these. */
export interface RequestSpan {
  /** Runs the request's pipeline, so calls made by the authorizer and the function are attributed to it. */
  run<T>(pipeline: () => Promise<T>): Promise<T>;
  authorizing(token: string, methodArn: string): void;
  authorized(result: ValidAuthorizerResult, source: "authorizer" | "cache", latencyMs?: number): void;
  decided(decision: PolicyDecision): void;
  invoking(functionName: string, event: APIGatewayProxyEvent): void;
  end(status: number, body: string | Buffer, trace: { authorizer: RequestTrace["authorizer"]; reason?: string }): void;
}

export interface RequestTracer {
  start(req: IncomingMessage, requestId: string): RequestSpan;
}

/** What a client of the AWS SDK v3 offers for a middleware (any service client). */
interface InstrumentableClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: { input: object }) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: { input: object }) => Promise<unknown>,
      options: { step: "initialize"; name: string; priority?: "high" | "normal" | "low" },
    ): void;
  };
}

const MAX_BODY_CHARS = 4096;
/** Input fields worth showing: what is read or written, and under which condition. */
const SHOWN_INPUT = [
  "TableName",
  "IndexName",
  "KeyConditionExpression",
  "FilterExpression",
  "ConditionExpression",
  "ExpressionAttributeNames",
  "ExpressionAttributeValues",
  "Key",
  "Item",
  "Limit",
  "ConsistentRead",
  "ExclusiveStartKey",
  "UserPoolId",
  "Username",
  "ClientId",
];

export function tokenDigest(authorizationHeader: string): string {
  return createHash("sha256").update(authorizationHeader, "utf8").digest("hex");
}

export interface RequestTraceRecorderOptions {
  /** Traces kept, oldest dropped first. Default 200. */
  capacity?: number;
  now?: () => number;
}

export class RequestTraceRecorder implements RequestTracer {
  readonly #traces: RequestTrace[] = [];
  readonly #capacity: number;
  readonly #now: () => number;
  readonly #current = new AsyncLocalStorage<{ trace: RequestTrace; by: string }>();
  /** When the authorizer last ran for a token digest, to say how old a cached policy is. */
  readonly #authorizedAt = new Map<string, number>();
  #seq = 0;

  constructor(options: RequestTraceRecorderOptions = {}) {
    this.#capacity = options.capacity ?? 200;
    this.#now = options.now ?? Date.now;
  }

  start(req: IncomingMessage, requestId: string): RequestSpan {
    const authorization = headerOf(req, "authorization");
    const url = req.url ?? "/";
    const trace: RequestTrace = {
      seq: ++this.#seq,
      requestId,
      at: this.#now(),
      method: (req.method ?? "GET").toUpperCase(),
      path: url.split("?")[0] ?? url,
      origin: headerOf(req, "origin"),
      tokenDigest: authorization === undefined ? undefined : tokenDigest(authorization),
      authorizer: "skipped",
      calls: [],
    };
    const state = { trace, by: "authorizer" };
    const recorder = this;
    return {
      run: (pipeline) => this.#current.run(state, pipeline),
      authorizing(_token, methodArn) {
        trace.methodArn = methodArn;
      },
      authorized(result, source, latencyMs) {
        trace.principalId = result.principalId;
        trace.policy = result.policyDocument;
        trace.context = result.context;
        const digest = trace.tokenDigest;
        if (source === "authorizer") {
          trace.authorizerLatencyMs = latencyMs;
          if (digest) recorder.#authorizedAt.set(digest, trace.at);
        } else if (digest && recorder.#authorizedAt.has(digest)) {
          trace.cachedSecondsAgo = Math.round((trace.at - (recorder.#authorizedAt.get(digest) ?? trace.at)) / 1000);
        }
      },
      decided(decision) {
        trace.decision = decision;
        if (trace.methodArn) trace.matchedStatements = matchingStatements(trace.policy, trace.methodArn);
      },
      invoking(functionName, event) {
        state.by = functionName;
        trace.functionName = functionName;
        trace.eventAuthorizer = event.requestContext.authorizer;
      },
      end(status, body, { authorizer, reason }) {
        trace.authorizer = authorizer;
        trace.reason = reason;
        trace.status = status;
        const text = typeof body === "string" ? body : body.toString("utf8");
        trace.body = text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}…` : text;
        trace.ms = recorder.#now() - trace.at;
        recorder.#keep(trace);
      },
    };
  }

  /**
   * Records every command the client sends while a traced request is being
   * served (the DynamoDB client of the functions and the authorizer's session
   * check, the Cognito client of the sign-out function).
   */
  instrument(client: InstrumentableClient, service: string): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const state = this.#current.getStore();
        if (!state) return next(args);
        const call: TracedCall = {
          service,
          command: (context.commandName ?? "unknown").replace(/Command$/, ""),
          by: state.by,
          input: shownInput(args.input),
        };
        state.trace.calls.push(call);
        try {
          return await next(args);
        } catch (error) {
          call.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          throw error;
        }
      },
      { step: "initialize", name: "workshopRequestTrace", priority: "low" },
    );
  }

  /**
   * The traces after `after` that a page may see: those sent with one of the
   * tokens whose digests it presents, and those sent with no token at all
   * from its own origin.
   */
  tracesFor({ digests, origin, after = 0 }: { digests: readonly string[]; origin?: string; after?: number }) {
    const allowed = new Set(digests);
    return this.#traces.filter(
      (trace) =>
        trace.seq > after &&
        (trace.tokenDigest === undefined
          ? origin !== undefined && trace.origin === origin
          : allowed.has(trace.tokenDigest)),
    );
  }

  /** The last sequence number given out: a page starts from it to see only its own later calls. */
  get lastSeq(): number {
    return this.#seq;
  }

  #keep(trace: RequestTrace): void {
    this.#traces.push(trace);
    if (this.#traces.length > this.#capacity) this.#traces.splice(0, this.#traces.length - this.#capacity);
  }
}

/** The statements of the policy that apply to `execute-api:Invoke` on the method ARN (for display: the gateway decides). */
export function matchingStatements(policy: unknown, arn: string): unknown[] {
  const statements = (policy as { Statement?: unknown } | undefined)?.Statement;
  const list = Array.isArray(statements) ? statements : statements === undefined ? [] : [statements];
  return list.filter((statement) => {
    const { Action, Resource } = (statement ?? {}) as { Action?: unknown; Resource?: unknown };
    const any = (value: unknown, target: string, caseInsensitive: boolean) =>
      (Array.isArray(value) ? value : [value]).some(
        (pattern) => typeof pattern === "string" && wildcardMatch(pattern, target, caseInsensitive),
      );
    return any(Action, "execute-api:Invoke", true) && any(Resource, arn, false);
  });
}

function shownInput(input: object): Record<string, unknown> {
  const record = input as Record<string, unknown>;
  return Object.fromEntries(SHOWN_INPUT.filter((key) => record[key] !== undefined).map((key) => [key, record[key]]));
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}
