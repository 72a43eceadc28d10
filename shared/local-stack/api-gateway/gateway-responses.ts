/**
 * The answers API Gateway itself gives (not the integration's), byte for byte
 * where we could confirm them from captured AWS responses: status, body, and
 * the `x-amzn-ErrorType` header. Note the two AccessDenied bodies say
 * `Message`, not `message` - that is what AWS sends.
 */

export interface GatewayResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  /**
   * Whether it is a "gateway response" an API can customize (DEFAULT_4XX /
   * DEFAULT_5XX). Our CDK stack adds CORS headers to those; the front door's
   * 10 MB refusal cannot be customized, so it never gets them.
   */
  customizable: boolean;
}

function json(statusCode: number, errorType: string | undefined, body: string): GatewayResponse {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (errorType) headers["x-amzn-ErrorType"] = errorType;
  return { statusCode, headers, body, customizable: true };
}

/** MISSING_AUTHENTICATION_TOKEN: no such stage, resource or method (API Gateway's "404"). */
export const MISSING_AUTHENTICATION_TOKEN = json(
  403,
  "MissingAuthenticationTokenException",
  '{"message":"Missing Authentication Token"}',
);

/** UNAUTHORIZED: no token, or the authorizer threw `Unauthorized`. */
export const UNAUTHORIZED = json(401, "UnauthorizedException", '{"message":"Unauthorized"}');

/** AUTHORIZER_CONFIGURATION_ERROR: the authorizer failed or answered malformed. */
export const AUTHORIZER_CONFIGURATION_ERROR = json(500, "AuthorizerConfigurationException", '{"message":null}');

/** ACCESS_DENIED: a Deny statement matched the method ARN. */
export const EXPLICIT_DENY = json(
  403,
  "AccessDeniedException",
  '{"Message":"User is not authorized to access this resource with an explicit deny"}',
);

/** ACCESS_DENIED: no Allow statement matched the method ARN. */
export const IMPLICIT_DENY = json(
  403,
  "AccessDeniedException",
  '{"Message":"User is not authorized to access this resource"}',
);

/**
 * The Lambda proxy integration failed: it threw, timed out (Lambda's own
 * timeout is a function error), answered over 6 MB or malformed (note the
 * space after the colon).
 */
export const INTEGRATION_ERROR = json(502, "InternalServerErrorException", '{"message": "Internal server error"}');

/**
 * THROTTLED: the method's token bucket is empty (stage throttling). Captured
 * AWS answers carry this 31-byte body and `x-amzn-ErrorType: TooManyRequestsException`.
 */
export const THROTTLED = json(429, "TooManyRequestsException", '{"message":"Too Many Requests"}');

/**
 * INTEGRATION_TIMEOUT: the integration did not answer within the integration
 * timeout. The body is `$context.error.messageString`, which (like the 502's)
 * starts with a space. AWS's `x-amzn-ErrorType` here is unconfirmed, so none is sent.
 */
export const INTEGRATION_TIMEOUT = json(504, undefined, '{"message": "Endpoint request timed out"}');

/** The event would exceed Lambda's 6 MB synchronous invoke payload limit. */
export const LAMBDA_REQUEST_TOO_LONG = json(413, "BadRequestException", '{"message": "Request Too Long"}');

/** Our own choice: API Gateway's answer to a broken percent-encoding is not documented. */
export const BAD_REQUEST = json(400, "BadRequestException", '{"message":"Bad request"}');

/** A bug in this local gateway, never an AWS behaviour. */
export const LOCAL_GATEWAY_ERROR = json(500, undefined, '{"message":"Internal server error (local API Gateway)"}');

/** The front door's 10 MB payload limit: plain text, before any routing or auth. */
export const PAYLOAD_TOO_LARGE: GatewayResponse = {
  statusCode: 413,
  headers: { "Content-Type": "text; charset=utf-8" },
  body: "HTTP content length exceeded 10485760 bytes.",
  customizable: false,
};

export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** Lambda's synchronous invocation payload limit (the whole event, not just the body). */
export const MAX_LAMBDA_EVENT_BYTES = 6 * 1024 * 1024;
/**
 * Lambda's synchronous response limit, as its error names it ("Response
 * payload size exceeded maximum allowed payload size (6291556 bytes)"); over
 * it, API Gateway answers INTEGRATION_ERROR.
 */
export const MAX_LAMBDA_RESPONSE_BYTES = 6_291_556;

/**
 * An AWS_IAM method's refusals of the signature (all 403): `Missing
 * Authentication Token` without an `Authorization` header (the same answer as
 * a missing route), else the signature check's exception and message, as
 * users report API Gateway's answers: "The security token included in the
 * request is invalid." (UnrecognizedClientException), "... is expired"
 * (ExpiredTokenException), "Signature expired: ... - 5 min." and the
 * signature mismatch (InvalidSignatureException).
 */
export function signatureRefused(errorType: string, message: string): GatewayResponse {
  return json(403, errorType, JSON.stringify({ message }));
}

/**
 * ACCESS_DENIED for an AWS_IAM method: the caller's policies do not allow
 * `execute-api:Invoke` on the method ARN. Note `Message`, as for the
 * authorizer's denials: `User: <assumed-role ARN> is not authorized to perform:
 * execute-api:Invoke on resource: <method ARN>`.
 */
export function iamAccessDenied(message: string): GatewayResponse {
  return json(403, "AccessDeniedException", JSON.stringify({ Message: message }));
}
