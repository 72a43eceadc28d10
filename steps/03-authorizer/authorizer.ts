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
  // TODO 1: build the verifier of this pool's ID tokens for this app client, so that:
  // - it exists once per cold start, not once per request: every new verifier has an empty JWKS cache and downloads
  //   the keys again (the checkpoint counts the downloads);
  // - it also runs the checks aws-jwt-verify leaves out (checkExtraClaims, below), and takes its keys from
  //   jwksSource(config) (the emulator's JWKS locally, Cognito's in AWS);
  // - the keys are loaded now, before the first request waits for them; yet a JWKS that cannot be downloaded at
  //   cold start must not stop the authorizer from starting (log why with logRejection: verify() retries).
  const verifier: IdTokenVerifier = todo("1: one ID-token verifier per cold start, its JWKS loaded");

  return async (event) => {
    const claims = await verifyIdToken(verifier, tokenFromHeader(event.authorizationToken), logRejection);
    return buildPolicy(claims, event.methodArn);
  };
}

/** Accepts `Bearer <token>` and the bare token. */
export function tokenFromHeader(header: string | undefined): string {
  // TODO 2: return the token alone, whether the client sent it after the Bearer scheme (RFC 6750; HTTP schemes are
  // case-insensitive) or bare, without the spaces around it.
  // - Pitfall: no header, an empty one and a lone "Bearer" are no token at all, not the token "Bearer". Return ""
  //   and let the verifier refuse it: a crash here happens outside any catch, and a crash is a 500.
  return todo("2: the token from the Authorization header, Bearer or bare");
}

/**
 * The verified claims; for any bad token, the outcome that API Gateway turns
 * into a 401 for the caller.
 */
export async function verifyIdToken(
  verifier: IdTokenVerifier,
  token: string,
  logRejection: (reason: string) => void,
): Promise<CognitoIdTokenPayload> {
  // TODO 3: return the verified claims, or make the caller's answer a 401 whatever was wrong with the token.
  // - Decide what a refusal throws or returns. API Gateway turns an authorizer's outcome into the caller's status
  //   code (the README's "TOKEN authorizer contract"): only one outcome is a 401, a Deny policy is a 403, and
  //   anything else, a bare verifier error included, is a 500. Which one tells a client "sign in again"?
  // - Why it was refused goes to logRejection, once, as `name: message`: your logs only, never the caller.
  return todo("3: a verified token gives its claims; any bad token is a 401");
}

/**
 * The time checks aws-jwt-verify leaves out (its `customJwtCheck` runs once the
 * signature, `exp`, `nbf` and `iss` passed, before `token_use` and the client id): it checks `exp` only when the
 * token has one, and never looks at `iat`.
 */
export function checkTokenTimes({ payload }: { payload: JwtPayload }): void {
  // TODO 4: throw (any Error: TODO 3 decides what the caller sees) unless the token says when it expires and when
  // it was issued, both as numbers, and was not issued in the future.
  // - A token that never expires, stolen once, works forever; Cognito always sets both claims.
  // - "The future" allows for this machine's clock running behind Cognito's: up to MAX_CLOCK_SKEW_SECONDS.
  todo("4: only a token with numeric exp and iat, not issued in the future, passes");
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
