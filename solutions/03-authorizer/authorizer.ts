/**
 * Flow steps 3 and 4: API Gateway hands the `Authorization` header to this
 * TOKEN authorizer; it verifies the Cognito ID token and answers with a policy
 * and context (built in step 04).
 */
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { buildTenantPolicy } from "../04-policy-and-context/tenant-policy.ts";

export interface AuthorizerConfig {
  userPoolId: string;
  /** The app client whose ID tokens are accepted (the token's `aud`). */
  clientId: string;
  /**
   * Where to fetch the JWKS from, when not from Cognito itself (the local
   * stack's emulator). The verifier still checks the real Cognito issuer.
   */
  jwksUrl?: string;
  /** Why a token was refused: logged, never returned to the caller. */
  logRejection?: (reason: string) => void;
}

export type TokenAuthorizer = (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

/**
 * Creates the verifier once, at cold start, and loads the JWKS then, so no
 * request pays for the download. Returns the handler.
 */
export async function createAuthorizer(config: AuthorizerConfig): Promise<TokenAuthorizer> {
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: config.userPoolId, clientId: config.clientId, tokenUse: "id" },
    config.jwksUrl ? { jwksCache: jwksCacheFetchingFrom(config.jwksUrl) } : undefined,
  );
  const logRejection = config.logRejection ?? ((reason) => console.warn(JSON.stringify({ message: "token rejected", reason })));
  // A failed download is not fatal: verify() fetches the JWKS again on demand.
  await verifier.hydrate().catch((error: unknown) => logRejection(`JWKS not loaded at start: ${String(error)}`));

  return async (event) => {
    let claims;
    try {
      claims = await verifier.verify(tokenFromHeader(event.authorizationToken));
    } catch (error) {
      logRejection(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      // Exactly this message: API Gateway turns it into a 401; anything else is a 500.
      throw new Error("Unauthorized");
    }
    return buildTenantPolicy(claims, event.methodArn);
  };
}

/** Accepts `Bearer <token>` and the bare token. */
export function tokenFromHeader(header: string | undefined): string {
  const value = (header ?? "").trim();
  const bearer = /^Bearer(?:\s+(.*))?$/i.exec(value);
  return (bearer ? (bearer[1] ?? "") : value).trim();
}

/**
 * A JWKS cache that fetches from another URL than the verifier's (Cognito's).
 * The verifier knows two issuer URLs per pool and hydrates both at once; here
 * both are the one local URL, so concurrent downloads share one request.
 */
function jwksCacheFetchingFrom(jwksUrl: string): SimpleJwksCache {
  let inFlight: Promise<ArrayBuffer> | undefined;
  const download = async () => {
    const response = await fetch(jwksUrl);
    if (!response.ok) throw new Error(`JWKS download failed: HTTP ${response.status}`);
    return response.arrayBuffer();
  };
  return new SimpleJwksCache({
    fetcher: {
      fetch() {
        inFlight ??= download().finally(() => (inFlight = undefined));
        return inFlight;
      },
    },
  });
}
