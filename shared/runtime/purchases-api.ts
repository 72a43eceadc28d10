/**
 * The purchases API in one place: its routes, which function serves each, who
 * may call each, and the authorizer's settings. The CDK stack and the local API
 * Gateway both read this, so the local API cannot drift from the deployed one
 * (the way SAM's local tooling reads the template).
 */

/** Roles come from the `cognito:groups` claim; a user in no group is a member. */
export const ROLES = ["viewer", "member", "admin"] as const;
export type Role = (typeof ROLES)[number];
export const DEFAULT_ROLE: Role = "member";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** The Lambda functions behind the API (the key names the function). */
export type FunctionName = "purchases" | "signOut" | "me";

/**
 * How API Gateway authorizes a route (the method's `AuthorizationType`):
 * - `lambda`: the TOKEN authorizer (CUSTOM), its policy built per role (step 04);
 * - `cognito-user-pools`: API Gateway verifies the user pool's token itself
 *   (COGNITO_USER_POOLS, no scopes: an ID token, never an access token);
 * - `iam`: the request must be signed with AWS credentials (SigV4) whose
 *   policy allows `execute-api:Invoke` on the method (AWS_IAM).
 */
export type RouteAuthorization = "lambda" | "cognito-user-pools" | "iam";

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway resource path, with `{param}` placeholders. */
  path: string;
  function: FunctionName;
  /**
   * Roles whose policy allows this route (the Lambda authorizer's policy).
   * Only meaningful for `lambda` routes: the other authorizers know no roles.
   */
  roles: readonly Role[];
  summary: string;
  /** Default `lambda`, the TOKEN authorizer. */
  authorization?: RouteAuthorization;
}

export const STAGE_NAME = "prod";

export const ROUTES: readonly RouteDefinition[] = [
  {
    method: "GET",
    path: "/purchases",
    function: "purchases",
    roles: ["viewer", "member", "admin"],
    summary: "list the tenant's purchases",
  },
  {
    method: "POST",
    path: "/purchases",
    function: "purchases",
    roles: ["member", "admin"],
    summary: "record a purchase",
  },
  {
    method: "GET",
    path: "/purchases/{purchaseId}",
    function: "purchases",
    roles: ["viewer", "member", "admin"],
    summary: "read one purchase",
  },
  {
    method: "DELETE",
    path: "/purchases/{purchaseId}",
    function: "purchases",
    roles: ["admin"],
    summary: "delete one purchase",
  },
  {
    method: "POST",
    path: "/sign-out",
    function: "signOut",
    roles: ["viewer", "member", "admin"],
    summary: "end this session, or every session of the caller (step 07)",
  },
  {
    method: "GET",
    path: "/me",
    function: "me",
    roles: ["viewer", "member", "admin"],
    summary: "who the Lambda authorizer says the caller is (step 08)",
  },
  {
    method: "GET",
    path: "/me/cognito",
    function: "me",
    roles: [],
    summary: "who a Cognito user pool authorizer says the caller is: an ID token's claims (step 08)",
    authorization: "cognito-user-pools",
  },
  {
    method: "GET",
    path: "/me/iam",
    function: "me",
    roles: [],
    summary: "who IAM says the caller is: identity-pool credentials, signed with SigV4 (step 08)",
    authorization: "iam",
  },
];

/** A route's authorization, the default filled in. */
export function authorizationOf(route: Pick<RouteDefinition, "authorization">): RouteAuthorization {
  return route.authorization ?? "lambda";
}

/**
 * What a tenant id looks like (the `custom:tenantId` an operator assigns):
 * letters, digits, `-` and `_`, 1 to 64 characters, starting with a letter or digit.
 */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** TOKEN authorizer settings, as API Gateway is configured with them. */
export const AUTHORIZER = {
  /** The request header API Gateway hands to the authorizer. */
  identityHeader: "Authorization",
  /** How long API Gateway caches a policy per token (0 disables the cache). */
  resultsCacheTtlSeconds: 300,
} as const;

/**
 * Where the workshop's web app runs on a learner's machine (the Vite dev
 * server): the one origin the local stack allows, and the deployed stack's
 * default until an instructor sets `corsAllowOrigins`.
 */
export const LOCAL_WEB_APP_ORIGIN = "http://localhost:5173";

/** CORS for a browser client: the headers a SPA sends with its calls. */
export const CORS = {
  allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key"],
  allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
  /** How long a browser may reuse a preflight answer (`Access-Control-Max-Age`). */
  maxAgeSeconds: 3600,
} as const;

/**
 * Stage throttling (every method of the stage gets these limits): API
 * Gateway's token bucket, `burstLimit` requests deep, refilled at
 * `rateLimit` requests per second. Over it, callers get a 429.
 */
export const STAGE_THROTTLING = { rateLimit: 50, burstLimit: 100 } as const;

/** Each Lambda function's timeout; a function still running then is a function error. */
export const FUNCTION_TIMEOUT_SECONDS = {
  purchases: 10,
  signOut: 10,
  me: 10,
  authorizer: 10,
} as const satisfies Record<FunctionName | "authorizer", number>;

/** How long API Gateway waits for a Lambda integration (a REST API's default, 29 s) before its 504. */
export const INTEGRATION_TIMEOUT_MS = 29_000;

/**
 * The resource path of a route as it appears in a method ARN: `{param}`
 * becomes `*`, so one policy statement covers every id.
 */
export function routeResourcePattern(route: Pick<RouteDefinition, "method" | "path">): string {
  return `${route.method}${route.path.replace(/\{[^}]+\}/g, "*")}`;
}

/** The routes behind the Lambda authorizer that a role's policy allows (the other authorizers know no roles). */
export function routesForRole(role: Role): RouteDefinition[] {
  return ROUTES.filter((route) => authorizationOf(route) === "lambda" && route.roles.includes(role));
}
