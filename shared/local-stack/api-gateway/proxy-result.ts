/**
 * Checks a Lambda proxy integration's answer and turns it into an HTTP
 * response, as API Gateway does; anything malformed is its 502.
 */

export interface HttpResponse {
  statusCode: number;
  /** Header name -> values; several values go out as several header lines. */
  headers: Record<string, string[]>;
  body: Buffer;
}

export type ProxyResultValidation = { ok: true; response: HttpResponse } | { ok: false; reason: string };

type Scalar = string | number | boolean;

/**
 * Pass the result as it would arrive over the wire (JSON), since that is what
 * API Gateway sees. Header values may be strings, numbers or booleans (they are
 * stringified); `body` must be a string (or absent).
 */
export function toHttpResponse(value: unknown): ProxyResultValidation {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reason: "the function returned no object" };
  }
  const result = value as Record<string, unknown>;
  const { statusCode, body, isBase64Encoded } = result;

  if (typeof statusCode !== "number" || !Number.isInteger(statusCode) || statusCode < 200 || statusCode > 599) {
    return { ok: false, reason: "statusCode must be an integer from 200 to 599" };
  }
  if (body !== undefined && body !== null && typeof body !== "string") {
    return { ok: false, reason: `body must be a string, got ${Array.isArray(body) ? "an array" : typeof body}` };
  }
  if (isBase64Encoded !== undefined && isBase64Encoded !== null && typeof isBase64Encoded !== "boolean") {
    return { ok: false, reason: "isBase64Encoded must be a boolean" };
  }

  const single = scalarMap(result.headers, "headers");
  if (typeof single === "string") return { ok: false, reason: single };
  const multi = arrayMap(result.multiValueHeaders, "multiValueHeaders");
  if (typeof multi === "string") return { ok: false, reason: multi };

  // As documented for proxy integrations: both maps are merged, and a header
  // named in multiValueHeaders takes its values from there only.
  // A Map, so a header named like a built-in (`__proto__`) is just a header.
  const headers = new Map<string, string[]>();
  const multiNames = new Set(Object.keys(multi).map((name) => name.toLowerCase()));
  for (const [name, headerValue] of Object.entries(single)) {
    if (!multiNames.has(name.toLowerCase())) headers.set(name, [String(headerValue)]);
  }
  for (const [name, values] of Object.entries(multi)) headers.set(name, values.map(String));
  if (![...headers.keys()].some((name) => name.toLowerCase() === "content-type")) {
    // API Gateway's default when the function names no content type.
    headers.set("Content-Type", ["application/json"]);
  }

  const text = typeof body === "string" ? body : "";
  return {
    ok: true,
    response: {
      statusCode,
      headers: Object.fromEntries(headers),
      body: isBase64Encoded === true ? Buffer.from(text, "base64") : Buffer.from(text, "utf8"),
    },
  };
}

function scalarMap(value: unknown, field: string): Record<string, Scalar> | string {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) return `${field} must be an object`;
  for (const [name, entry] of Object.entries(value)) {
    if (!isScalar(entry)) return `${field}.${name} must be a string, number or boolean`;
  }
  return value as Record<string, Scalar>;
}

function arrayMap(value: unknown, field: string): Record<string, Scalar[]> | string {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) return `${field} must be an object`;
  for (const [name, entry] of Object.entries(value)) {
    if (!Array.isArray(entry) || !entry.every(isScalar)) return `${field}.${name} must be an array of strings`;
  }
  return value as Record<string, Scalar[]>;
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}
