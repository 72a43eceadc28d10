/**
 * Lambda proxy-integration events (REST API, payload format 1.0) for calling a
 * handler directly, as API Gateway would after the authorizer allowed the call.
 */
import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { STAGE_NAME, type Role } from "../api/purchases-api.ts";

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

export function proxyEvent(options: ProxyEventOptions): APIGatewayProxyEvent {
  const pathParameters = options.pathParameters ?? {};
  const path = options.resource.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = pathParameters[name];
    if (value === undefined) throw new Error(`proxyEvent: no value for path parameter ${name}`);
    return encodeURIComponent(value);
  });
  const stage = options.stage ?? STAGE_NAME;
  const headers: Record<string, string> = { Host: "abc123.execute-api.us-east-1.amazonaws.com", ...options.headers };
  let body: string | null = null;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-type")) {
      headers["Content-Type"] = "application/json";
    }
  }
  const query = options.query && Object.keys(options.query).length > 0 ? options.query : null;
  const now = Date.now();
  return {
    resource: options.resource,
    path,
    httpMethod: options.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: query,
    multiValueQueryStringParameters: query
      ? Object.fromEntries(Object.entries(query).map(([name, value]) => [name, [value]]))
      : null,
    pathParameters: Object.keys(pathParameters).length > 0 ? { ...pathParameters } : null,
    stageVariables: null,
    requestContext: {
      accountId: "123456789012",
      apiId: "abc123",
      resourceId: "res123",
      resourcePath: options.resource,
      httpMethod: options.method,
      path: `/${stage}${path}`,
      stage,
      protocol: "HTTP/1.1",
      requestId: randomUUID(),
      requestTimeEpoch: now,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: "127.0.0.1",
        user: null,
        userAgent: "vitest",
        userArn: null,
      },
      authorizer: options.authorizer ? { integrationLatency: 0, ...options.authorizer } : undefined,
    },
    body,
    isBase64Encoded: false,
  };
}
