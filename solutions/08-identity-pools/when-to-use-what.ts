/**
 * Which of API Gateway's authorizers fits which caller: the decision this
 * step asks for, written down as data so the checkpoint can hold it to the
 * reasons AWS's documentation gives (the step's README, "When to use what").
 */

export type Authorizer =
  /** REST API, TOKEN or REQUEST Lambda authorizer: your code decides and returns a policy and a context. */
  | "lambda"
  /** REST API, COGNITO_USER_POOLS: API Gateway verifies a user pool token itself (ID token, or access token with scopes). */
  | "cognito-user-pools"
  /** REST or HTTP API, AWS_IAM: a SigV4-signed request, judged by the caller's IAM policy. */
  | "iam"
  /** HTTP API, JWT authorizer: any OIDC issuer's token, checked for issuer, audience and scopes. */
  | "http-api-jwt";

export type Caller =
  /** The purchases app: users of many tenants, roles from groups, the tenant passed to the backend. */
  | "multi-tenant app with per-role routes and a tenant context"
  /** A mobile app whose signed-in users may call every route alike; no custom rules, no extra Lambda. */
  | "signed-in users, any route, no custom logic"
  /** A client holding AWS credentials (an identity pool, a service's role) that also calls AWS services directly. */
  | "caller with AWS credentials"
  /** An HTTP API whose users sign in with any OIDC provider, routes guarded by OAuth scopes. */
  | "OIDC tokens with scopes on an HTTP API"
  /** A decision that needs data from elsewhere (a deny list, a tenant's plan, a revoked session). */
  | "decision needing a lookup";

export interface Choice {
  authorizer: Authorizer;
  /** Why, in a sentence: what this authorizer gives that caller. */
  because: string;
}

export const CALLERS: readonly Caller[] = [
  "multi-tenant app with per-role routes and a tenant context",
  "signed-in users, any route, no custom logic",
  "caller with AWS credentials",
  "OIDC tokens with scopes on an HTTP API",
  "decision needing a lookup",
];

/** The authorizer that fits this caller, and why. */
export function authorizerFor(caller: Caller): Choice {
  return WHEN_TO_USE_WHAT[caller];
}

const WHEN_TO_USE_WHAT: Readonly<Record<Caller, Choice>> = {
  "multi-tenant app with per-role routes and a tenant context": {
    authorizer: "lambda",
    because: "only a Lambda authorizer returns a policy per role and a context (the tenant) for the backend",
  },
  "signed-in users, any route, no custom logic": {
    authorizer: "cognito-user-pools",
    because: "API Gateway verifies the pool's token itself: no function to write, run or pay for",
  },
  "caller with AWS credentials": {
    authorizer: "iam",
    because: "the request is SigV4-signed and IAM judges it with the same policies as the caller's other AWS calls",
  },
  "OIDC tokens with scopes on an HTTP API": {
    authorizer: "http-api-jwt",
    because: "an HTTP API's JWT authorizer checks any OIDC issuer's token, its audience and its scopes, without code",
  },
  "decision needing a lookup": {
    authorizer: "lambda",
    because: "only your code can read a table (a revoked session, a tenant's plan) before it answers",
  },
};
