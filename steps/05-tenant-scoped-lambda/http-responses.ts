/** JSON responses in the Lambda proxy-integration shape. */
import type { APIGatewayProxyResult } from "aws-lambda";
import type { FieldError } from "./purchase.ts";

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

export const noContent = (): APIGatewayProxyResult => ({ statusCode: 204, headers: {}, body: "" });

/** A 400 that names every field that is wrong, so the client can fix all of them at once. */
export function badRequest(errors: FieldError[]): APIGatewayProxyResult {
  const summary = errors.map((e) => `${e.field} ${e.message}`).join("; ");
  return json(400, { message: `Invalid request: ${summary}`, errors });
}

export const notFound = () => json(404, { message: "Purchase not found" });
export const forbidden = () => json(403, { message: "Forbidden" });
