/** JSON responses in the Lambda proxy-integration shape. */
import type { APIGatewayProxyResult } from "aws-lambda";
import { BODY_TOO_LARGE, MAX_BODY_BYTES, type FieldError } from "./purchase.ts";

/** A 400 lists this many errors and counts the rest: its size never grows with the request. */
export const MAX_LISTED_ERRORS = 5;

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

export const noContent = (): APIGatewayProxyResult => ({ statusCode: 204, headers: {}, body: "" });

/** A 400 that names the fields that are wrong (the first few, and how many more), so the client can fix them at once. */
export function badRequest(errors: FieldError[]): APIGatewayProxyResult {
  const listed = errors.slice(0, MAX_LISTED_ERRORS);
  const more = errors.length - listed.length;
  const summary = listed.map((e) => `${e.field} ${e.message}`).join("; ") + (more > 0 ? `; and ${more} more` : "");
  return json(400, { message: `Invalid request: ${summary}`, errors: listed });
}

/**
 * 413, not 400: HTTP's status for a body too large to accept, and the one API
 * Gateway itself answers above its own 10 MB limit, so a client sees one code
 * for "too big" whichever layer refused. The body has the 400's shape.
 */
export const payloadTooLarge = () =>
  json(413, {
    message: `Request body too large: send at most ${MAX_BODY_BYTES} bytes (16 KiB)`,
    errors: [BODY_TOO_LARGE],
  });

export const notFound = () => json(404, { message: "Purchase not found" });
export const forbidden = () => json(403, { message: "Forbidden" });
