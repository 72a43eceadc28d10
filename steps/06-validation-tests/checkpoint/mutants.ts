/**
 * Broken systems: the reference system with one thing wrong, each a bug that
 * real authorizers and handlers have shipped with. A good validation suite
 * passes on the reference system and fails on every one of these.
 */
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, Statement } from "aws-lambda";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import {
  createAuthorizer,
  tokenFromHeader,
  type AuthorizerConfig,
} from "../../../solutions/03-authorizer/authorizer.ts";
import { buildTenantPolicy, stageArnOf } from "../../../solutions/04-policy-and-context/tenant-policy.ts";
import {
  createPurchasesHandler,
  type PurchasesHandlerConfig,
} from "../../../solutions/05-tenant-scoped-lambda/purchases-handler.ts";
import { ROUTES, routeResourcePattern } from "../../../shared/runtime/purchases-api.ts";
import type { LocalStackOptions } from "../../../shared/local-stack/local-stack.ts";

export interface Mutant {
  name: string;
  /** What is broken, in the words of a bug report. */
  bug: string;
  /** Which TODO of the suite states the promise it breaks; none for a promise no TODO names. */
  todo?: string;
  /**
   * What this system answers where the reference answers otherwise: what a
   * surviving mutant's report says, so the learner knows where to look, not
   * which test to write.
   */
  symptom: string;
  stack: LocalStackOptions;
}

/** An authorizer like the reference one, but with other verifier settings or failure handling. */
function authorizerWith(
  verifierProps: { clientId?: string | null; tokenUse?: "id" | "access" | null; graceSeconds?: number },
  options: { allowWhenVerificationFails?: boolean; denyWhenVerificationFails?: boolean } = {},
) {
  return async (config: AuthorizerConfig) => {
    const jwksUrl = config.jwksUrl!;
    const verifier = CognitoJwtVerifier.create(
      { userPoolId: config.userPoolId, clientId: config.clientId, tokenUse: "id", ...verifierProps } as never,
      {
        jwksCache: new SimpleJwksCache({
          fetcher: { fetch: async () => (await fetch(jwksUrl)).arrayBuffer() },
        }),
      },
    );
    return async (event: { authorizationToken: string; methodArn: string }): Promise<APIGatewayAuthorizerResult> => {
      const token = tokenFromHeader(event.authorizationToken);
      try {
        return buildTenantPolicy((await verifier.verify(token)) as never, event.methodArn);
      } catch {
        // The bug: "refused is refused", a Deny (403) where API Gateway's contract wants "Unauthorized" (401).
        if (options.denyWhenVerificationFails) return denyAll(event.methodArn);
        if (!options.allowWhenVerificationFails) throw new Error("Unauthorized");
        // The bug: "fail open", trusting the claims the token merely states.
        const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
        return buildTenantPolicy(claims, event.methodArn);
      }
    };
  };
}

/** An explicit Deny on every method of the request's stage, for no one in particular. */
function denyAll(methodArn: string): APIGatewayAuthorizerResult {
  return {
    principalId: "anonymous",
    policyDocument: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", Action: "execute-api:Invoke", Resource: [`${stageArnOf(methodArn)}/*`] }],
    },
  };
}

/** The reference authorizer with its answer rewritten. */
function authorizerRewriting(
  rewrite: (result: APIGatewayAuthorizerResult, methodArn: string) => APIGatewayAuthorizerResult,
) {
  return async (config: AuthorizerConfig) => {
    const reference = await createAuthorizer(config);
    return async (event: Parameters<typeof reference>[0]) => rewrite(await reference(event), event.methodArn);
  };
}

/** The reference handler with its input or its answer rewritten. */
function handlerWrapping(
  wrap: (
    reference: ReturnType<typeof createPurchasesHandler>,
    config: PurchasesHandlerConfig,
  ) => (event: APIGatewayProxyEvent) => ReturnType<ReturnType<typeof createPurchasesHandler>>,
) {
  return (config: PurchasesHandlerConfig) => wrap(createPurchasesHandler(config), config);
}

/** Gives `role` one more route in its policy, and the context of `asRole` so the handler agrees. */
function widenRole(role: string, route: string, asRole: string) {
  return (result: APIGatewayAuthorizerResult, methodArn: string): APIGatewayAuthorizerResult => {
    if (result.context?.role !== role) return result;
    const stageArn = stageArnOf(methodArn);
    const statement = result.policyDocument.Statement[0] as Statement & { Resource: string[] };
    return {
      ...result,
      policyDocument: {
        Version: "2012-10-17",
        Statement: [{ ...statement, Resource: [...statement.Resource, `${stageArn}/${route}`] }],
      },
      context: { ...result.context, role: asRole },
    };
  };
}

function withContext(event: APIGatewayProxyEvent, changes: Record<string, string>): APIGatewayProxyEvent {
  return {
    ...event,
    requestContext: { ...event.requestContext, authorizer: { ...event.requestContext.authorizer, ...changes } },
  };
}

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  return Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
}

export const MUTANTS: readonly Mutant[] = [
  {
    name: "no-auth-on-list",
    bug: "GET /purchases was deployed without the authorizer: a request with no token reaches the handler",
    todo: "TODO 1",
    symptom:
      "without an Authorization header, GET /purchases answers 403 from the function where the reference answers 401",
    stack: { methodsWithoutAuthorizer: ["GET /purchases"] },
  },
  {
    name: "accepts-access-tokens",
    bug: "the authorizer accepts access tokens as well as ID tokens (tokenUse not checked)",
    todo: "TODO 2",
    symptom: "with alice's access token, GET /purchases answers 200 where the reference answers 401",
    stack: { createAuthorizer: authorizerWith({ tokenUse: null }) },
  },
  {
    name: "skips-audience-check",
    bug: "the authorizer accepts ID tokens issued to any app client of the pool (clientId not checked)",
    todo: "TODO 3",
    symptom:
      "with an ID token issued to another app client of the pool, GET /purchases answers 200 where the reference answers 401",
    stack: { createAuthorizer: authorizerWith({ clientId: null }) },
  },
  {
    name: "fails-open",
    bug: "when verification throws, the authorizer allows the request using the token's unverified claims",
    todo: "TODO 4",
    symptom:
      "with a token whose payload was edited after signing, GET /purchases answers 200 where the reference answers 401",
    stack: { createAuthorizer: authorizerWith({}, { allowWhenVerificationFails: true }) },
  },
  {
    name: "accepts-expired-tokens",
    bug: "the authorizer accepts tokens that expired long ago (a huge clock-skew allowance)",
    todo: "TODO 5",
    symptom: "with a token that expired an hour ago, GET /purchases answers 200 where the reference answers 401",
    stack: { createAuthorizer: authorizerWith({ graceSeconds: 10 * 365 * 24 * 3600 }) },
  },
  {
    name: "viewers-may-create",
    bug: "the policy lets viewers POST, and the handler trusts it",
    todo: "TODO 6",
    symptom: "a viewer's POST /purchases answers 201 where the reference answers 403",
    stack: { createAuthorizer: authorizerRewriting(widenRole("viewer", "POST/purchases", "member")) },
  },
  {
    name: "members-may-delete",
    bug: "the policy lets members DELETE, and the handler trusts it",
    todo: "TODO 7",
    symptom: "a member's DELETE of a purchase of the tenant answers 204 where the reference answers 403",
    stack: { createAuthorizer: authorizerRewriting(widenRole("member", "DELETE/purchases/*", "admin")) },
  },
  {
    name: "policy-for-one-route",
    bug: "the policy allows only the method ARN of the first request, so API Gateway's cached policy refuses the user's next routes",
    todo: "TODO 8",
    symptom: "a token's second route, another than its first, answers 403 where the reference answers 200 or 201",
    stack: {
      createAuthorizer: authorizerRewriting((result, methodArn) => ({
        ...result,
        policyDocument: {
          ...result.policyDocument,
          Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: [methodArn] }],
        },
      })),
    },
  },
  {
    name: "tenant-from-header",
    bug: "the handler takes the tenant from an X-Tenant-Id header when one is sent",
    todo: "TODO 9",
    symptom:
      "a POST or GET with an X-Tenant-Id header naming another tenant writes and reads that tenant's partition; the reference ignores the header",
    stack: {
      createPurchasesHandler: handlerWrapping((reference) => (event) => {
        const forged = header(event, "X-Tenant-Id");
        return reference(forged ? withContext(event, { tenantId: forged }) : event);
      }),
    },
  },
  {
    name: "tenant-from-body",
    bug: "the handler stores a purchase under the tenantId of the body when one is sent",
    todo: "TODO 10",
    symptom:
      "a POST whose body names another tenant's tenantId answers 201 (stored in that tenant) where the reference answers 400",
    stack: {
      createPurchasesHandler: handlerWrapping((reference) => (event) => {
        if (event.httpMethod !== "POST" || !event.body) return reference(event);
        const { tenantId, ...rest } = JSON.parse(event.body) as Record<string, unknown>;
        if (typeof tenantId !== "string") return reference(event);
        return reference(withContext({ ...event, body: JSON.stringify(rest) }, { tenantId }));
      }),
    },
  },
  {
    name: "list-scans-the-table",
    bug: "GET /purchases Scans the whole table and forgets to filter by tenant",
    todo: "TODO 11",
    symptom: "GET /purchases lists every tenant's purchases where the reference lists the caller's tenant's only",
    stack: {
      createPurchasesHandler: handlerWrapping((reference, config) => async (event) => {
        if (event.httpMethod !== "GET" || event.resource !== "/purchases") return reference(event);
        const { Items = [] } = await config.db.send(new ScanCommand({ TableName: config.tableName }));
        return {
          statusCode: 200,
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ purchases: Items }),
        };
      }),
    },
  },
  {
    name: "reveals-other-tenants-ids",
    bug: "another tenant's purchase id answers 403 instead of 404, telling the caller it exists",
    todo: "TODO 12",
    symptom: "GET or DELETE of another tenant's purchase id answers 403 where the reference answers 404",
    stack: {
      createPurchasesHandler: handlerWrapping((reference, config) => async (event) => {
        const response = await reference(event);
        if (response.statusCode !== 404 || !event.pathParameters?.purchaseId) return response;
        const { Items = [] } = await config.db.send(
          new ScanCommand({
            TableName: config.tableName,
            FilterExpression: "purchaseId = :id",
            ExpressionAttributeValues: { ":id": event.pathParameters.purchaseId },
          }),
        );
        return Items.length > 0
          ? { ...response, statusCode: 403, body: JSON.stringify({ message: "Forbidden" }) }
          : response;
      }),
    },
  },

  // Below: promises that no TODO of the suite names. A suite that proves the design, not the TODO list, kills them.
  {
    name: "denies-bad-tokens",
    bug: 'the authorizer answers a token it cannot verify with an explicit Deny instead of "Unauthorized": 403, not 401',
    symptom:
      "with a token that does not verify (an access token, another client's, a tampered or expired one), this system answers 403 where the reference answers 401",
    stack: { createAuthorizer: authorizerWith({}, { denyWhenVerificationFails: true }) },
  },
  {
    name: "role-checked-only-in-the-handler",
    bug: "the policy allows every route to every role; only the handler's own role check refuses, so the request reaches the function",
    symptom:
      'a viewer\'s POST /purchases gets the function\'s 403 {"message":"Forbidden"}; the reference\'s API Gateway refuses it before the function runs, with its own 403 {"Message":"User is not authorized to access this resource"}',
    stack: {
      createAuthorizer: authorizerRewriting((result, methodArn) => {
        if (!result.context) return result;
        const stageArn = stageArnOf(methodArn);
        return {
          ...result,
          policyDocument: {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: "execute-api:Invoke",
                Resource: ROUTES.map((route) => `${stageArn}/${routeResourcePattern(route)}`),
              },
            ],
          },
        };
      }),
    },
  },
  {
    name: "next-token-names-the-tenant",
    bug: "the nextToken carries the tenant of the page it continues (like a raw LastEvaluatedKey), and the handler pages that tenant's partition",
    symptom:
      "a nextToken that another tenant's list issued gives the caller that tenant's purchases; the reference pages the caller's own partition",
    stack: {
      createPurchasesHandler: handlerWrapping((reference) => async (event) => {
        if (event.httpMethod !== "GET" || event.resource !== "/purchases") return reference(event);
        const token = decodeMutantToken(event.queryStringParameters?.nextToken);
        const response = await reference(token ? withContext(event, { tenantId: token.tenantId }) : event);
        if (response.statusCode !== 200) return response;
        // Re-issue the reference's token with the partition it continues in it.
        const body = JSON.parse(response.body) as { nextToken?: string };
        const after = decodeMutantToken(body.nextToken, true)?.after;
        if (!after) return response;
        const tenantId = token?.tenantId ?? String(event.requestContext.authorizer?.tenantId);
        const nextToken = Buffer.from(JSON.stringify({ tenantId, after })).toString("base64url");
        return { ...response, body: JSON.stringify({ ...body, nextToken }) };
      }),
    },
  },
  {
    name: "retries-record-twice",
    bug: "the handler ignores the Idempotency-Key header, so a retried POST records the purchase a second time",
    symptom:
      "a POST repeated with the same Idempotency-Key and body answers 201 with a new purchaseId (and the list holds both) where the reference answers the first purchase again, with Idempotent-Replayed: true",
    stack: {
      createPurchasesHandler: handlerWrapping((reference) => (event) => {
        const headers = Object.fromEntries(
          Object.entries(event.headers ?? {}).filter(([key]) => key.toLowerCase() !== "idempotency-key"),
        );
        const multiValueHeaders = Object.fromEntries(
          Object.entries(event.multiValueHeaders ?? {}).filter(([key]) => key.toLowerCase() !== "idempotency-key"),
        );
        return reference({ ...event, headers, multiValueHeaders });
      }),
    },
  },
];

/**
 * A nextToken as the next-token-names-the-tenant mutant reads it: `{ after, tenantId }`
 * (or the reference's `{ after }` when `anyTenant`); undefined for anything else.
 */
function decodeMutantToken(
  token: string | undefined,
  anyTenant = false,
): { after: string; tenantId: string } | undefined {
  if (!token) return undefined;
  try {
    const { after, tenantId } = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Record<string, unknown>;
    if (typeof after !== "string") return undefined;
    if (typeof tenantId === "string" && tenantId) return { after, tenantId };
    return anyTenant ? { after, tenantId: "" } : undefined;
  } catch {
    return undefined;
  }
}
