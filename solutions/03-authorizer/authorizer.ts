/**
 * Flow steps 3 and 4: API Gateway hands the `Authorization` header to this
 * TOKEN authorizer; it verifies the Cognito ID token and answers with a policy
 * and context (built in step 04).
 */
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import type { CognitoIdTokenPayload, JwtPayload } from "aws-jwt-verify/jwt-model";
import { TENANT_ID_PATTERN } from "../../shared/runtime/purchases-api.ts";
// Given (step 04's builder, re-exported): this step is about verifying the token.
import { buildTenantPolicy } from "./tenant-policy.ts";

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
  /**
   * Turns the verified claims into the policy and context. Default: step 04's
   * buildTenantPolicy; the local stack passes a learner's (`npm run local`).
   */
  buildPolicy?: typeof buildTenantPolicy;
}

export type TokenAuthorizer = (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

/** What the handler needs of the verifier: a `CognitoJwtVerifier` for ID tokens fits. */
export interface IdTokenVerifier {
  verify(idToken: string): Promise<CognitoIdTokenPayload>;
  hydrate(): Promise<void>;
}

/** How far a token's `iat` may be ahead of this machine's clock. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

/**
 * Creates the verifier once, at cold start, and loads the JWKS then, so no
 * request pays for the download. Returns the handler.
 */
export async function createAuthorizer(config: AuthorizerConfig): Promise<TokenAuthorizer> {
  const logRejection =
    config.logRejection ?? ((reason) => console.warn(JSON.stringify({ message: "token rejected", reason })));
  const buildPolicy = config.buildPolicy ?? buildTenantPolicy;
  // Outside the handler: one verifier, and one JWKS cache, per Lambda instance.
  const verifier: IdTokenVerifier = CognitoJwtVerifier.create(
    { userPoolId: config.userPoolId, clientId: config.clientId, tokenUse: "id", customJwtCheck: checkExtraClaims },
    jwksSource(config),
  );
  // A failed download is not fatal: verify() fetches the JWKS again on demand.
  await verifier.hydrate().catch((error: unknown) => logRejection(`JWKS not loaded at start: ${String(error)}`));

  return async (event) => {
    const claims = await verifyIdToken(verifier, tokenFromHeader(event.authorizationToken), logRejection);
    return buildPolicy(claims, event.methodArn);
  };
}

/** Accepts `Bearer <token>` and the bare token. */
export function tokenFromHeader(header: string | undefined): string {
  const value = (header ?? "").trim();
  const bearer = /^Bearer(?:\s+(.*))?$/i.exec(value);
  return (bearer ? (bearer[1] ?? "") : value).trim();
}

/**
 * The verified claims, or exactly `Error("Unauthorized")` whatever went wrong:
 * API Gateway answers 401 to that message and 500 to any other error.
 */
export async function verifyIdToken(
  verifier: IdTokenVerifier,
  token: string,
  logRejection: (reason: string) => void,
): Promise<CognitoIdTokenPayload> {
  try {
    return await verifier.verify(token);
  } catch (error) {
    logRejection(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    // Exactly this message: API Gateway turns it into a 401; anything else is a 500.
    throw new Error("Unauthorized");
  }
}

/**
 * The time checks aws-jwt-verify leaves out (its `customJwtCheck` runs once the
 * signature, `exp`, `nbf` and `iss` passed, before `token_use` and the client id): it checks `exp` only when the
 * token has one, and never looks at `iat`.
 */
export function checkTokenTimes({ payload }: { payload: JwtPayload }): void {
  if (typeof payload.exp !== "number") throw new Error("JWT has no exp claim: a token that never expires is refused");
  if (typeof payload.iat !== "number") throw new Error("JWT has no iat claim");
  const now = Date.now() / 1000;
  if (payload.iat > now + MAX_CLOCK_SKEW_SECONDS) {
    throw new Error(`JWT issued in the future, at ${new Date(payload.iat * 1000).toISOString()}`);
  }
}

/**
 * A `custom:tenantId` the token carries must be a tenant id an operator could
 * have assigned: never empty, never another type, never outside the pattern
 * (the id ends up in keys and logs). A token with no tenant at all passes
 * here: the policy answers it with an explicit Deny (403).
 */
export function checkTenantClaim({ payload }: { payload: JwtPayload }): void {
  if (!("custom:tenantId" in payload)) return;
  const tenantId = payload["custom:tenantId"];
  if (typeof tenantId !== "string" || !TENANT_ID_PATTERN.test(tenantId)) {
    throw new Error("custom:tenantId is not a valid tenant id");
  }
}

/** What aws-jwt-verify does not check for us, run as its `customJwtCheck`. */
export function checkExtraClaims(props: { payload: JwtPayload }): void {
  checkTokenTimes(props);
  checkTenantClaim(props);
}

/**
 * The verifier's key source: Cognito itself in AWS (no option needed); the
 * emulator's JWKS URL locally.
 */
function jwksSource(config: AuthorizerConfig): { jwksCache: SimpleJwksCache } | undefined {
  return config.jwksUrl ? { jwksCache: jwksCacheFetchingFrom(config.jwksUrl) } : undefined;
}

/**
 * A JWKS cache that fetches from another URL than the verifier's (Cognito's).
 * The verifier knows two issuer URLs per pool and hydrates both at once; here
 * both are the one local URL, so concurrent downloads share one request.
 */
export function jwksCacheFetchingFrom(jwksUrl: string): SimpleJwksCache {
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
