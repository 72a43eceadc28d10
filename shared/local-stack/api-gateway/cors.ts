/**
 * CORS as our CDK stack configures it: an OPTIONS MOCK method on each resource
 * answers preflights without the authorizer, and the gateway responses carry
 * Access-Control-Allow-Origin so a browser can read 401/403/5xx bodies. A
 * proxy function's own responses are left alone: in AWS it must set the
 * header itself.
 */

export interface CorsOptions {
  allowOrigins: readonly string[];
  allowHeaders: readonly string[];
  allowMethods: readonly string[];
  /** `Access-Control-Max-Age` on preflights; absent, none is sent. */
  maxAgeSeconds?: number;
}

/**
 * With one origin (or `*`) the header is static; with several, the request's
 * Origin is echoed when listed, else the first origin is sent (what CDK's
 * generated preflight does), and `Vary: Origin` tells caches it varies.
 */
export function allowOriginHeaders(cors: CorsOptions, requestOrigin: string | undefined): Record<string, string> {
  const [first] = cors.allowOrigins;
  if (first === undefined) return {};
  if (cors.allowOrigins.includes("*")) return { "Access-Control-Allow-Origin": "*" };
  const origin = requestOrigin !== undefined && cors.allowOrigins.includes(requestOrigin) ? requestOrigin : first;
  return { "Access-Control-Allow-Origin": origin, Vary: "Origin" };
}

/** The preflight answer: 204 (CDK's default status) with the allowed headers and methods, and how long to keep them. */
export function preflightHeaders(cors: CorsOptions, requestOrigin: string | undefined): Record<string, string> {
  return {
    "Access-Control-Allow-Headers": cors.allowHeaders.join(","),
    "Access-Control-Allow-Methods": cors.allowMethods.join(","),
    ...allowOriginHeaders(cors, requestOrigin),
    ...(cors.maxAgeSeconds === undefined ? {} : { "Access-Control-Max-Age": String(cors.maxAgeSeconds) }),
  };
}
