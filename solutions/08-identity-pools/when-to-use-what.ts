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
  | "the purchases web app: roles decide the routes, and the backend needs the caller's tenant"
  | "a partner's mobile app whose users sign in to our pool and may all call one read-only route; we want no code of ours in the path"
  | "a nightly report job on ECS that calls the API with its task role"
  | "a second API, an HTTP API, for a customer whose users sign in with their own OIDC provider, its routes guarded by scopes"
  | "an admin console whose every call must be refused the moment an operator revokes the session";

export interface Choice {
  authorizer: Authorizer;
  /** Why, in a sentence: what this authorizer gives that caller. */
  because: string;
}

export const CALLERS: readonly Caller[] = [
  "the purchases web app: roles decide the routes, and the backend needs the caller's tenant",
  "a partner's mobile app whose users sign in to our pool and may all call one read-only route; we want no code of ours in the path",
  "a nightly report job on ECS that calls the API with its task role",
  "a second API, an HTTP API, for a customer whose users sign in with their own OIDC provider, its routes guarded by scopes",
  "an admin console whose every call must be refused the moment an operator revokes the session",
];

/** The authorizer that fits this caller, and why. */
export function authorizerFor(caller: Caller): Choice {
  return WHEN_TO_USE_WHAT[caller];
}

const WHEN_TO_USE_WHAT: Readonly<Record<Caller, Choice>> = {
  "the purchases web app: roles decide the routes, and the backend needs the caller's tenant": {
    authorizer: "lambda",
    because: "only a Lambda authorizer returns a policy per role and a context that carries the tenant to the backend",
  },
  "a partner's mobile app whose users sign in to our pool and may all call one read-only route; we want no code of ours in the path":
    {
      authorizer: "cognito-user-pools",
      because: "API Gateway verifies the pool's token itself: no function to write, run or pay for",
    },
  "a nightly report job on ECS that calls the API with its task role": {
    authorizer: "iam",
    because:
      "the job already signs with its role's credentials, and IAM judges the call with the same policies as its other AWS calls",
  },
  "a second API, an HTTP API, for a customer whose users sign in with their own OIDC provider, its routes guarded by scopes":
    {
      authorizer: "http-api-jwt",
      because: "an HTTP API's JWT authorizer checks any OIDC issuer's token, its audience and its scopes, without code",
    },
  "an admin console whose every call must be refused the moment an operator revokes the session": {
    authorizer: "lambda",
    because:
      "only your code can read the revocation records (a table) before it answers; a token check alone cannot know",
  },
};
