import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import { startJwksServer, type JwksServer } from "../../shared/test-helpers/jwks-server.ts";
import {
  cognitoAccessTokenClaims,
  cognitoIdTokenClaims,
  createSigningKey,
  signJwt,
  tamperPayload,
  type CognitoClaimsOptions,
  type JwtPayload,
  type SigningKey,
} from "../../shared/test-helpers/token-factory.ts";
import { createAuthorizer, MAX_CLOCK_SKEW_SECONDS, tokenFromHeader, type TokenAuthorizer } from "./authorizer.ts";

const REGION = "us-east-1";
const USER_POOL_ID = "us-east-1_AbCdEf123";
const CLIENT_ID = "1example23456789abcdefghij";
const METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/purchases";
const SUB = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

const pool: CognitoClaimsOptions = { region: REGION, userPoolId: USER_POOL_ID, clientId: CLIENT_ID };

const event = (authorizationToken: string): APIGatewayTokenAuthorizerEvent => ({
  type: "TOKEN",
  authorizationToken,
  methodArn: METHOD_ARN,
});

const withoutClaim = (payload: JwtPayload, claim: string): JwtPayload => Object.fromEntries(Object.entries(payload).filter(([name]) => name !== claim));

let key: SigningKey;
let jwks: JwksServer;
let authorize: TokenAuthorizer;
const rejections: string[] = [];

const idToken = (overrides: Partial<CognitoClaimsOptions> = {}, signingKey: SigningKey = key) =>
  signJwt({
    key: signingKey,
    payload: cognitoIdTokenClaims({ ...pool, sub: SUB, email: "ada@tenant-a.test", tenantId: "tenant-a", groups: ["member"], ...overrides }),
  });

beforeAll(async () => {
  key = createSigningKey({ kid: "test-kid-1" });
  jwks = await startJwksServer([key.jwk]);
  authorize = await createAuthorizer({
    userPoolId: USER_POOL_ID,
    clientId: CLIENT_ID,
    jwksUrl: jwks.url,
    logRejection: (reason) => rejections.push(reason),
  });
});

afterAll(async () => {
  await jwks?.close();
});

describe("tokenFromHeader", () => {
  it.each<[string | undefined, string]>([
    ["abc.def.ghi", "abc.def.ghi"],
    ["Bearer abc.def.ghi", "abc.def.ghi"],
    ["bearer abc.def.ghi", "abc.def.ghi"],
    ["  Bearer   abc.def.ghi  ", "abc.def.ghi"],
    ["", ""],
    [undefined, ""],
  ])("%j -> %j", (header, token) => {
    expect(tokenFromHeader(header)).toBe(token);
  });
});

describe("createAuthorizer", () => {
  it.each([
    ["bare", (token: string) => token],
    ["Bearer", (token: string) => `Bearer ${token}`],
  ])("allows a valid ID token (%s) with principalId = sub and the tenant in the context", async (_, header) => {
    const result = await authorize(event(header(idToken())));
    expect(result.principalId).toBe(SUB);
    expect(result.context).toMatchObject({ tenantId: "tenant-a", userId: SUB, email: "ada@tenant-a.test", role: "member" });
    const statement = result.policyDocument.Statement[0] as { Effect: string; Resource: string[] };
    expect(statement.Effect).toBe("Allow");
    expect(statement.Resource).toContain("arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/purchases");
  });

  it("a valid token whose user has no tenant is authenticated: explicit Deny, not a 401", async () => {
    const result = await authorize(event(idToken({ tenantId: undefined })));
    expect(result.principalId).toBe(SUB);
    expect(result.policyDocument.Statement[0]?.Effect).toBe("Deny");
    expect(result.context).toBeUndefined();
  });

  const claimsA = () => cognitoIdTokenClaims({ ...pool, sub: SUB, tenantId: "tenant-a" });

  // [case, token, what the verifier must have caught (the logged reason)]
  const rejected: [string, () => string, RegExp][] = [
    ["empty header", () => "", /empty/i],
    ["empty custom:tenantId", () => signJwt({ key, payload: { ...claimsA(), "custom:tenantId": "" } }), /not a valid tenant id/],
    ["custom:tenantId not a string", () => signJwt({ key, payload: { ...claimsA(), "custom:tenantId": 42 } }), /not a valid tenant id/],
    ["custom:tenantId outside the pattern", () => signJwt({ key, payload: { ...claimsA(), "custom:tenantId": "../tenant-b" } }), /not a valid tenant id/],
    ["'Bearer ' only", () => "Bearer ", /Empty JWT/],
    ["garbage", () => "not-a-jwt", /3 parts/],
    ["garbage with dots", () => "Bearer aaa.bbb.ccc", /not a valid JSON/i],
    ["expired", () => idToken({ now: Math.floor(Date.now() / 1000) - 7200, ttlSeconds: 3600 }), /expired/i],
    ["wrong audience", () => idToken({ clientId: "another-app-client-id" }), /audience|client id/i],
    ["wrong issuer (another pool)", () => idToken({ userPoolId: "us-east-1_OtherPool9" }), /issuer/i],
    ["wrong issuer (another region)", () => idToken({ region: "eu-west-1" }), /issuer/i],
    ["wrong issuer (not Cognito)", () => idToken({ issuer: `https://evil.example.com/${USER_POOL_ID}` }), /issuer/i],
    ["access token", () => signJwt({ key, payload: cognitoAccessTokenClaims({ ...pool, sub: SUB, groups: ["admin"] }) }), /token use/i],
    ["ID token with token_use access", () => signJwt({ key, payload: { ...claimsA(), token_use: "access" } }), /token use/i],
    ["alg none, no signature", () => signJwt({ key, algorithm: "none", payload: claimsA() }), /3 parts|algorithm/i],
    ["alg none over a real signature", () => signJwt({ key, header: { alg: "none" }, payload: claimsA() }), /algorithm/i],
    ["HS256 keyed with the public key PEM", () => signJwt({ key, algorithm: "HS256", payload: claimsA() }), /algorithm/i],
    [
      "HS256 keyed with the public JWK string",
      () => signJwt({ key, algorithm: "HS256", hmacSecret: JSON.stringify(key.jwk), payload: claimsA() }),
      /algorithm/i,
    ],
    ["RS384 on the RS256 key", () => signJwt({ key, algorithm: "RS384", payload: claimsA() }), /algorithm/i],
    ["tampered payload (tenant changed)", () => tamperPayload(idToken(), { "custom:tenantId": "tenant-b" }), /signature/i],
    ["tampered payload (made admin)", () => tamperPayload(idToken(), { "cognito:groups": ["admin"] }), /signature/i],
    ["tampered payload (expiry extended)", () => tamperPayload(idToken({ now: 1_000_000_000 }), { exp: 4_000_000_000 }), /signature/i],
    ["other key, same kid", () => idToken({}, createSigningKey({ kid: key.kid })), /signature/i],
    [
      "attacker key embedded as a jwk header, same kid",
      () => {
        const attacker = createSigningKey({ kid: key.kid });
        return signJwt({ key: attacker, header: { jwk: attacker.jwk }, payload: claimsA() });
      },
      /signature/i,
    ],
    [
      "jku / x5u headers pointing at the attacker's keys",
      () => {
        const attacker = createSigningKey({ kid: "attacker-kid" });
        return signJwt({ key: attacker, header: { jku: "https://evil.example.com/jwks.json", x5u: "https://evil.example.com/cert.pem" }, payload: claimsA() });
      },
      /not found|kid|wait/i,
    ],
    ["no kid", () => signJwt({ key, header: { kid: undefined }, payload: claimsA() }), /kid/i],
    ["signature stripped", () => idToken().replace(/\.[^.]+$/, "."), /3 parts|signature/i],
    // aws-jwt-verify accepts these three; checkTokenTimes (its customJwtCheck) refuses them.
    ["iat an hour in the future", () => idToken({ now: Math.floor(Date.now() / 1000) + 3600 }), /future/i],
    ["no exp", () => signJwt({ key, payload: withoutClaim(claimsA(), "exp") }), /no exp/i],
    ["no iat", () => signJwt({ key, payload: withoutClaim(claimsA(), "iat") }), /no iat/i],
  ];

  it.each(rejected)("rejects %s with exactly Error('Unauthorized')", async (_, token, reason) => {
    const before = rejections.length;
    const promise = authorize(event(token()));
    await expect(promise).rejects.toThrow(/^Unauthorized$/);
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe("Unauthorized");
    // The reason is logged (and is the right one), never returned.
    expect(rejections.length).toBe(before + 1);
    expect(rejections.at(-1)).toMatch(reason);
    expect((error as Error).message).not.toContain(rejections.at(-1) ?? "");
  });

  it(`allows an iat up to ${MAX_CLOCK_SKEW_SECONDS} s ahead of this clock (clock skew)`, async () => {
    const result = await authorize(event(idToken({ now: Math.floor(Date.now() / 1000) + MAX_CLOCK_SKEW_SECONDS - 10 })));
    expect(result.principalId).toBe(SUB);
  });

  it("downloads the JWKS at cold start only, never per request, across 20 verifications", async () => {
    const k = createSigningKey({ kid: "cold-start-kid" });
    const server = await startJwksServer([k.jwk]);
    try {
      const handler = await createAuthorizer({ userPoolId: USER_POOL_ID, clientId: CLIENT_ID, jwksUrl: server.url, logRejection: () => {} });
      // Hydrated at cold start, before any request. aws-jwt-verify 5 hydrates two
      // issuer URLs per pool; the local fetcher maps both to one URL and one download.
      const atColdStart = server.fetchCount();
      expect(atColdStart).toBe(1);
      for (let i = 0; i < 20; i += 1) {
        const token = signJwt({ key: k, payload: cognitoIdTokenClaims({ ...pool, sub: `user-${i}`, tenantId: "tenant-a" }) });
        const result = await handler(event(i % 2 === 0 ? token : `Bearer ${token}`));
        expect(result.principalId).toBe(`user-${i}`);
      }
      expect(server.fetchCount()).toBe(atColdStart);
    } finally {
      await server.close();
    }
  });

  it("a key that appears after cold start (rotation) is fetched on demand", async () => {
    const k = createSigningKey({ kid: "late-kid" });
    const server = await startJwksServer([]);
    try {
      const reasons: string[] = [];
      const handler = await createAuthorizer({
        userPoolId: USER_POOL_ID,
        clientId: CLIENT_ID,
        jwksUrl: server.url,
        logRejection: (r) => reasons.push(r),
      });
      const atColdStart = server.fetchCount();
      server.setKeys([k.jwk]);
      const token = signJwt({ key: k, payload: cognitoIdTokenClaims({ ...pool, sub: SUB, tenantId: "tenant-a" }) });
      const result = await handler(event(token));
      expect(result.principalId).toBe(SUB);
      expect(server.fetchCount()).toBe(atColdStart + 1);
      // Known now: the next request does not download again.
      await handler(event(token));
      expect(server.fetchCount()).toBe(atColdStart + 1);
      expect(reasons).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
