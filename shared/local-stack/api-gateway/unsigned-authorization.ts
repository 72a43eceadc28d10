/**
 * A request for a resource or method the API does not have, carrying an
 * `Authorization` header: API Gateway has no authorizer to hand the header to,
 * so it reads it as an AWS Signature Version 4 header (`<algorithm>
 * Credential=..., SignedHeaders=..., Signature=...`) and answers 403 with
 * what it could not parse, the header itself hashed (SHA-256, Base64) rather
 * than echoed. Without the header it is "Missing Authentication Token".
 */
import { createHash } from "node:crypto";
import type { GatewayResponse } from "./gateway-responses.ts";

export function unsignedAuthorizationResponse(authorization: string): GatewayResponse {
  const hashed = createHash("sha256").update(authorization, "utf8").digest("base64");
  const space = authorization.indexOf(" ");
  const elements =
    space === -1
      ? []
      : authorization
          .slice(space + 1)
          .split(",")
          .map((element) => element.trim());
  // `Bearer <jwt>`: the part after the "algorithm" is no key=value pair.
  const message = elements.some((element) => !element.includes("="))
    ? `Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '${hashed}'.`
    : "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
      "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a " +
      `'X-Amz-Date' or a 'Date' header. (Hashed with SHA-256 and encoded with Base64) Authorization=${hashed}`;
  return {
    statusCode: 403,
    headers: { "Content-Type": "application/json", "x-amzn-ErrorType": "IncompleteSignatureException" },
    body: JSON.stringify({ message }),
    customizable: true,
  };
}
