/** The local API Gateway (REST API, TOKEN authorizer, Lambda proxy integrations). */
export { startLocalApiGateway } from "./local-api-gateway.ts";
export type {
  LocalApiGateway,
  LocalApiGatewayOptions,
  LocalApiGatewayStats,
  ProxyFunction,
  TokenAuthorizer,
} from "./local-api-gateway.ts";
export { evaluatePolicy, methodArn, validateAuthorizerResult, wildcardMatch } from "./policy-evaluator.ts";
export type {
  AuthorizerContextValue,
  AuthorizerResultValidation,
  MethodArnParts,
  PolicyDecision,
  ValidAuthorizerResult,
} from "./policy-evaluator.ts";
export { AuthorizerCache } from "./authorizer-cache.ts";
export type { AuthorizerCacheOptions } from "./authorizer-cache.ts";
export { authorizerForEvent, buildProxyEvent, MalformedRequestError } from "./proxy-event.ts";
export type { ProxyEventAuthorizer, ProxyEventInput } from "./proxy-event.ts";
export { toHttpResponse } from "./proxy-result.ts";
export type { HttpResponse, ProxyResultValidation } from "./proxy-result.ts";
export { matchResource, matchRoute, resourceExists } from "./route-matcher.ts";
export type { RouteMatch, RouteShape } from "./route-matcher.ts";
export type { CorsOptions } from "./cors.ts";
export { StageThrottle, TokenBucket } from "./token-bucket.ts";
export type { ThrottleSettings } from "./token-bucket.ts";
export * as gatewayResponses from "./gateway-responses.ts";
export type { GatewayResponse } from "./gateway-responses.ts";
