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
  // TODO 1: The role this user acts as. `groups` is the claim as the token carried it: it may be
  // missing, not a list, or name groups that are no role, and none of that may raise a privilege.
  // A user in several roles' groups acts as the most privileged of them; a user in none, as the default.
  return todo("1: the user's role, from the groups the token lists");
}

/**
 * `arn:{partition}:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}` →
 * `arn:{partition}:execute-api:{region}:{account}:{apiId}/{stage}`.
 */
export function stageArnOf(methodArn: string): string {
  // TODO 2: The part of the request's method ARN that every request to this API and stage shares:
  // every resource of the policy is built on it, so it keeps the partition, region, account, API id
  // and stage, and nothing of the method or path. What is not a method ARN with a stage must throw:
  // a policy built on garbage would allow the wrong API, or nothing.
  return todo("2: the stage ARN of the request's method ARN");
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
  // TODO 3: Yours to decide: which resources this Allow lists. API Gateway caches this answer per
  // token (AUTHORIZER.resultsCacheTtlSeconds) and judges the token's later requests, to any route,
  // against it without asking again. So it must be right for every request this user may make next,
  // not only this one; allow nothing the role may not call; and nothing outside this API and stage.
  const allowed: string[] = todo("3: the resources this user's policy allows");
  // TODO 4: What the purchases function will trust as its caller: the tenant, the user, their email and
  // their role. API Gateway refuses the whole answer when a value is not flat, and the function must
  // be able to rely on each being a string. Only what the verified token vouches for goes in: the
  // request is the caller's to choose.
  const context: TenantContext = todo("4: the context the purchases function receives");
  return { principalId: claims.sub, policyDocument: policy("Allow", allowed), context };
}

/** An explicit Deny on every method of the stage: API Gateway answers 403 whatever the route, cached or not. */
function denyEverything(principalId: string, stageArn: string): APIGatewayAuthorizerResult {
  // TODO 5: Authenticated, not authorized: a user without a tenant must reach no route of the stage,
  // on this request or on any later one that reuses the cached answer, and API Gateway must answer
  // 403 (not 401: signing in again would not help). The function receives no context from this answer.
  return todo("5: the answer for a user without a tenant");
}

function policy(effect: "Allow" | "Deny", resources: string[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resources }],
  };
}
