/**
 * Builds the event a Lambda proxy integration receives from a REST API
 * (payload format 1.0), from the raw HTTP request.
 */
import { createHash, randomUUID } from "node:crypto";
import type { APIGatewayProxyEvent } from "aws-lambda";
import type { AuthorizerContextValue } from "./policy-evaluator.ts";

/** The request could not be turned into an event (e.g. broken percent-encoding): a 400. */
export class MalformedRequestError extends Error {
  override readonly name = "MalformedRequestError";
}

export interface ProxyEventInput {
  /** Resource template, e.g. `/purchases/{purchaseId}`. */
  resource: string;
  httpMethod: string;
  /** Request path below the stage, as sent, e.g. `/purchases/01HX`. */
  path: string;
  /** Everything after `?`, without it; `""` when none. */
  rawQuery: string;
  /** Node's `req.rawHeaders`: name, value, name, value... in arrival order. */
  rawHeaders: readonly string[];
  body: string;
  /** From the route match, still percent-encoded. */
  rawPathParameters: Record<string, string>;
  stage: string;
  accountId: string;
  apiId: string;
  sourceIp: string;
  protocol?: string;
  requestTimeEpoch: number;
  requestId?: string;
  /** A Lambda authorizer's answer; absent for a method without one. */
  authorizer?: ProxyEventAuthorizer;
  /** A Cognito user pool authorizer's claims (`requestContext.authorizer.claims`), as strings. */
  cognitoClaims?: Record<string, string>;
  /** Who signed an IAM-authorized request (`requestContext.identity`); the other fields stay null. */
  callerIdentity?: CallerIdentity;
}

/** The `requestContext.identity` fields API Gateway fills for a request signed with AWS credentials. */
export interface CallerIdentity {
  accessKey: string;
  accountId: string;
  caller: string;
  user: string;
  userArn: string;
  cognitoIdentityId: string | null;
  cognitoIdentityPoolId: string | null;
  cognitoAuthenticationType: string | null;
  cognitoAuthenticationProvider: string | null;
}

export interface ProxyEventAuthorizer {
  principalId: string;
  context: Record<string, AuthorizerContextValue>;
  /** Milliseconds the authorizer took; 0 when the answer came from the cache. */
  integrationLatency: number;
}

export function buildProxyEvent(input: ProxyEventInput): APIGatewayProxyEvent {
  const { headers, multiValueHeaders } = collectHeaders(input.rawHeaders);
  const query = parseQuery(input.rawQuery);
  const pathParameters = Object.keys(input.rawPathParameters).length
    ? Object.fromEntries(
        Object.entries(input.rawPathParameters).map(([name, value]) => [name, decode(value, `path parameter ${name}`)]),
      )
    : null;
  const userAgent = headerValue(headers, "user-agent");

  return {
    resource: input.resource,
    path: input.path,
    httpMethod: input.httpMethod,
    headers,
    multiValueHeaders,
    queryStringParameters: query?.single ?? null,
    multiValueQueryStringParameters: query?.multi ?? null,
    pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: input.accountId,
      apiId: input.apiId,
      resourceId: resourceId(input.resource),
      resourcePath: input.resource,
      httpMethod: input.httpMethod,
      path: `/${input.stage}${input.path}`,
      stage: input.stage,
      protocol: input.protocol ?? "HTTP/1.1",
      requestId: input.requestId ?? randomUUID(),
      requestTime: formatRequestTime(input.requestTimeEpoch),
      requestTimeEpoch: input.requestTimeEpoch,
      domainName: headerValue(headers, "host"),
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
        sourceIp: input.sourceIp,
        user: null,
        userAgent: userAgent ?? null,
        userArn: null,
        ...input.callerIdentity,
      },
      authorizer: input.authorizer
        ? authorizerForEvent(input.authorizer)
        : input.cognitoClaims
          ? { claims: input.cognitoClaims }
          : null,
    },
    body: input.body.length > 0 ? input.body : null,
    isBase64Encoded: false,
  };
}

/**
 * A REST API hands the authorizer's context to a proxy integration with every
 * value stringified (`1` -> `"1"`, `true` -> `"true"`), as the API Gateway
 * developer guide states; principalId and integrationLatency are added.
 */
export function authorizerForEvent({ principalId, context, integrationLatency }: ProxyEventAuthorizer): {
  [key: string]: string | number;
} {
  const stringified = Object.fromEntries(Object.entries(context).map(([key, value]) => [key, String(value)]));
  return { ...stringified, principalId, integrationLatency };
}

/**
 * Header names keep the client's casing; a repeated header's last value wins in `headers`.
 * Collected in Maps, so a name like `constructor` or `__proto__` is just a name.
 */
function collectHeaders(rawHeaders: readonly string[]): {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
} {
  const values = new Map<string, string[]>();
  const nameByLowercase = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const rawName = rawHeaders[i] as string;
    const name = nameByLowercase.get(rawName.toLowerCase()) ?? rawName;
    nameByLowercase.set(rawName.toLowerCase(), name);
    appendTo(values, name, rawHeaders[i + 1] as string);
  }
  const { last: headers, all: multiValueHeaders } = lastAndAll(values);
  return { headers, multiValueHeaders };
}

function appendTo(map: Map<string, string[]>, name: string, value: string): void {
  const list = map.get(name);
  if (list) list.push(value);
  else map.set(name, [value]);
}

/** Plain objects, as the JSON event arrives in AWS: Object.fromEntries makes `__proto__` an own key, not a prototype. */
function lastAndAll(values: Map<string, string[]>): { last: Record<string, string>; all: Record<string, string[]> } {
  return {
    last: Object.fromEntries([...values].map(([name, list]) => [name, list[list.length - 1] as string])),
    all: Object.fromEntries(values),
  };
}

function headerValue(headers: Record<string, string>, lowercaseName: string): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === lowercaseName) return value;
  }
  return undefined;
}

/** `null` when there is no query string; `+` means a space, as API Gateway decodes it. */
function parseQuery(rawQuery: string): { single: Record<string, string>; multi: Record<string, string[]> } | null {
  const values = new Map<string, string[]>();
  for (const pair of rawQuery.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const rawName = equals === -1 ? pair : pair.slice(0, equals);
    const rawValue = equals === -1 ? "" : pair.slice(equals + 1);
    appendTo(
      values,
      decode(rawName.replace(/\+/g, " "), "query string"),
      decode(rawValue.replace(/\+/g, " "), "query string"),
    );
  }
  if (values.size === 0) return null;
  const { last: single, all: multi } = lastAndAll(values);
  return { single, multi };
}

function decode(value: string, where: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new MalformedRequestError(`invalid percent-encoding in ${where}`);
  }
}

/** A stable six-character id per resource (path, not method), like API Gateway's. */
function resourceId(resource: string): string {
  return createHash("sha256").update(resource).digest("hex").slice(0, 6);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** API Gateway's CLF-style `09/Apr/2015:12:34:56 +0000`. */
function formatRequestTime(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}
