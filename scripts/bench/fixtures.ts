/** The pool, client and request the bench signs tokens for: AWS-shaped, never real. */
import { randomUUID } from "node:crypto";
import { cognitoIdTokenClaims, signJwt, type SigningKey } from "../../shared/test-helpers/token-factory.ts";
import type { TokenAuthorizer } from "../../solutions/03-authorizer/authorizer.ts";
import type { Progress } from "./progress.ts";
import { nowMs } from "./stats.ts";

export const BENCH_REGION = "us-east-1";
export const BENCH_USER_POOL_ID = "us-east-1_BenchPool1";
export const BENCH_CLIENT_ID = "1bench23456789abcdefghijk";
export const BENCH_METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:bench1/prod/GET/purchases";

/** A signed ID token of a member of `tenantId`; every call gives a new token (new sub, jti, event id). */
export function benchIdToken(key: SigningKey, tenantId = "tenant-bench"): string {
  return signJwt({
    key,
    payload: cognitoIdTokenClaims({
      region: BENCH_REGION,
      userPoolId: BENCH_USER_POOL_ID,
      clientId: BENCH_CLIENT_ID,
      sub: randomUUID(),
      tenantId,
      groups: ["member"],
      ttlSeconds: 3600,
    }),
  });
}

/** `count` distinct tokens, signed before any timing starts (RSA signing is slow; it shows progress). */
export async function preSignTokens(key: SigningKey, count: number, progress: Progress): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    tokens.push(benchIdToken(key));
    if (i % 100 === 99) {
      progress.update(`signing tokens: ${i + 1} / ${count}`);
      // Let the progress line (and anything else) through.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  progress.done();
  return tokens;
}

/** Milliseconds for the authorizer to allow each token in turn, as API Gateway would call it. */
export async function authorizerBatch(authorize: TokenAuthorizer, tokens: readonly string[]): Promise<number> {
  let allowed = 0;
  const started = nowMs();
  for (const token of tokens) {
    const result = await authorize({
      type: "TOKEN",
      authorizationToken: `Bearer ${token}`,
      methodArn: BENCH_METHOD_ARN,
    });
    if (result.policyDocument.Statement[0]?.Effect === "Allow") allowed++;
  }
  const elapsed = nowMs() - started;
  if (allowed !== tokens.length) throw new Error("the authorizer did not allow every bench token");
  return elapsed;
}
