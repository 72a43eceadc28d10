/**
 * The step 03 authorizer, with the session check after it: the token is
 * verified first (so a forged token never costs a read), then its session is
 * looked up. A signed-out session is a 401, exactly as a bad token is. The
 * policy's context gains `sessionId`, so POST /sign-out knows which session
 * the caller is signing out.
 */
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import type { RevocationReader } from "./revocations.ts";
import { whyRefused as referenceWhyRefused, type SessionClaims } from "./session-check.ts";

export type TokenAuthorizer = (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

export interface SessionCheckOptions {
  records: RevocationReader;
  /** Default: session-check.ts's; the local stack passes a learner's. */
  whyRefused?: typeof referenceWhyRefused;
  /** Why a session was refused: logged, never returned to the caller. */
  logRejection?: (reason: string) => void;
}

export function withSessionCheck(authorizer: TokenAuthorizer, options: SessionCheckOptions): TokenAuthorizer {
  const whyRefused = options.whyRefused ?? referenceWhyRefused;
  const logRejection = options.logRejection ?? ((reason) => console.warn(JSON.stringify({ message: reason })));
  return async (event) => {
    // Throws Unauthorized for a bad token: nothing below runs for one.
    const result = await authorizer(event);
    const claims = verifiedClaims(event.authorizationToken);
    const reason = await whyRefused(claims, options.records);
    if (reason) {
      logRejection(`session refused: ${reason}`);
      throw new Error("Unauthorized");
    }
    if (!result.context || typeof claims.origin_jti !== "string") return result;
    return { ...result, context: { ...result.context, sessionId: claims.origin_jti } };
  };
}

/**
 * The claims of a token the authorizer has just accepted, so the signature
 * is already checked: `Bearer <token>` or the bare token.
 */
function verifiedClaims(header: string): SessionClaims {
  const token = header.trim().split(/\s+/).pop() ?? "";
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as SessionClaims;
}
