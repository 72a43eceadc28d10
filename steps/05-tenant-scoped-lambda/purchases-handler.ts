/**
 * Flow steps 6 to 8: API Gateway has allowed the call and forwards it with the
 * authorizer's context; this handler serves the four purchase routes for the
 * caller's tenant, and for no other.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { monotonicFactory } from "ulid";
import { ROLES, ROUTES, type Role } from "../../shared/runtime/purchases-api.ts";
import { badRequest, forbidden, json, noContent, notFound, payloadTooLarge } from "./http-responses.ts";
import { encodeNextToken, parsePageRequest } from "./pagination.ts";
import { isBodyTooLarge, isPurchaseId, parseNewPurchase, type Purchase } from "./purchase.ts";
import { TenantPurchases } from "./purchases-repository.ts";
import { createOnce, leaveTombstone, parseIdempotencyKey, requestFingerprint } from "./idempotent-create.ts";
import { todo } from "../../shared/checkpoint/todo.ts";

export interface PurchasesHandlerConfig {
  db: DynamoDBDocumentClient;
  tableName: string;
  /** Sent as `Access-Control-Allow-Origin` for a browser client, when set. */
  corsAllowOrigin?: string;
  now?: () => Date;
  logError?: (message: string, error: unknown) => void;
}

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** Who is calling, as the authorizer vouched for it. */
export interface Caller {
  tenantId: string;
  userId: string;
  role: Role;
}

/**
 * The caller from `requestContext.authorizer`, and from nowhere else: a
 * `tenantId` in the body, path, query or headers is never read.
 */
export function callerFrom(event: APIGatewayProxyEvent): Caller | undefined {
  // TODO 1: The caller, as the authorizer vouched for it, and from nowhere else: the body, path, query
  // and headers are the client's to choose. An event without a tenant or a user there has no caller
  // (the handler then answers 403). A role this API does not know must not give more than the least
  // privileged role has: fail closed.
  return todo("1: the caller, as the authorizer vouched for it");
}

export function createPurchasesHandler(config: PurchasesHandlerConfig): ProxyHandler {
  const now = config.now ?? (() => new Date());
  const newPurchaseId = monotonicFactory();
  const logError =
    config.logError ?? ((message, error) => console.error(JSON.stringify({ message, error: String(error) })));
  const cors: Record<string, string> = config.corsAllowOrigin
    ? { "Access-Control-Allow-Origin": config.corsAllowOrigin }
    : {};

  async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const caller = callerFrom(event);
    // No tenant in the context means the authorizer did not vouch for one: fail closed.
    if (!caller) return forbidden();
    const routeDef = ROUTES.find((r) => r.method === event.httpMethod && r.path === event.resource);
    if (!routeDef) return json(404, { message: "Not found" });
    // Defence in depth: the authorizer's policy already refused these; check again here.
    if (!routeDef.roles.includes(caller.role)) return forbidden();

    const purchases = new TenantPurchases(config.db, config.tableName, caller.tenantId);
    const purchaseId = event.pathParameters?.purchaseId;

    switch (`${routeDef.method} ${routeDef.path}`) {
      case "GET /purchases": {
        const page = parsePageRequest(event.queryStringParameters);
        if (!page.ok) return badRequest(page.errors);
        const { purchases: items, lastPurchaseId } = await purchases.list(page.value.limit, page.value.after);
        return json(200, {
          purchases: items,
          ...(lastPurchaseId ? { nextToken: encodeNextToken(lastPurchaseId) } : {}),
        });
      }
      case "POST /purchases": {
        if (isBodyTooLarge(event.body)) return payloadTooLarge();
        const parsed = parseNewPurchase(event.body);
        if (!parsed.ok) return badRequest(parsed.errors);
        const idempotencyKey = parseIdempotencyKey(event.headers);
        if (!idempotencyKey.ok) return badRequest(idempotencyKey.errors);
        const createdAt = now();
        const purchase: Purchase = {
          ...parsed.value,
          tenantId: caller.tenantId,
          purchaseId: newPurchaseId(createdAt.getTime()),
          createdBy: caller.userId,
          createdAt: createdAt.toISOString(),
        };
        const location = (p: Purchase) => ({ Location: `${event.requestContext.path ?? event.path}/${p.purchaseId}` });
        if (!idempotencyKey.value) {
          await purchases.create(purchase);
          return json(201, purchase, location(purchase));
        }
        const outcome = await createOnce(config.db, config.tableName, purchases, purchase, {
          key: idempotencyKey.value,
          fingerprint: requestFingerprint(caller.userId, parsed.value),
          now: createdAt,
        });
        if (outcome.kind === "conflict") return json(422, { message: outcome.message });
        const replayed: Record<string, string> = outcome.kind === "replayed" ? { "Idempotent-Replayed": "true" } : {};
        return json(201, outcome.purchase, { ...location(outcome.purchase), ...replayed });
      }
      case "GET /purchases/{purchaseId}": {
        // Another tenant's id is simply not found: existence is never revealed.
        const purchase = purchaseId && isPurchaseId(purchaseId) ? await purchases.get(purchaseId) : undefined;
        return purchase ? json(200, purchase) : notFound();
      }
      case "DELETE /purchases/{purchaseId}": {
        if (!purchaseId || !isPurchaseId(purchaseId)) return notFound();
        // Before the delete, so that a create retried later keeps it deleted (idempotent-create.ts).
        await leaveTombstone(config.db, config.tableName, caller.tenantId, purchaseId, now());
        return (await purchases.delete(purchaseId)) ? noContent() : notFound();
      }
      default:
        return json(404, { message: "Not found" });
    }
  }

  return async (event) => {
    try {
      const response = await route(event);
      return { ...response, headers: { ...response.headers, ...cors } };
    } catch (error) {
      logError("purchases handler failed", error);
      return json(500, { message: "Internal server error" }, cors);
    }
  };
}
