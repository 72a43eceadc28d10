/**
 * The cold-start bench's entry, bundled with the authorizer the way the CDK
 * stack bundles the Lambda: create the authorizer (JWKS already at hand),
 * authorize one token, exit. Exit code 0 only when the token was allowed.
 *
 * Input through the environment: BENCH_USER_POOL_ID, BENCH_CLIENT_ID,
 * BENCH_JWKS (the JWKS JSON), BENCH_TOKEN, BENCH_METHOD_ARN; BENCH_PRINT=1
 * prints the answer.
 *
 * authorizer.ts takes its keys from a URL only (`jwksUrl`), and Node's global
 * fetch loads its HTTP client (undici) on first use: tens of milliseconds no
 * Lambda pays (aws-jwt-verify downloads with node:https). So `fetch` answers
 * the JWKS from memory here, as if the JWKS were cached; the verifier still
 * parses it and imports the key as at a real cold start.
 */
import { createAuthorizer } from "../../solutions/03-authorizer/authorizer.ts";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const jwksBytes = new TextEncoder().encode(env("BENCH_JWKS"));
const inlineJwks = async () => ({
  ok: true,
  status: 200,
  arrayBuffer: async () => jwksBytes.buffer.slice(jwksBytes.byteOffset, jwksBytes.byteOffset + jwksBytes.byteLength),
});
globalThis.fetch = inlineJwks as unknown as typeof fetch;

const handler = await createAuthorizer({
  userPoolId: env("BENCH_USER_POOL_ID"),
  clientId: env("BENCH_CLIENT_ID"),
  jwksUrl: "inline:jwks",
  logRejection: (reason) => console.error(`rejected: ${reason}`),
});
const result = await handler({
  type: "TOKEN",
  authorizationToken: `Bearer ${env("BENCH_TOKEN")}`,
  methodArn: env("BENCH_METHOD_ARN"),
});
if (process.env.BENCH_PRINT === "1") console.log(JSON.stringify(result));
if (result.policyDocument.Statement[0]?.Effect !== "Allow") process.exitCode = 1;
