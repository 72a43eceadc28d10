/**
 * Flow steps 5 and 6: turn verified ID-token claims into what API Gateway
 * needs from a TOKEN authorizer: a principal, an IAM policy, and a context.
 */
import type { APIGatewayAuthorizerResult, PolicyDocument } from "aws-lambda";
import {
  DEFAULT_ROLE,
  ROLES,
  routeResourcePattern,
  routesForRole,
  type Role,
} from "../../shared/runtime/purchases-api.ts";
import { todo } from "../../shared/checkpoint/todo.ts";

/** The ID-token claims this builder reads (a verified `CognitoIdTokenPayload` fits). */
export interface TenantClaims {
  sub: string;
  email?: unknown;
  "custom:tenantId"?: unknown;
  "cognito:groups"?: unknown;
}

/** What the backend Lambda receives as `event.requestContext.authorizer`: flat, strings only. */
export interface TenantContext {
  tenantId: string;
  userId: string;
  email: string;
  role: Role;
  [key: string]: string;
}

/** A user's role: the most privileged workshop role among their groups; no group means `member`. */
export function roleFromGroups(groups: unknown): Role {
  // TODO 1: `groups` is the raw claim: it may be missing, not a list, or hold names that are no role.
  // Keep its strings, take the roles of ROLES found among them (ROLES is ordered least to most
  // privileged) and return the last one; no known role at all means DEFAULT_ROLE.
  return todo("1: return the most privileged role of ROLES among the groups, else DEFAULT_ROLE");
}

/**
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}` →
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}`.
 */
export function stageArnOf(methodArn: string): string {
  // TODO 2: split on "/": the first part is the API's ARN (6 colon-separated fields, starting
  // "arn:aws"), the second the stage. Throw an Error when either is missing or malformed.
  return todo("2: cut the method ARN down to its stage ARN, arn:aws:execute-api:{region}:{account}:{apiId}/{stage}");
}

/**
 * The policy lists every route the role may call on the whole stage, not just
 * the method ARN of this request: API Gateway caches the policy per token and
 * re-uses it for the caller's next requests, to any route.
 */
export function buildTenantPolicy(claims: TenantClaims, methodArn: string): APIGatewayAuthorizerResult {
  const stageArn = stageArnOf(methodArn);
  const tenantId = claims["custom:tenantId"];
  // Authenticated but not authorized: no tenant, no data.
  if (typeof tenantId !== "string" || tenantId.length === 0) return denyEverything(claims.sub, stageArn);

  const role = roleFromGroups(claims["cognito:groups"]);
  // TODO 3: one resource per route of routesForRole(role), on the whole stage, so the policy API Gateway
  // caches is right for every route: `${stageArn}/${routeResourcePattern(route)}`. Not just methodArn!
  const allowed: string[] = todo("3: list every route the role may call, each as a resource on the stage ARN");
  // TODO 4: flat, strings only: tenantId, userId (the sub), email ("" when the claim is not a string)
  // and role. Only what the token vouches for goes in, never anything from the request.
  const context: TenantContext = todo("4: build the context { tenantId, userId, email, role } from the claims");
  return { principalId: claims.sub, policyDocument: policy("Allow", allowed), context };
}

/** An explicit Deny on every method of the stage: API Gateway answers 403 whatever the route, cached or not. */
function denyEverything(principalId: string, stageArn: string): APIGatewayAuthorizerResult {
  // TODO 5: the principal, policy("Deny", ...) on every method of the stage (`${stageArn}/*`), and no context.
  return todo("5: no tenant: answer an explicit Deny on every method of the stage");
}

function policy(effect: "Allow" | "Deny", resources: string[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resources }],
  };
}
