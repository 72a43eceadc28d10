/**
 * `limit` and `nextToken` for `GET /purchases`. The token is opaque to the
 * client and carries only the last purchase id: the tenant always comes from
 * the caller's context, so a token can never page into another tenant.
 */
import type { FieldError, Parsed } from "./purchase.ts";
import { isPurchaseId } from "./purchase.ts";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  limit: number;
  /** The purchase id to continue after, if any. */
  after?: string;
}

export function parsePageRequest(query: Record<string, string | undefined> | null): Parsed<PageRequest> {
  const errors: FieldError[] = [];
  let limit = DEFAULT_PAGE_SIZE;
  const rawLimit = query?.limit;
  if (rawLimit !== undefined) {
    limit = Number(rawLimit);
    if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      errors.push({ field: "limit", message: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` });
    }
  }
  let after: string | undefined;
  if (query?.nextToken !== undefined) {
    after = decodeNextToken(query.nextToken);
    if (!after) errors.push({ field: "nextToken", message: "is not a token this API issued" });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { limit, after } };
}

export function encodeNextToken(lastPurchaseId: string): string {
  return Buffer.from(JSON.stringify({ after: lastPurchaseId })).toString("base64url");
}

function decodeNextToken(token: string): string | undefined {
  try {
    const { after } = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { after?: unknown };
    return typeof after === "string" && isPurchaseId(after) ? after : undefined;
  } catch {
    return undefined;
  }
}
