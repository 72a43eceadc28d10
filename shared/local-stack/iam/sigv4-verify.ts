/**
 * Verifies an incoming request's `Authorization: AWS4-HMAC-SHA256 …` header
 * the way an AWS service does, by signing the request again with the AWS SDK's
 * own signer (`SignatureV4` from @smithy/signature-v4, with the SHA-256 the SDK
 * uses) and the secret registered for the access key, then comparing.
 *
 * Refusals carry AWS's exception names and messages (the signing troubleshooting
 * page of the IAM User Guide, and the messages DynamoDB answers with):
 * MissingAuthenticationTokenException, IncompleteSignatureException,
 * UnrecognizedClientException (unknown key, missing or wrong session token),
 * ExpiredTokenException, InvalidSignatureException (scope, clock skew beyond
 * 15 minutes, signature). Only header signing is supported: presigned URLs
 * (`X-Amz-Signature` in the query), the `Date` header instead of
 * `X-Amz-Date`, chunked payloads and SigV4a are refused.
 */
import { timingSafeEqual } from "node:crypto";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";

export interface IncomingSignedRequest {
  method: string;
  /** The path exactly as it came on the wire (still percent-encoded), without the query. */
  path: string;
  /** The raw query string, without `?`. */
  query?: string;
  /** Header names in any case; repeated headers as arrays. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  body: Uint8Array;
}

/** What the verifier needs to know of a caller's credentials. */
export interface SigningSecret {
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface SigV4VerifyOptions<T extends SigningSecret> {
  /** The signing name the credential scope must name, e.g. `dynamodb`, `execute-api`. */
  service: string;
  region: string;
  /** The caller's credentials by access key id; undefined for a key that does not exist. */
  lookup(accessKeyId: string): T | undefined;
  /** Milliseconds since the epoch. */
  clock?: () => number;
}

export type SigV4ErrorCode =
  | "MissingAuthenticationTokenException"
  | "IncompleteSignatureException"
  | "UnrecognizedClientException"
  | "ExpiredTokenException"
  | "InvalidSignatureException";

export type SigV4Verification<T> =
  | { ok: true; accessKeyId: string; credentials: T; signedHeaders: string[] }
  | { ok: false; code: SigV4ErrorCode; message: string };

export const INVALID_TOKEN = "The security token included in the request is invalid.";
export const EXPIRED_TOKEN = "The security token included in the request is expired";
export const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

const ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_SKEW_MS = 15 * 60 * 1000;

export async function verifySigV4<T extends SigningSecret>(
  request: IncomingSignedRequest,
  options: SigV4VerifyOptions<T>,
): Promise<SigV4Verification<T>> {
  const refuse = (code: SigV4ErrorCode, message: string) => ({ ok: false, code, message }) as const;
  const headers = lowerCased(request.headers);
  const authorization = headers.authorization;
  if (authorization === undefined) {
    if (/(^|&)X-Amz-Signature=/i.test(request.query ?? "")) {
      return refuse("IncompleteSignatureException", "Presigned requests are not supported by the local stack.");
    }
    return refuse("MissingAuthenticationTokenException", "Request is missing Authentication Token");
  }

  // "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…"
  const [algorithm = "", ...rest] = authorization.trim().split(/\s+/);
  const parameters = new Map<string, string>();
  for (const part of rest.join(" ").split(",")) {
    const [name, ...value] = part.trim().split("=");
    if (name) parameters.set(name, value.join("="));
  }
  const credential = parameters.get("Credential");
  const signedHeaderList = parameters.get("SignedHeaders");
  const signature = parameters.get("Signature");
  const amzDate = headers["x-amz-date"];
  const missing = [
    ...(credential ? [] : ["Authorization header requires 'Credential' parameter."]),
    ...(signature ? [] : ["Authorization header requires 'Signature' parameter."]),
    ...(signedHeaderList ? [] : ["Authorization header requires 'SignedHeaders' parameter."]),
    ...(amzDate || headers.date
      ? []
      : ["Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."]),
  ];
  if (algorithm === ALGORITHM && missing.length > 0) {
    return refuse("IncompleteSignatureException", `${missing.join(" ")} Authorization=${authorization}`);
  }
  if (algorithm !== ALGORITHM) {
    return refuse("IncompleteSignatureException", `Unsupported AWS 'algorithm': '${algorithm}'`);
  }
  if (!credential || !signedHeaderList || !signature) throw new Error("unreachable");
  if (amzDate === undefined) {
    return refuse("IncompleteSignatureException", "The local stack supports X-Amz-Date only, not the Date header.");
  }

  const signingDate = parseAmzDate(amzDate);
  if (!signingDate) {
    return refuse(
      "IncompleteSignatureException",
      `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  const now = (options.clock ?? Date.now)();
  if (signingDate.getTime() < now - MAX_SKEW_MS) {
    return refuse(
      "InvalidSignatureException",
      `Signature expired: ${amzDate} is now earlier than ${basic(now - MAX_SKEW_MS)} (${basic(now)} - 15 min.)`,
    );
  }
  if (signingDate.getTime() > now + MAX_SKEW_MS) {
    return refuse(
      "InvalidSignatureException",
      `Signature not yet current: ${amzDate} is still later than ${basic(now + MAX_SKEW_MS)} (${basic(now)} + 15 min.)`,
    );
  }

  // Credential=<key>/<yyyymmdd>/<region>/<service>/aws4_request
  const [accessKeyId = "", scopeDate = "", scopeRegion = "", scopeService = "", terminator = ""] =
    credential.split("/");
  const secret = options.lookup(accessKeyId);
  if (!secret) return refuse("UnrecognizedClientException", INVALID_TOKEN);
  const sentToken = headers["x-amz-security-token"];
  if ((secret.sessionToken ?? undefined) !== sentToken) return refuse("UnrecognizedClientException", INVALID_TOKEN);
  if (secret.expiration && secret.expiration.getTime() <= now) return refuse("ExpiredTokenException", EXPIRED_TOKEN);

  const scopeProblems = [
    ...(scopeRegion === options.region
      ? []
      : [`Credential should be scoped to a valid region, not '${scopeRegion}'. `]),
    ...(scopeService === options.service
      ? []
      : [`Credential should be scoped to correct service: '${options.service}'. `]),
    ...(terminator === "aws4_request"
      ? []
      : [`Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `]),
    ...(scopeDate === amzDate.slice(0, 8)
      ? []
      : [
          `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
        ]),
  ];
  if (scopeProblems.length > 0) return refuse("InvalidSignatureException", scopeProblems.join(""));

  const signedHeaders = signedHeaderList.split(";");
  if (!signedHeaders.includes("host")) {
    return refuse(
      "InvalidSignatureException",
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  }

  // The body's hash, when the client declared one, must be the body's (the signer would trust it).
  const declaredHash = headers["x-amz-content-sha256"];
  if (declaredHash !== undefined && declaredHash !== (await sha256Hex(request.body))) {
    return refuse("InvalidSignatureException", SIGNATURE_MISMATCH);
  }

  // Sign again exactly what the client says it signed: the signer signs every header it is given.
  const toSign: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = headers[name];
    if (value !== undefined && name !== "x-amz-date" && name !== "x-amz-security-token") toSign[name] = value;
  }
  const signer = new SignatureV4({
    credentials: {
      accessKeyId,
      secretAccessKey: secret.secretAccessKey,
      // Signed with the token only if the client signed the token header.
      ...(signedHeaders.includes("x-amz-security-token") && sentToken ? { sessionToken: sentToken } : {}),
    },
    region: scopeRegion,
    service: scopeService,
    sha256: Sha256,
    applyChecksum: false,
  });
  const host = headers.host ?? "";
  const resigned = await signer.sign(
    {
      method: request.method.toUpperCase(),
      protocol: "http:",
      hostname: host,
      path: request.path,
      query: parseQuery(request.query ?? ""),
      headers: toSign,
      body: request.body,
    },
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]+)/.exec(String(resigned.headers.authorization))?.[1] ?? "";
  const expectedHeaders = /SignedHeaders=([^,]+)/.exec(String(resigned.headers.authorization))?.[1] ?? "";
  if (expectedHeaders !== signedHeaderList || !sameText(expected, signature)) {
    return refuse("InvalidSignatureException", SIGNATURE_MISMATCH);
  }
  return { ok: true, accessKeyId, credentials: secret, signedHeaders };
}

function lowerCased(headers: IncomingSignedRequest["headers"]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = typeof value === "string" ? value : value.join(",");
  }
  return out;
}

/** `?a=1&b=2&b=3` as the signer wants it: decoded names and values, repeated names as arrays. */
function parseQuery(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!query) return out;
  for (const pair of query.split("&")) {
    if (!pair) continue;
    const [rawName = "", ...rawValue] = pair.split("=");
    const name = decodeURIComponent(rawName);
    const value = decodeURIComponent(rawValue.join("="));
    const existing = out[name];
    out[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return out;
}

function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day, hour, minute, second));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function basic(milliseconds: number): string {
  return new Date(milliseconds)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

async function sha256Hex(body: Uint8Array): Promise<string> {
  const hash = new Sha256();
  hash.update(body);
  return Buffer.from(await hash.digest()).toString("hex");
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
