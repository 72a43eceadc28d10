/**
 * A COGNITO_USER_POOLS authorizer, as API Gateway runs it for a REST API
 * method: the token in the `Authorization` header must be one the user pool
 * issued for the app client, unexpired and correctly signed. A method without
 * authorization scopes accepts an ID token only (an access token needs a
 * scope the method lists), so the verifier checks `token_use` = `id` and
 * `aud` = the app client, with aws-jwt-verify as the Lambda authorizer does.
 * Any failure is API Gateway's 401 `{"message":"Unauthorized"}`.
 *
 * The integration receives the claims in `requestContext.authorizer.claims`,
 * every value a string, as captured REST API events show them: numbers and
 * booleans as their text, `exp` and `iat` as dates (`Tue Apr 04 18:39:39 UTC
 * 2023`), a one-group `cognito:groups` as the group's name.
 */
import { CognitoJwtVerifier } from "aws-jwt-verify";
import type { JwtPayload } from "aws-jwt-verify/jwt-model";
// The same JWKS cache as the Lambda authorizer's, on the emulator's URL.
import { jwksCacheFetchingFrom } from "../../../solutions/03-authorizer/authorizer.ts";

export interface CognitoUserPoolAuthorizerOptions {
  userPoolId: string;
  /** The app client whose ID tokens are accepted (the token's `aud`). */
  clientId: string;
  /** Where to fetch the pool's JWKS (the emulator's); the issuer checked is still Cognito's. */
  jwksUrl: string;
}

export type CognitoVerification = { ok: true; claims: Record<string, string> } | { ok: false; reason: string };

export type CognitoUserPoolAuthorizer = (authorizationHeader: string) => Promise<CognitoVerification>;

export function createCognitoUserPoolAuthorizer(options: CognitoUserPoolAuthorizerOptions): CognitoUserPoolAuthorizer {
  const verifier = CognitoJwtVerifier.create(
    // No scopes on the method: an ID token, for this app client.
    { userPoolId: options.userPoolId, clientId: options.clientId, tokenUse: "id" },
    { jwksCache: jwksCacheFetchingFrom(options.jwksUrl) },
  );
  return async (authorizationHeader) => {
    try {
      const payload = await verifier.verify(tokenFrom(authorizationHeader));
      return { ok: true, claims: claimsForEvent(payload) };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  };
}

/** `Bearer <token>` or the bare token. */
function tokenFrom(header: string): string {
  const value = header.trim();
  const bearer = /^Bearer\s+(.*)$/i.exec(value);
  return (bearer ? (bearer[1] ?? "") : value).trim();
}

/**
 * The claims as a REST API hands them to a Lambda proxy integration: strings.
 * The multi-group form (joined with `,` here) is not confirmed against AWS.
 */
export function claimsForEvent(payload: JwtPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    if ((name === "exp" || name === "iat") && typeof value === "number") claims[name] = javaDate(value);
    else if (Array.isArray(value)) claims[name] = value.map(String).join(",");
    else if (typeof value === "object") claims[name] = JSON.stringify(value);
    else claims[name] = String(value);
  }
  return claims;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Seconds since the epoch as `Tue Apr 04 18:39:39 UTC 2023` (Java's Date.toString in UTC). */
function javaDate(seconds: number): string {
  const date = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`
  );
}
