/**
 * Test keys and tokens: RSA signing keys with their public JWK, a JWT signer
 * that can also forge every classic bad token (for the attack catalogue), and
 * realistic Cognito ID- and access-token claims.
 *
 * Everything is built by hand with `node:crypto` and `Buffer`, so a test sees
 * exactly which bytes go into a token.
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSign,
  generateKeyPairSync,
  randomUUID,
} from "node:crypto";
import type { JsonWebKey, KeyObject } from "node:crypto";
import { TEST_ONLY_RSA_PRIVATE_KEYS } from "./test-only-rsa-keys.ts";

/** A public RSA JWK as a JWKS lists it. */
export interface Jwk {
  kty: "RSA";
  n: string;
  e: string;
  kid: string;
  alg: string;
  use: "sig";
}

export interface Jwks {
  keys: Jwk[];
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as `{ kty, n, e, kid, alg: "RS256", use: "sig" }`. */
  jwk: Jwk;
  /** The public key as SPKI PEM (what an HS256-with-public-key attack keys its HMAC with). */
  publicKeyPem: string;
}

export interface CreateSigningKeyOptions {
  /** Defaults to a random id. */
  kid?: string;
  /** RSA modulus size in bits; 2048 unless given. */
  modulusLength?: number;
}

/** How many of the pre-generated test-only keys this process has handed out. */
let pooledKeysUsed = 0;

/**
 * A new signing key, different from every other key this process has made.
 * A 2048-bit key is one of the pre-generated test-only keys
 * (test-only-rsa-keys.ts), each handed out once per process, as long as they
 * last: generating one costs 100 to 500 ms of CPU. Other sizes, and the keys
 * after those, are generated.
 */
export function createSigningKey(options: CreateSigningKeyOptions = {}): SigningKey {
  const kid = options.kid ?? `test-key-${randomUUID()}`;
  const modulusLength = options.modulusLength ?? 2048;
  const pem = modulusLength === 2048 ? TEST_ONLY_RSA_PRIVATE_KEYS[pooledKeysUsed] : undefined;
  if (pem !== undefined) pooledKeysUsed += 1;
  const { privateKey, publicKey } =
    pem !== undefined
      ? { privateKey: createPrivateKey(pem), publicKey: createPublicKey(pem) }
      : generateKeyPairSync("rsa", { modulusLength, publicExponent: 0x10001 });
  const exported = publicKey.export({ format: "jwk" }) as JsonWebKey;
  if (typeof exported.n !== "string" || typeof exported.e !== "string") {
    throw new Error("node:crypto did not export an RSA public JWK");
  }
  return {
    kid,
    privateKey,
    publicKey,
    jwk: { kty: "RSA", n: exported.n, e: exported.e, kid, alg: "RS256", use: "sig" },
    publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
  };
}

/** `{ keys: [...] }` from signing keys or JWKs. */
export function jwksOf(keys: readonly (SigningKey | Jwk)[]): Jwks {
  return { keys: keys.map((key) => ("jwk" in key ? key.jwk : key)) };
}

// ---------------------------------------------------------------------------
// base64url and JWT encoding

export function base64UrlEncode(input: string | Uint8Array): string {
  return Buffer.from(input).toString("base64").replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

export function base64UrlDecode(input: string): Buffer {
  const base64 = input.replace(/-/g, "+").replace(/_/g, "/");
  return Buffer.from(base64 + "=".repeat((4 - (base64.length % 4)) % 4), "base64");
}

export function base64UrlEncodeJson(value: unknown): string {
  return base64UrlEncode(JSON.stringify(value));
}

/**
 * How the signature segment is computed; independent of the header's `alg`,
 * so a test can lie in the header (e.g. `alg: "none"` over an RS256 signature).
 *
 * - `RS256` / `RS384` / `RS512`: RSASSA-PKCS1-v1_5 with the key's private key
 *   (the key's JWK says RS256 whatever is used here).
 * - `HS256` / `HS384` / `HS512`: HMAC keyed with `hmacSecret` (default: the
 *   key's public PEM, the classic algorithm-confusion attack).
 * - `none`: an empty signature segment.
 */
export type SigningAlgorithm = "RS256" | "RS384" | "RS512" | "HS256" | "HS384" | "HS512" | "none";

export type JwtHeader = Record<string, unknown>;
export type JwtPayload = Record<string, unknown>;

export interface SignJwtOptions {
  payload: JwtPayload;
  /**
   * Header fields merged over the defaults `{ alg: algorithm, typ: "JWT", kid: key.kid }`.
   * A field set to `undefined` is left out (e.g. `{ kid: undefined }` for a token without kid).
   * Anything may go here: `jwk`, `jku`, `x5u`, `crit`, a lying `alg`...
   */
  header?: JwtHeader;
  /** Needed for the RS algorithms; supplies the default `kid` and the default HMAC secret. */
  key?: SigningKey;
  /** Defaults to RS256. */
  algorithm?: SigningAlgorithm;
  /** The HMAC key for HS algorithms; defaults to `key.publicKeyPem`. */
  hmacSecret?: string | Uint8Array;
  /**
   * Replaces the computed signature segment as is (base64url text). `""`
   * gives a token ending in `.`; useful for `alg: none` variants.
   */
  signatureOverride?: string;
}

const HASH_OF: Record<Exclude<SigningAlgorithm, "none">, string> = {
  RS256: "sha256",
  RS384: "sha384",
  RS512: "sha512",
  HS256: "sha256",
  HS384: "sha384",
  HS512: "sha512",
};

/** Signs (or forges) a compact JWT: `base64url(header).base64url(payload).signature`. */
export function signJwt(options: SignJwtOptions): string {
  const algorithm = options.algorithm ?? "RS256";
  const header = withoutUndefined({ alg: algorithm, typ: "JWT", kid: options.key?.kid, ...options.header });
  const signingInput = `${base64UrlEncodeJson(header)}.${base64UrlEncodeJson(options.payload)}`;
  const signature = options.signatureOverride ?? signatureOf(signingInput, algorithm, options);
  return `${signingInput}.${signature}`;
}

function signatureOf(signingInput: string, algorithm: SigningAlgorithm, options: SignJwtOptions): string {
  if (algorithm === "none") return "";
  const hash = HASH_OF[algorithm];
  if (algorithm.startsWith("HS")) {
    const secret = options.hmacSecret ?? options.key?.publicKeyPem;
    if (secret === undefined) throw new Error(`${algorithm} needs a key or an hmacSecret`);
    return base64UrlEncode(createHmac(hash, secret).update(signingInput).digest());
  }
  if (!options.key) throw new Error(`${algorithm} needs a key`);
  return base64UrlEncode(createSign(hash).update(signingInput).sign(options.key.privateKey));
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

export interface DecodedJwt {
  header: JwtHeader;
  payload: JwtPayload;
  signature: string;
}

/** Decodes without verifying (for tests that inspect or rewrite a token). */
export function decodeJwt(token: string): DecodedJwt {
  const [header, payload, signature] = token.split(".");
  if (header === undefined || payload === undefined || signature === undefined) {
    throw new Error("Not a compact JWT");
  }
  return {
    header: JSON.parse(base64UrlDecode(header).toString("utf8")) as JwtHeader,
    payload: JSON.parse(base64UrlDecode(payload).toString("utf8")) as JwtPayload,
    signature,
  };
}

/**
 * The same token with its payload rewritten and its original header and
 * signature kept: a tampered token whose signature no longer matches.
 */
export function tamperPayload(token: string, changes: JwtPayload): string {
  const [header, , signature] = token.split(".");
  const { payload } = decodeJwt(token);
  return `${header}.${base64UrlEncodeJson({ ...payload, ...changes })}.${signature}`;
}

/** The same token with its header rewritten, payload and signature kept. */
export function tamperHeader(token: string, changes: JwtHeader): string {
  const [, payload, signature] = token.split(".");
  const { header } = decodeJwt(token);
  return `${base64UrlEncodeJson(withoutUndefined({ ...header, ...changes }))}.${payload}.${signature}`;
}

// ---------------------------------------------------------------------------
// Cognito claims

export interface CognitoClaimsOptions {
  region: string;
  /** AWS-shaped, like `us-east-1_AbCdEf123` (aws-jwt-verify refuses others). */
  userPoolId: string;
  clientId: string;
  sub?: string;
  email?: string;
  /** `custom:tenantId`; left out when not given (a user no operator assigned to a tenant). */
  tenantId?: string;
  /** `cognito:groups`; left out when empty or not given (as Cognito does). */
  groups?: string[];
  /** Seconds since the epoch; defaults to now. */
  now?: number;
  /** Lifetime; 3600 (Cognito's default of one hour) unless given. */
  ttlSeconds?: number;
  /** `cognito:username` / `username`; defaults to the sub (email sign-in pools use the sub). */
  username?: string;
  /** Overrides `iss` (default: the regional Cognito issuer of the pool). */
  issuer?: string;
}

export function cognitoIssuer(region: string, userPoolId: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

function timesOf(options: CognitoClaimsOptions) {
  const iat = options.now ?? Math.floor(Date.now() / 1000);
  return { auth_time: iat, iat, exp: iat + (options.ttlSeconds ?? 3600) };
}

/** An ID token's payload as Cognito issues it after a password sign-in. */
export function cognitoIdTokenClaims(options: CognitoClaimsOptions): JwtPayload {
  const sub = options.sub ?? randomUUID();
  const email = options.email ?? `user-${sub.slice(0, 8)}@example.com`;
  return withoutUndefined({
    sub,
    ...(options.groups && options.groups.length > 0 ? { "cognito:groups": [...options.groups] } : {}),
    email_verified: true,
    iss: options.issuer ?? cognitoIssuer(options.region, options.userPoolId),
    "cognito:username": options.username ?? sub,
    origin_jti: randomUUID(),
    aud: options.clientId,
    event_id: randomUUID(),
    token_use: "id",
    ...timesOf(options),
    jti: randomUUID(),
    email,
    "custom:tenantId": options.tenantId,
  });
}

/** An access token's payload: `client_id` instead of `aud`, no custom attributes. */
export function cognitoAccessTokenClaims(options: CognitoClaimsOptions & { scope?: string }): JwtPayload {
  const sub = options.sub ?? randomUUID();
  return {
    sub,
    ...(options.groups && options.groups.length > 0 ? { "cognito:groups": [...options.groups] } : {}),
    iss: options.issuer ?? cognitoIssuer(options.region, options.userPoolId),
    client_id: options.clientId,
    origin_jti: randomUUID(),
    event_id: randomUUID(),
    token_use: "access",
    scope: options.scope ?? "aws.cognito.signin.user.admin",
    ...timesOf(options),
    jti: randomUUID(),
    username: options.username ?? sub,
  };
}
