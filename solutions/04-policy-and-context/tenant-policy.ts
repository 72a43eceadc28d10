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
  const names = Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : [];
  const known = ROLES.filter((role) => names.includes(role));
  // ROLES is ordered least to most privileged.
  return known.at(-1) ?? DEFAULT_ROLE;
}

/**
 * `arn:{partition}:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}` →
 * `arn:{partition}:execute-api:{region}:{account}:{apiId}/{stage}`.
 */
export function stageArnOf(methodArn: string): string {
  // The API id ends the ARN's colon-separated part; the stage is the first path segment.
  const [apiArn, stage] = methodArn.split("/");
  if (!apiArn?.startsWith("arn:aws") || apiArn.split(":").length !== 6 || !stage) {
    throw new Error(`Not an API Gateway method ARN: ${methodArn}`);
  }
  return `${apiArn}/${stage}`;
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
  const allowed = routesForRole(role).map((route) => `${stageArn}/${routeResourcePattern(route)}`);
  const context: TenantContext = {
    tenantId,
    userId: claims.sub,
    email: typeof claims.email === "string" ? claims.email : "",
    role,
  };
  return { principalId: claims.sub, policyDocument: policy("Allow", allowed), context };
}

/** An explicit Deny on every method of the stage: API Gateway answers 403 whatever the route, cached or not. */
function denyEverything(principalId: string, stageArn: string): APIGatewayAuthorizerResult {
  return { principalId, policyDocument: policy("Deny", [`${stageArn}/*`]) };
}

function policy(effect: "Allow" | "Deny", resources: string[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resources }],
  };
}
