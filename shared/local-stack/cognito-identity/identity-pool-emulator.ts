/**
 * A local Cognito Identity endpoint for one identity pool (the "enhanced"
 * flow): `GetId` and `GetCredentialsForIdentity`, JSON 1.1 over HTTP with
 * `X-Amz-Target: AWSCognitoIdentityService.<Operation>`, as
 * @aws-sdk/client-cognito-identity calls them.
 *
 * It trusts only the user pools configured as the pool's providers
 * (`cognito-idp.<region>.amazonaws.com/<userPoolId>` → app client id), has no
 * unauthenticated identities, verifies each ID token with the caller's verifier
 * (the real one is aws-jwt-verify's CognitoJwtVerifier, as the authorizer's),
 * and issues temporary credentials for the authenticated role, tagged with the
 * principal tags mapped from the token's claims and registered where the IAM
 * gates look callers up. Refusals are Cognito Identity's exception names and
 * messages.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { CredentialsRegistry } from "../iam/credentials-registry.ts";
import { listenOnLoopback } from "../loopback-server.ts";

export type TokenClaims = Record<string, unknown>;

export interface IdentityPoolEmulatorOptions {
  /** `<region>:<uuid>`. */
  identityPoolId: string;
  /** The pool's authentication providers: `cognito-idp.<region>.amazonaws.com/<userPoolId>` → app client id. */
  providers: Readonly<Record<string, string>>;
  /** The authenticated role the credentials are for. */
  roleArn: string;
  /** Principal tags from token claims ("attributes for access control"), e.g. `{ tenantId: "custom:tenantId" }`. */
  principalTags?: Readonly<Record<string, string>>;
  /** Verifies an ID token (signature, issuer, audience, expiry, token use) and returns its claims; throws if invalid. */
  verify(idToken: string): Promise<TokenClaims>;
  /** Where the issued credentials are registered. */
  credentials: Pick<CredentialsRegistry, "issue">;
  /** How long credentials last; Cognito Identity's are valid for one hour. */
  credentialDurationSeconds?: number;
  port?: number;
  /** Milliseconds since the epoch. */
  clock?: () => number;
}

export interface IdentityPoolEmulator {
  endpoint: string;
  close(): Promise<void>;
}

const TARGET_PREFIX = "AWSCognitoIdentityService.";
const CONTENT_TYPE = "application/x-amz-json-1.1";

class IdentityError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const notAuthorized = (message: string) => new IdentityError("NotAuthorizedException", message);
const UNAUTHENTICATED = "Unauthenticated access is not supported for this identity pool.";
const UNSUPPORTED_PROVIDER = "Token is not from a supported provider of this identity pool.";

export async function startIdentityPoolEmulator(options: IdentityPoolEmulatorOptions): Promise<IdentityPoolEmulator> {
  const clock = options.clock ?? Date.now;
  const region = options.identityPoolId.split(":")[0] ?? "";
  /** The identities GetId has given out: identity id → (provider, sub). */
  const identities = new Map<string, { provider: string; sub: string }>();

  /** Every login verified as the identity pool does; the (provider, sub) of the first. */
  async function authenticate(logins: unknown): Promise<{ provider: string; sub: string; claims: TokenClaims }> {
    if (typeof logins !== "object" || logins === null || Object.keys(logins).length === 0) {
      throw notAuthorized(UNAUTHENTICATED);
    }
    let first: { provider: string; sub: string; claims: TokenClaims } | undefined;
    for (const [provider, token] of Object.entries(logins as Record<string, unknown>)) {
      const clientId = options.providers[provider];
      if (clientId === undefined) throw notAuthorized(UNSUPPORTED_PROVIDER);
      const claims = await verifiedClaims(provider, clientId, token);
      first ??= { provider, sub: String(claims.sub), claims };
    }
    return first!;
  }

  async function verifiedClaims(provider: string, clientId: string, token: unknown): Promise<TokenClaims> {
    // Cognito Identity's own checks first, for its messages; then the verifier decides.
    const unverified = typeof token === "string" ? decodePayload(token) : undefined;
    if (!unverified) throw notAuthorized("Invalid login token. Not a valid OpenId Connect identity token.");
    if (unverified.iss !== `https://${provider}`)
      throw notAuthorized("Invalid login token. Issuer doesn't match providerName");
    if (unverified.aud === undefined) throw notAuthorized("Invalid login token. Missing a required claim: aud");
    if (unverified.aud !== clientId) throw notAuthorized(UNSUPPORTED_PROVIDER);
    const now = Math.floor(clock() / 1000);
    if (typeof unverified.exp === "number" && now >= unverified.exp) {
      throw notAuthorized(`Invalid login token. Token expired: ${now} >= ${unverified.exp}`);
    }
    let claims: TokenClaims;
    try {
      claims = await options.verify(token as string);
    } catch {
      throw notAuthorized("Invalid login token. Couldn't verify signed token.");
    }
    if (typeof claims.sub !== "string") throw notAuthorized("Invalid login token. Missing a required claim: sub");
    return claims;
  }

  function checkPool(poolId: unknown): void {
    if (poolId !== options.identityPoolId) {
      throw new IdentityError("ResourceNotFoundException", `IdentityPool '${String(poolId)}' not found.`);
    }
  }

  /** Stable per (pool, provider, sub), as Cognito keeps one identity per login. */
  function identityIdOf(provider: string, sub: string): string {
    const hex = createHash("sha256").update(`${options.identityPoolId}\n${provider}\n${sub}`).digest("hex");
    const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    return `${region}:${uuid}`;
  }

  const operations: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    async GetId(body) {
      checkPool(body.IdentityPoolId);
      const { provider, sub } = await authenticate(body.Logins);
      const identityId = identityIdOf(provider, sub);
      identities.set(identityId, { provider, sub });
      return { IdentityId: identityId };
    },
    async GetCredentialsForIdentity(body) {
      const identityId = body.IdentityId;
      const known = typeof identityId === "string" ? identities.get(identityId) : undefined;
      if (!known || typeof identityId !== "string") {
        throw new IdentityError("ResourceNotFoundException", `Identity '${String(identityId)}' not found.`);
      }
      if (body.CustomRoleArn !== undefined && body.CustomRoleArn !== options.roleArn) {
        throw new IdentityError(
          "InvalidParameterException",
          "CustomRoleArn is not supported by the local identity pool.",
        );
      }
      const { provider, sub, claims } = await authenticate(body.Logins);
      if (identityIdOf(provider, sub) !== identityId) {
        throw notAuthorized(
          "Logins don't match. Please include at least one valid login for this identity or identity pool.",
        );
      }
      const principalTags: Record<string, string> = {};
      for (const [tag, claim] of Object.entries(options.principalTags ?? {})) {
        const value = claims[claim];
        if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
          principalTags[tag] = String(value);
        }
      }
      const issued = options.credentials.issue({
        session: {
          roleArn: options.roleArn,
          sessionName: "CognitoIdentityCredentials",
          principalTags,
          identityId,
          identityPoolId: options.identityPoolId,
        },
        durationSeconds: options.credentialDurationSeconds ?? 3600,
        now: clock(),
      });
      return {
        IdentityId: identityId,
        Credentials: {
          AccessKeyId: issued.accessKeyId,
          SecretKey: issued.secretAccessKey,
          SessionToken: issued.sessionToken,
          // JSON 1.1 timestamps are seconds since the epoch.
          Expiration: Math.floor(issued.expiration!.getTime() / 1000),
        },
      };
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith(TARGET_PREFIX) ? operations[target.slice(TARGET_PREFIX.length)] : undefined;
    if (req.method !== "POST" || !operation) {
      throw new IdentityError(
        "UnknownOperationException",
        `${target || "(no target)"} is not supported by the local identity pool.`,
      );
    }
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw || "{}");
      body = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      throw new IdentityError("SerializationException", "Start of structure or map found where not expected.");
    }
    send(res, 200, await operation(body));
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      handle(req, res, Buffer.concat(chunks).toString("utf8")).catch((error: unknown) => {
        const refusal =
          error instanceof IdentityError ? error : new IdentityError("InternalErrorException", String(error), 500);
        send(res, refusal.status, { __type: refusal.type, message: refusal.message });
      });
    });
  });
  return listenOnLoopback(server, options.port);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      "content-type": CONTENT_TYPE,
      "content-length": Buffer.byteLength(text),
      "x-amzn-requestid": randomUUID(),
    })
    .end(text);
}

/** A JWT's payload, unverified; undefined if the token is not a JWT. */
function decodePayload(token: string): TokenClaims | undefined {
  const [, payload] = token.split(".");
  if (!payload || token.split(".").length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return typeof claims === "object" && claims !== null ? (claims as TokenClaims) : undefined;
  } catch {
    return undefined;
  }
}
