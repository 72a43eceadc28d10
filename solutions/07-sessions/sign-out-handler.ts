/**
 * POST /sign-out, behind the Lambda authorizer (every role): ends the
 * caller's session, or every session of the caller, for Cognito and for this
 * API alike.
 *
 * - `{"refreshToken": "…"}`: this device. The refresh token is revoked at
 *   Cognito, and the session (`sessionId` in the authorizer's context, the
 *   token's `origin_jti`) is recorded as revoked, so the authorizer refuses
 *   its ID tokens too.
 * - `{"refreshToken": "…", "everywhere": true}`: every device. Cognito signs
 *   the user out globally, and a cut-off is recorded: every token
 *   authenticated until now is refused.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { z } from "zod";
import type { CognitoSignOut } from "./cognito-sessions.ts";
import type { RevocationWriter } from "./revocations.ts";

export interface SignOutHandlerConfig {
  revocations: RevocationWriter;
  cognito: CognitoSignOut;
  /**
   * How long a token of a signed-out session could still be presented: the
   * refresh token's lifetime plus an ID token's (the pool's settings). The
   * records live that long, then DynamoDB's TTL deletes them.
   */
  recordLifetimeSeconds: number;
  /** Milliseconds since the epoch. */
  now?: () => number;
  corsAllowOrigin?: string;
  logError?: (message: string, error: unknown) => void;
}

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

const SignOutRequest = z.strictObject({
  refreshToken: z.string().min(1, "must be the session's refresh token"),
  everywhere: z.boolean().optional(),
});

export function createSignOutHandler(config: SignOutHandlerConfig): ProxyHandler {
  const now = config.now ?? Date.now;
  const logError =
    config.logError ?? ((message, error) => console.error(JSON.stringify({ message, error: String(error) })));
  const cors: Record<string, string> = config.corsAllowOrigin
    ? { "Access-Control-Allow-Origin": config.corsAllowOrigin }
    : {};
  const json = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
    statusCode,
    headers: { "Content-Type": "application/json", ...cors },
    body: JSON.stringify(body),
  });

  return async (event) => {
    const { userId, sessionId } = (event.requestContext?.authorizer ?? {}) as Record<string, unknown>;
    // The authorizer vouches for the user and the session; without both, nothing can be signed out.
    if (typeof userId !== "string" || !userId || typeof sessionId !== "string" || !sessionId) {
      return json(403, { message: "Forbidden" });
    }
    const request = parseBody(event.body);
    if (!request.success) return json(400, { message: `Invalid request: ${request.error}` });
    const { refreshToken, everywhere } = request.data;
    try {
      const revokedAt = Math.floor(now() / 1000);
      const record = { revokedAt, expiresAt: revokedAt + config.recordLifetimeSeconds };
      // The record first: once it is written, the session's tokens are refused here, refreshed ones included.
      if (everywhere) {
        await config.revocations.revokeUser(userId, record);
        await config.cognito.signOutEverywhere(userId);
      } else {
        await config.revocations.revokeSession(sessionId, record);
        if (!(await config.cognito.revokeRefreshToken(refreshToken))) {
          return json(400, { message: "Invalid request: refreshToken is not a refresh token of this app" });
        }
      }
      return { statusCode: 204, headers: { ...cors }, body: "" };
    } catch (error) {
      logError("sign-out failed", error);
      return json(500, { message: "Internal server error" });
    }
  };
}

function parseBody(
  body: string | null,
): { success: true; data: z.infer<typeof SignOutRequest> } | { success: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(body ?? "");
  } catch {
    return { success: false, error: 'the body must be JSON: {"refreshToken": "…"}' };
  }
  const parsed = SignOutRequest.safeParse(value);
  if (parsed.success) return { success: true, data: parsed.data };
  const [issue] = parsed.error.issues;
  return { success: false, error: `${issue?.path.join(".") || "body"} ${issue?.message ?? "is not valid"}` };
}
