/**
 * An AWS_IAM method, as API Gateway authorizes it: the request must be signed
 * with SigV4 for the service `execute-api` by credentials AWS knows (here:
 * the local stack's CredentialsRegistry), and the caller's identity-based
 * policies must allow `execute-api:Invoke` on the request's method ARN.
 * The signature is checked with the AWS SDK's own signer (`verifySigV4`) and
 * the policies with the local IAM check (`evaluatePolicies`); refusals are
 * 403s in the words users report from API Gateway. On success the integration
 * gets the caller in `requestContext.identity`.
 */
import { createHash } from "node:crypto";
import { assumedRoleArn } from "../iam/credentials-registry.ts";
import type { AssumedRoleSession, CredentialsRegistry } from "../iam/credentials-registry.ts";
import { evaluatePolicies } from "../iam/policy-evaluation.ts";
import type { RequestContext } from "../iam/policy-evaluation.ts";
import { verifySigV4 } from "../iam/sigv4-verify.ts";
import type { IncomingSignedRequest } from "../iam/sigv4-verify.ts";
import * as responses from "./gateway-responses.ts";
import type { GatewayResponse } from "./gateway-responses.ts";
import type { CallerIdentity } from "./proxy-event.ts";
import { unsignedAuthorizationResponse } from "./unsigned-authorization.ts";

/** What the local gateway needs to authorize AWS_IAM methods. */
export interface IamAuthorizationOptions {
  /** The temporary credentials the local stack issued (identity pool, functions' roles). */
  credentials: CredentialsRegistry;
  /** A role's identity-based policy documents, intrinsics resolved (`rolePolicyDocuments`). */
  policiesForRole(roleArn: string): readonly unknown[];
  /**
   * `requestContext.identity.cognitoAuthenticationProvider` for an identity
   * pool's session: `cognito-idp.<region>.amazonaws.com/<poolId>,cognito-idp.<region>.amazonaws.com/<poolId>:CognitoSignIn:<sub>`.
   * The registry does not record the login, so without this the field is null.
   */
  cognitoAuthenticationProviderOf?(session: AssumedRoleSession): string | undefined;
}

export interface IamRequest extends IncomingSignedRequest {
  /** The method ARN of this request (`arn:aws:execute-api:…/{stage}/{METHOD}/{path}`). */
  methodArn: string;
}

export type IamAuthorization =
  { ok: true; identity: CallerIdentity } | { ok: false; response: GatewayResponse; reason: string };

/** How far API Gateway lets `X-Amz-Date` be from its clock (users' reports: "... - 5 min."; most services allow 15). */
const MAX_SKEW_MS = 5 * 60 * 1000;

/** The condition keys this check derives for `execute-api:Invoke`; a condition on any other fails closed. */
const KNOWN_KEYS = [
  "aws:PrincipalArn",
  "aws:PrincipalAccount",
  "aws:PrincipalType",
  "aws:RequestedRegion",
  "aws:PrincipalTag/*",
  "cognito-identity.amazonaws.com:sub",
  "cognito-identity.amazonaws.com:aud",
];

export async function authorizeIamRequest(
  request: IamRequest,
  options: IamAuthorizationOptions,
  settings: { region: string; clock: () => number },
): Promise<IamAuthorization> {
  const refuse = (response: GatewayResponse, reason: string) => ({ ok: false, response, reason }) as const;
  const authorization = headerOf(request.headers, "authorization");
  if (authorization === undefined || authorization.trim() === "") {
    return refuse(responses.MISSING_AUTHENTICATION_TOKEN, "IAM: no Authorization header");
  }
  // Not SigV4 at all (a `Bearer` token): API Gateway answers as it does for a missing route.
  if (!/^AWS4-HMAC-SHA256\s/.test(authorization.trim())) {
    return refuse(unsignedAuthorizationResponse(authorization), "IAM: the Authorization header is not SigV4");
  }

  const verification = await verifySigV4(request, {
    service: "execute-api",
    region: settings.region,
    lookup: (accessKeyId) => options.credentials.lookup(accessKeyId),
    clock: settings.clock,
  });
  if (!verification.ok && verification.code === "IncompleteSignatureException") {
    const message = verification.message.replace(
      ` Authorization=${authorization}`,
      ` (Hashed with SHA-256 and encoded with Base64) Authorization=${sha256Base64(authorization)}`,
    );
    return refuse(responses.signatureRefused(verification.code, message), `IAM: ${verification.code}`);
  }
  // API Gateway's window is 5 minutes, tighter than the verifier's 15, and comes before the key.
  const skew = skewMessage(headerOf(request.headers, "x-amz-date"), settings.clock());
  if (skew) return refuse(responses.signatureRefused("InvalidSignatureException", skew), "IAM: signature expired");
  if (!verification.ok) {
    return refuse(
      responses.signatureRefused(verification.code, verification.message),
      `IAM: ${verification.code}: ${verification.message}`,
    );
  }

  const { session, accessKeyId } = verification.credentials;
  const caller = assumedRoleArn(session);
  const context = invokeContext(request.methodArn, session, settings.region);
  const evaluation = evaluatePolicies(options.policiesForRole(session.roleArn), context);
  if (evaluation.decision !== "allow") {
    const why = evaluation.decision === "explicit-deny" ? " with an explicit deny" : "";
    const local = evaluation.failedClosed ? ` (local IAM check: ${evaluation.unsupported.join("; ")})` : "";
    return refuse(
      responses.iamAccessDenied(
        `User: ${caller} is not authorized to perform: execute-api:Invoke on resource: ${request.methodArn}${why}${local}`,
      ),
      `IAM: ${evaluation.reason}`,
    );
  }

  const callerId = `${roleIdOf(session.roleArn)}:${session.sessionName}`;
  return {
    ok: true,
    identity: {
      accessKey: accessKeyId,
      accountId: accountOf(session.roleArn),
      caller: callerId,
      user: callerId,
      userArn: caller,
      cognitoIdentityId: session.identityId ?? null,
      cognitoIdentityPoolId: session.identityPoolId ?? null,
      cognitoAuthenticationType: session.identityPoolId ? "authenticated" : null,
      cognitoAuthenticationProvider: options.cognitoAuthenticationProviderOf?.(session) ?? null,
    },
  };
}

function invokeContext(methodArn: string, session: AssumedRoleSession, region: string): RequestContext {
  const keys: Record<string, string | undefined> = {
    "aws:PrincipalArn": session.roleArn,
    "aws:PrincipalAccount": accountOf(session.roleArn),
    "aws:PrincipalType": "AssumedRole",
    "aws:RequestedRegion": region,
    "cognito-identity.amazonaws.com:sub": session.identityId,
    "cognito-identity.amazonaws.com:aud": session.identityPoolId,
  };
  for (const [tag, value] of Object.entries(session.principalTags)) keys[`aws:PrincipalTag/${tag}`] = value;
  return { action: "execute-api:Invoke", resource: methodArn, keys, knownKeys: KNOWN_KEYS };
}

/** API Gateway's clock-skew refusal, or undefined within the window (a malformed date is the verifier's to refuse). */
function skewMessage(amzDate: string | undefined, now: number): string | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate ?? "");
  if (!match || amzDate === undefined) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const signed = Date.UTC(year!, month! - 1, day, hour, minute, second);
  if (signed < now - MAX_SKEW_MS) {
    return `Signature expired: ${amzDate} is now earlier than ${basic(now - MAX_SKEW_MS)} (${basic(now)} - 5 min.)`;
  }
  if (signed > now + MAX_SKEW_MS) {
    return `Signature not yet current: ${amzDate} is still later than ${basic(now + MAX_SKEW_MS)} (${basic(now)} + 5 min.)`;
  }
  return undefined;
}

function basic(milliseconds: number): string {
  return new Date(milliseconds)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

function accountOf(roleArn: string): string {
  return /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1] ?? "";
}

/**
 * A stand-in for the role's unique id (`AROA…`, 21 characters), stable per
 * role ARN: AWS's `caller` is `<role id>:<session name>`, and the local stack
 * has no role ids.
 */
function roleIdOf(roleArn: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const digest = createHash("sha256").update(roleArn).digest();
  return `AROA${[...digest.subarray(0, 17)].map((byte) => alphabet[byte % alphabet.length]).join("")}`;
}

function headerOf(headers: IncomingSignedRequest["headers"], lowercaseName: string): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== lowercaseName || value === undefined) continue;
    return typeof value === "string" ? value : value[value.length - 1];
  }
  return undefined;
}

function sha256Base64(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("base64");
}
