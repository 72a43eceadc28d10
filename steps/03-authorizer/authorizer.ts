/**
 * Flow steps 3 and 4: API Gateway hands the `Authorization` header to this
 * TOKEN authorizer; it verifies the Cognito ID token and answers with a policy
 * and context (built in step 04).
 */
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import type { CognitoIdTokenPayload, JwtPayload } from "aws-jwt-verify/jwt-model";
// Step 04's finished policy builder: this step is about verifying the token.
import { TENANT_ID_PATTERN } from "../../shared/runtime/purchases-api.ts";
import { buildTenantPolicy } from "../../solutions/04-policy-and-context/tenant-policy.ts";
import { todo } from "../../shared/checkpoint/todo.ts";

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
  // TODO 1: create the verifier HERE, once per cold start (inside the handler below, every request would download the JWKS again):
  //   CognitoJwtVerifier.create({ userPoolId, clientId, tokenUse: "id", customJwtCheck: checkExtraClaims }, jwksSource(config)), values from `config`;
  //   then load its keys now: `await verifier.hydrate()`, catching a failure and passing it to logRejection (verify() fetches the keys on demand).
  const verifier: IdTokenVerifier = todo("1: create the ID-token verifier once, at cold start, and hydrate its JWKS");

  return async (event) => {
    const claims = await verifyIdToken(verifier, tokenFromHeader(event.authorizationToken), logRejection);
    return buildPolicy(claims, event.methodArn);
  };
}

/** Accepts `Bearer <token>` and the bare token. */
export function tokenFromHeader(header: string | undefined): string {
  // TODO 2: return the token from `Bearer <token>` (any case: `bearer` too) or from a bare `<token>`, trimmed;
  //   `undefined`, "" and a lone "Bearer" give "" (the verifier then refuses it).
  return todo("2: take the token from the Authorization header (Bearer or bare)");
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
  // TODO 3: return `await verifier.verify(token)`; catch EVERY error, pass `${error.name}: ${error.message}` to logRejection
  //   (the reason goes to the logs, never to the caller) and throw new Error("Unauthorized"): that exact message, nothing else.
  return todo('3: verify the token; turn every failure into exactly Error("Unauthorized")');
}

/**
 * The time checks aws-jwt-verify leaves out (its `customJwtCheck` runs once the
 * signature, `exp`, `nbf` and `iss` passed, before `token_use` and the client id): it checks `exp` only when the
 * token has one, and never looks at `iat`.
 */
export function checkTokenTimes({ payload }: { payload: JwtPayload }): void {
  // TODO 4: throw an Error (any message: verifyIdToken turns it into "Unauthorized") when
  //   payload.exp is not a number (a token that never expires), payload.iat is not a number,
  //   or payload.iat is more than MAX_CLOCK_SKEW_SECONDS after now (Date.now() / 1000): a token from the future.
  todo("4: refuse a token without exp or iat, or issued in the future");
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
