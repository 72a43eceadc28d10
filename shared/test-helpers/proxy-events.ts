/**
 * Lambda proxy-integration events (REST API, payload format 1.0) for calling a
 * handler directly, as API Gateway would after the authorizer allowed the call.
 */
import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { STAGE_NAME, type Role } from "../runtime/purchases-api.ts";
import { buildProxyEvent } from "../local-stack/api-gateway/index.ts";

/** The authorizer's context as the backend sees it: strings, plus `principalId`. */
export type AuthorizerContext = Record<string, string | number>;

export interface CallerOptions {
  tenantId: string;
  userId?: string;
  email?: string;
  role?: Role;
}

/**
 * `requestContext.authorizer` for a caller, as API Gateway passes on the
 * tenant authorizer's context: `{ tenantId, userId, email, role, principalId }`.
 */
export function authorizerContext(caller: CallerOptions): AuthorizerContext {
  const userId = caller.userId ?? `user-${randomUUID()}`;
  return {
    tenantId: caller.tenantId,
    userId,
    email: caller.email ?? `${userId}@${caller.tenantId}.test`,
    role: caller.role ?? "member",
    principalId: userId,
  };
}

export interface ProxyEventOptions {
  method: string;
  /** Resource template, e.g. `/purchases/{purchaseId}`. */
  resource: string;
  /** Values for the template's `{param}`s; the request path is the template filled in. */
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else is JSON-encoded. */
  body?: unknown;
  /** Not given or `null`: an event without authorizer context (a route with no authorizer). */
  authorizer?: AuthorizerContext | null;
  stage?: string;
}

/**
 * Built by the local API Gateway's own event builder, so a handler tested
 * directly sees exactly the event it gets behind the gateway.
 */
export function proxyEvent(options: ProxyEventOptions): APIGatewayProxyEvent {
  const pathParameters = options.pathParameters ?? {};
  const rawPathParameters = Object.fromEntries(
    Object.entries(pathParameters).map(([name, value]) => [name, encodeURIComponent(value)]),
  );
  const path = options.resource.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = rawPathParameters[name];
    if (value === undefined) throw new Error(`proxyEvent: no value for path parameter ${name}`);
    return value;
  });
  const headers: Record<string, string> = { Host: "abc123.execute-api.us-east-1.amazonaws.com", ...options.headers };
  let body = "";
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-type")) {
      headers["Content-Type"] = "application/json";
    }
  }
  const { principalId = "", ...context } = options.authorizer ?? {};
  return buildProxyEvent({
    resource: options.resource,
    httpMethod: options.method,
    path,
    rawQuery: new URLSearchParams(options.query ?? {}).toString(),
    rawHeaders: Object.entries(headers).flat(),
    body,
    rawPathParameters,
    stage: options.stage ?? STAGE_NAME,
    accountId: "123456789012",
    apiId: "abc123",
    sourceIp: "127.0.0.1",
    requestTimeEpoch: Date.now(),
    authorizer: options.authorizer ? { principalId: String(principalId), context, integrationLatency: 0 } : undefined,
  });
}
