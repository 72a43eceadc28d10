/**
 * Which of API Gateway's authorizers fits which caller: the decision this
 * step asks for, written down as data so the checkpoint can hold it to the
 * reasons AWS's documentation gives (the step's README, "When to use what").
 */
import { todo } from "../../shared/checkpoint/todo.ts";

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
  // TODO 6: Yours to decide, from the README's comparison and AWS's documentation: which authorizer
  // fits each caller, and why, in a sentence. Each one fits a caller better than the others do.
  return todo("6: which authorizer fits this caller");
}
