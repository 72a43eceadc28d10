/**
 * An IAM gate in front of the local DynamoDB (dynalite, which accepts any
 * credentials): every call must be SigV4-signed with credentials the local
 * stack issued, and the caller's identity-based policies must allow it, as
 * IAM decides on AWS, before dynalite sees it.
 *
 * For each call it derives the IAM request context (the action
 * `dynamodb:<Operation>`, the table or index ARN, `dynamodb:LeadingKeys`, the
 * principal's tags and identity keys), evaluates the session's policies, and
 * forwards the call untouched or answers as DynamoDB does: HTTP 400 with
 * `AccessDeniedException` and IAM's wording for an implicit or an explicit
 * deny, or the signature refusals of {@link verifySigV4}. The key schema it
 * needs for LeadingKeys comes from DescribeTable upstream, cached per table.
 */
import { randomUUID } from "node:crypto";
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { assumedRoleArn, type AssumedRoleSession, type RegisteredCredentials } from "./credentials-registry.ts";
import { dynamoDbAuthorizations, type KeySchema } from "./dynamodb-request-context.ts";
import { evaluatePolicies, type Evaluation, type RequestContext } from "./policy-evaluation.ts";
import { verifySigV4 } from "./sigv4-verify.ts";
import { listenOnLoopback } from "../loopback-server.ts";

export interface DynamoDbIamGateOptions {
  /** The DynamoDB endpoint behind the gate (dynalite's). */
  upstream: string;
  region: string;
  accountId: string;
  /** Credentials by access key id: a CredentialsRegistry, or anything with its lookup. */
  credentials: { lookup(accessKeyId: string): RegisteredCredentials | undefined };
  /** The identity-based policy documents of a session's role (e.g. from the synthesized template). */
  policiesFor(session: AssumedRoleSession): readonly unknown[];
  port?: number;
  /** Milliseconds since the epoch. */
  clock?: () => number;
  /** Told of every decision, for logs and tests. */
  onDecision?: (decision: GateDecision) => void;
}

export interface GateDecision {
  caller: string;
  context: RequestContext;
  evaluation: Evaluation;
}

export interface DynamoDbIamGate {
  endpoint: string;
  close(): Promise<void>;
}

const CONTENT_TYPE = "application/x-amz-json-1.0";
const TARGET_PREFIX = "DynamoDB_20120810.";

/** The condition keys this gate derives for every call, present or not. */
const KNOWN_KEYS = [
  "aws:PrincipalTag/*",
  "aws:PrincipalArn",
  "aws:PrincipalAccount",
  "aws:PrincipalType",
  "aws:RequestedRegion",
  "aws:username",
  "cognito-identity.amazonaws.com:sub",
  "cognito-identity.amazonaws.com:aud",
];

export async function startDynamoDbIamGate(options: DynamoDbIamGateOptions): Promise<DynamoDbIamGate> {
  const schemas = new Map<string, Promise<KeySchema | undefined>>();
  const clock = options.clock ?? Date.now;

  async function keySchema(tableName: string): Promise<KeySchema | undefined> {
    let cached = schemas.get(tableName);
    if (!cached) {
      cached = describeKeySchema(options.upstream, tableName);
      schemas.set(tableName, cached);
      // A table that does not exist yet may be created later: do not remember its absence.
      void cached.then((schema) => schema ?? schemas.delete(tableName));
    }
    return cached;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const [path = "/", query] = (req.url ?? "/").split(/\?(.*)/s);
    const verification = await verifySigV4(
      { method: req.method ?? "POST", path, query, headers: req.headers, body },
      {
        service: "dynamodb",
        region: options.region,
        lookup: (key) => options.credentials.lookup(key),
        clock,
      },
    );
    if (!verification.ok) return answer(res, verification.code, { message: verification.message });
    const { session } = verification.credentials;

    const target = String(req.headers["x-amz-target"] ?? "");
    // Nothing reaches dynalite unauthorized: a target the gate cannot map to an action is refused.
    if (!target.startsWith(TARGET_PREFIX)) return answer(res, "UnknownOperationException", {});
    const operation = target.slice(TARGET_PREFIX.length);
    let parsed: Record<string, unknown>;
    try {
      const value: unknown = JSON.parse(body.toString("utf8") || "{}");
      parsed = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
    } catch {
      return forward(req, res, body); // dynalite answers a malformed body as DynamoDB does
    }

    const caller = assumedRoleArn(session);
    const policies = options.policiesFor(session);
    const checks = await dynamoDbAuthorizations(
      { operation, body: parsed },
      { region: options.region, accountId: options.accountId, keySchema },
    );
    for (const { context: derived } of checks) {
      const context = requestContext(derived, session, options);
      const evaluation = evaluatePolicies(policies, context);
      options.onDecision?.({ caller, context, evaluation });
      if (evaluation.decision !== "allow") {
        return answer(res, "AccessDeniedException", { Message: accessDeniedMessage(caller, context, evaluation) });
      }
    }
    if (operation === "DeleteTable" || operation === "CreateTable") {
      const name = parsed.TableName;
      if (typeof name === "string") schemas.delete(name);
    }
    return forward(req, res, body);
  }

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const upstream = new URL(options.upstream);
    // The body is read whole: it goes on with its length, never chunked.
    const { "transfer-encoding": _chunked, ...headers } = req.headers;
    const outgoing = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...headers, host: upstream.host, "content-length": String(body.length) },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    outgoing.on("error", (error) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`local DynamoDB IAM gate: upstream error: ${error.message}`);
    });
    outgoing.end(body);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      handle(req, res, Buffer.concat(chunks)).catch((error: unknown) => {
        answer(res, "InternalServerError", { message: `local DynamoDB IAM gate: ${String(error)}` }, 500);
      });
    });
  });
  return listenOnLoopback(server, options.port);
}

function requestContext(
  derived: Awaited<ReturnType<typeof dynamoDbAuthorizations>>[number]["context"],
  session: AssumedRoleSession,
  options: DynamoDbIamGateOptions,
): RequestContext {
  const keys: Record<string, string | string[] | undefined> = {
    "aws:PrincipalArn": session.roleArn,
    "aws:PrincipalAccount": /^arn:[^:]+:iam::(\d{12}):/.exec(session.roleArn)?.[1],
    "aws:PrincipalType": "AssumedRole",
    "aws:RequestedRegion": options.region,
    "cognito-identity.amazonaws.com:sub": session.identityId,
    "cognito-identity.amazonaws.com:aud": session.identityPoolId,
  };
  for (const [tag, value] of Object.entries(session.principalTags)) keys[`aws:PrincipalTag/${tag}`] = value;
  if (derived.leadingKeysKnown) keys["dynamodb:LeadingKeys"] = derived.leadingKeys ?? [];
  return { action: derived.action, resource: derived.resource, keys, knownKeys: KNOWN_KEYS };
}

/** IAM's wording, as DynamoDB returns it in AccessDeniedException's `Message`. */
export function accessDeniedMessage(caller: string, context: RequestContext, evaluation: Evaluation): string {
  const base = `User: ${caller} is not authorized to perform: ${context.action} on resource: ${context.resource}`;
  const why =
    evaluation.decision === "explicit-deny"
      ? " with an explicit deny in an identity-based policy"
      : ` because no identity-based policy allows the ${context.action} action`;
  const local = evaluation.failedClosed ? ` (local IAM check: ${evaluation.unsupported.join("; ")})` : "";
  return `${base}${why}${local}`;
}

function answer(res: ServerResponse, type: string, fields: Record<string, string>, status = 400): void {
  const body = JSON.stringify({ __type: `com.amazon.coral.service#${type}`, ...fields });
  res
    .writeHead(status, {
      "content-type": CONTENT_TYPE,
      "content-length": Buffer.byteLength(body),
      "x-amzn-requestid": randomUUID().replace(/-/g, "").toUpperCase(),
    })
    .end(body);
}

/** DescribeTable against dynalite (which needs no signature) for the partition keys. */
async function describeKeySchema(upstream: string, tableName: string): Promise<KeySchema | undefined> {
  const response = await fetch(`${upstream}/`, {
    method: "POST",
    headers: {
      "content-type": CONTENT_TYPE,
      "x-amz-target": `${TARGET_PREFIX}DescribeTable`,
      // dynalite wants a SigV4-shaped header; it does not check it.
      authorization:
        "AWS4-HMAC-SHA256 Credential=gate/20000101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
      "x-amz-date": "20000101T000000Z",
    },
    body: JSON.stringify({ TableName: tableName }),
  });
  if (!response.ok) return undefined;
  const { Table: table } = (await response.json()) as { Table?: DescribedTable };
  const hashKey = (schema: DescribedTable["KeySchema"]) => schema?.find((key) => key.KeyType === "HASH")?.AttributeName;
  const partitionKey = hashKey(table?.KeySchema);
  if (!partitionKey) return undefined;
  const globalIndexes: Record<string, string> = {};
  for (const index of table?.GlobalSecondaryIndexes ?? []) {
    const key = hashKey(index.KeySchema);
    if (key) globalIndexes[index.IndexName] = key;
  }
  return { partitionKey, globalIndexes };
}

interface DescribedTable {
  KeySchema?: { AttributeName: string; KeyType: string }[];
  GlobalSecondaryIndexes?: { IndexName: string; KeySchema?: { AttributeName: string; KeyType: string }[] }[];
}
