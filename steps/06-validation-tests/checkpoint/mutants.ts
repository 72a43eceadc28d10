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
import { buildTenantPolicy } from "../../../solutions/04-policy-and-context/tenant-policy.ts";
import {
  createPurchasesHandler,
  type PurchasesHandlerConfig,
} from "../../../solutions/05-tenant-scoped-lambda/purchases-handler.ts";
import type { LocalStackOptions } from "../../../shared/local-stack/local-stack.ts";

export interface Mutant {
  name: string;
  /** What is broken, in the words of a bug report. */
  bug: string;
  /** Which TODO of the suite should catch it. */
  todo: string;
  stack: LocalStackOptions;
}

/** An authorizer like the reference one, but with other verifier settings or failure handling. */
function authorizerWith(
  verifierProps: { clientId?: string | null; tokenUse?: "id" | "access" | null; graceSeconds?: number },
  options: { allowWhenVerificationFails?: boolean } = {},
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
        if (!options.allowWhenVerificationFails) throw new Error("Unauthorized");
        // The bug: "fail open", trusting the claims the token merely states.
        const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
        return buildTenantPolicy(claims, event.methodArn);
      }
    };
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
    const stageArn = methodArn.split("/").slice(0, 2).join("/");
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
    stack: { methodsWithoutAuthorizer: ["GET /purchases"] },
  },
  {
    name: "accepts-access-tokens",
    bug: "the authorizer accepts access tokens as well as ID tokens (tokenUse not checked)",
    todo: "TODO 2",
    stack: { createAuthorizer: authorizerWith({ tokenUse: null }) },
  },
  {
    name: "skips-audience-check",
    bug: "the authorizer accepts ID tokens issued to any app client of the pool (clientId not checked)",
    todo: "TODO 3",
    stack: { createAuthorizer: authorizerWith({ clientId: null }) },
  },
  {
    name: "fails-open",
    bug: "when verification throws, the authorizer allows the request using the token's unverified claims",
    todo: "TODO 4",
    stack: { createAuthorizer: authorizerWith({}, { allowWhenVerificationFails: true }) },
  },
  {
    name: "accepts-expired-tokens",
    bug: "the authorizer accepts tokens that expired long ago (a huge clock-skew allowance)",
    todo: "TODO 5",
    stack: { createAuthorizer: authorizerWith({ graceSeconds: 10 * 365 * 24 * 3600 }) },
  },
  {
    name: "viewers-may-create",
    bug: "the policy lets viewers POST, and the handler trusts it",
    todo: "TODO 6",
    stack: { createAuthorizer: authorizerRewriting(widenRole("viewer", "POST/purchases", "member")) },
  },
  {
    name: "members-may-delete",
    bug: "the policy lets members DELETE, and the handler trusts it",
    todo: "TODO 7",
    stack: { createAuthorizer: authorizerRewriting(widenRole("member", "DELETE/purchases/*", "admin")) },
  },
  {
    name: "policy-for-one-route",
    bug: "the policy allows only the method ARN of the first request, so API Gateway's cached policy refuses the user's next routes",
    todo: "TODO 8",
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
];
