/**
 * GET /me, GET /me/cognito and GET /me/iam (step 08): one function behind
 * API Gateway's three authorizer types, answering the same question, "who
 * does API Gateway say I am?", with what the authorizer put in the event.
 *
 * - Lambda (TOKEN) authorizer: `requestContext.authorizer`, the context the
 *   authorizer returned (every value a string) plus `principalId`.
 * - Cognito user pool authorizer: `requestContext.authorizer.claims`, the ID
 *   token's claims as API Gateway passes them (strings).
 * - IAM: `requestContext.identity`, who signed the request: the identity
 *   pool's identity, the role session's ARN, the access key.
 *
 * It echoes no token: the claims are the token's content, never the token.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";

export interface MeHandlerConfig {
  corsAllowOrigin?: string;
}

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** Which authorizer vouched for the caller, and what it said. */
export type MeAnswer =
  | { authorizer: "lambda"; principalId: string | null; context: Record<string, string> }
  | { authorizer: "cognito-user-pools"; claims: Record<string, string> }
  | { authorizer: "iam"; identity: IamIdentity };

export interface IamIdentity {
  cognitoIdentityId: string | null;
  cognitoIdentityPoolId: string | null;
  cognitoAuthenticationType: string | null;
  cognitoAuthenticationProvider: string | null;
  userArn: string | null;
  caller: string | null;
  accessKey: string | null;
}

/** Keys API Gateway adds to a Lambda authorizer's context; not part of what the authorizer said. */
const GATEWAY_KEYS = new Set(["principalId", "integrationLatency"]);

export function createMeHandler(config: MeHandlerConfig = {}): ProxyHandler {
  const cors: Record<string, string> = config.corsAllowOrigin
    ? { "Access-Control-Allow-Origin": config.corsAllowOrigin }
    : {};
  const json = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
    statusCode,
    headers: { "Content-Type": "application/json", ...cors },
    body: JSON.stringify(body),
  });

  return async (event) => {
    const answer = whoAmI(event);
    // No authorizer said anything: a method deployed without one, never the workshop's API.
    return answer ? json(200, answer) : json(403, { message: "Forbidden" });
  };
}

/** What API Gateway says about the caller, read from the event the way each authorizer type fills it. */
export function whoAmI(event: APIGatewayProxyEvent): MeAnswer | undefined {
  const authorizer = (event.requestContext?.authorizer ?? null) as Record<string, unknown> | null;
  const identity = (event.requestContext?.identity ?? {}) as unknown as Record<string, unknown>;

  if (authorizer && isRecord(authorizer.claims)) {
    return { authorizer: "cognito-user-pools", claims: strings(authorizer.claims) };
  }
  if (authorizer && typeof authorizer.principalId === "string") {
    const context = Object.fromEntries(Object.entries(strings(authorizer)).filter(([key]) => !GATEWAY_KEYS.has(key)));
    return { authorizer: "lambda", principalId: authorizer.principalId, context };
  }
  if (typeof identity.userArn === "string" && identity.userArn) {
    const field = (name: keyof IamIdentity) => (typeof identity[name] === "string" ? (identity[name] as string) : null);
    return {
      authorizer: "iam",
      identity: {
        cognitoIdentityId: field("cognitoIdentityId"),
        cognitoIdentityPoolId: field("cognitoIdentityPoolId"),
        cognitoAuthenticationType: field("cognitoAuthenticationType"),
        cognitoAuthenticationProvider: field("cognitoAuthenticationProvider"),
        userArn: field("userArn"),
        caller: field("caller"),
        accessKey: field("accessKey"),
      },
    };
  }
  return undefined;
}

/** Only string values: what API Gateway passes is strings; anything else is left out rather than guessed at. */
function strings(record: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
