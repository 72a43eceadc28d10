/**
 * The toolkit's own checks: a forged token must be the real attack (a correct
 * HMAC over the public key, a correct RS384 signature...), or a test that sees
 * it rejected proves nothing.
 */
import { createHmac, createPublicKey, createVerify } from "node:crypto";
import type { JsonWebKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJwksServer, type JwksServer } from "./jwks-server.ts";
import {
  base64UrlDecode,
  base64UrlEncode,
  cognitoAccessTokenClaims,
  cognitoIdTokenClaims,
  createSigningKey,
  decodeJwt,
  jwksOf,
  signJwt,
  tamperHeader,
  tamperPayload,
  type SigningKey,
} from "./token-factory.ts";

const pool = { region: "us-east-1", userPoolId: "us-east-1_AbCdEf123", clientId: "client-123" };

/** Verifies an RS* signature with the public JWK only, as a relying party would. */
function rsaSignatureValid(token: string, jwk: object, hash: string): boolean {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  return createVerify(hash)
    .update(`${header}.${payload}`)
    .verify(createPublicKey({ key: jwk as JsonWebKey, format: "jwk" }), base64UrlDecode(signature));
}

let key: SigningKey;
beforeAll(() => {
  key = createSigningKey({ kid: "kid-1" });
});

describe("base64url", () => {
  it.each(["", "f", "fo", "foo", "foob", "\u00ff\u00fe?>", "ünïcødé ☕"])(
    "round-trips %j without padding or +/",
    (text) => {
      const encoded = base64UrlEncode(text);
      expect(encoded).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(encoded).toBe(Buffer.from(text).toString("base64url"));
      expect(base64UrlDecode(encoded).toString("utf8")).toBe(text);
    },
  );
});

describe("createSigningKey", () => {
  it("gives a public RS256 signing JWK with the kid, and no private parts", () => {
    expect(key.jwk).toEqual({ kty: "RSA", n: expect.any(String), e: "AQAB", kid: "kid-1", alg: "RS256", use: "sig" });
    expect(Object.keys(key.jwk)).not.toContain("d");
    expect(key.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(createSigningKey().kid).not.toBe(createSigningKey().kid);
  });

  it("honours modulusLength", () => {
    const small = createSigningKey({ modulusLength: 1024 });
    expect(base64UrlDecode(small.jwk.n).length).toBe(128);
    expect(base64UrlDecode(key.jwk.n).length).toBe(256);
  });

  it("jwksOf lists public JWKs", () => {
    expect(jwksOf([key, key.jwk])).toEqual({ keys: [key.jwk, key.jwk] });
  });
});

describe("signJwt", () => {
  const payload = { sub: "s", n: 1 };

  it("RS256 by default, header { alg, typ, kid }, verifiable with the public JWK", () => {
    const token = signJwt({ key, payload });
    expect(decodeJwt(token)).toEqual({
      header: { alg: "RS256", typ: "JWT", kid: "kid-1" },
      payload,
      signature: expect.any(String),
    });
    expect(rsaSignatureValid(token, key.jwk, "sha256")).toBe(true);
    expect(rsaSignatureValid(token, createSigningKey().jwk, "sha256")).toBe(false);
  });

  it("RS384 on the RS256 key: header says RS384 and the signature is a real SHA-384 one", () => {
    const token = signJwt({ key, payload, algorithm: "RS384" });
    expect(decodeJwt(token).header.alg).toBe("RS384");
    expect(rsaSignatureValid(token, key.jwk, "sha384")).toBe(true);
    expect(rsaSignatureValid(token, key.jwk, "sha256")).toBe(false);
  });

  it("HS256 keyed with the public key PEM (default) or any given secret, e.g. the JWK string", () => {
    for (const secret of [undefined, JSON.stringify(key.jwk)]) {
      const token = signJwt({ key, payload, algorithm: "HS256", hmacSecret: secret });
      const [h, p, s] = token.split(".");
      expect(decodeJwt(token).header.alg).toBe("HS256");
      expect(s).toBe(
        base64UrlEncode(
          createHmac("sha256", secret ?? key.publicKeyPem)
            .update(`${h}.${p}`)
            .digest(),
        ),
      );
    }
  });

  it("alg none: empty signature; or a real signature under a lying header", () => {
    const bare = signJwt({ key, payload, algorithm: "none" });
    expect(bare.endsWith(".")).toBe(true);
    expect(decodeJwt(bare).header.alg).toBe("none");

    const lying = signJwt({ key, payload, header: { alg: "none" } });
    expect(decodeJwt(lying).header.alg).toBe("none");
    expect(decodeJwt(lying).signature.length).toBeGreaterThan(0);
    expect(rsaSignatureValid(lying, key.jwk, "sha256")).toBe(true);
  });

  it("puts any header field in, and leaves out fields set to undefined", () => {
    const attacker = createSigningKey();
    const token = signJwt({
      key,
      payload,
      header: {
        jwk: attacker.jwk,
        jku: "https://evil.test/jwks",
        x5u: "https://evil.test/c.pem",
        kid: undefined,
        typ: undefined,
      },
    });
    expect(decodeJwt(token).header).toEqual({
      alg: "RS256",
      jwk: attacker.jwk,
      jku: "https://evil.test/jwks",
      x5u: "https://evil.test/c.pem",
    });
  });

  it("signatureOverride replaces the signature segment", () => {
    expect(signJwt({ key, payload, signatureOverride: "abc" }).split(".")[2]).toBe("abc");
  });

  it("refuses to sign RS* without a key", () => {
    expect(() => signJwt({ payload })).toThrow(/key/);
  });
});

describe("tampering", () => {
  it("tamperPayload keeps header and signature, so the signature no longer matches", () => {
    const token = signJwt({ key, payload: { sub: "s", admin: false } });
    const tampered = tamperPayload(token, { admin: true });
    expect(decodeJwt(tampered).payload).toEqual({ sub: "s", admin: true });
    expect(tampered.split(".")[0]).toBe(token.split(".")[0]);
    expect(tampered.split(".")[2]).toBe(token.split(".")[2]);
    expect(rsaSignatureValid(tampered, key.jwk, "sha256")).toBe(false);
  });

  it("tamperHeader rewrites the header only", () => {
    const token = signJwt({ key, payload: { sub: "s" } });
    const tampered = tamperHeader(token, { kid: "other", alg: "HS256" });
    expect(decodeJwt(tampered).header).toEqual({ alg: "HS256", typ: "JWT", kid: "other" });
    expect(tampered.split(".").slice(1)).toEqual(token.split(".").slice(1));
  });
});

describe("Cognito claims", () => {
  it("an ID token looks like Cognito's", () => {
    const claims = cognitoIdTokenClaims({
      ...pool,
      sub: "sub-1",
      email: "a@b.test",
      tenantId: "t-1",
      groups: ["admin"],
      now: 1_700_000_000,
      ttlSeconds: 60,
    });
    expect(claims).toEqual({
      sub: "sub-1",
      "cognito:groups": ["admin"],
      email_verified: true,
      iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123",
      "cognito:username": "sub-1",
      origin_jti: expect.any(String),
      aud: "client-123",
      event_id: expect.any(String),
      token_use: "id",
      auth_time: 1_700_000_000,
      iat: 1_700_000_000,
      exp: 1_700_000_060,
      jti: expect.any(String),
      email: "a@b.test",
      "custom:tenantId": "t-1",
    });
  });

  it("defaults: one-hour lifetime from now, no tenant and no groups unless given, fresh ids", () => {
    const before = Math.floor(Date.now() / 1000);
    const claims = cognitoIdTokenClaims(pool);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.exp).toBe((claims.iat as number) + 3600);
    expect(claims).not.toHaveProperty("custom:tenantId");
    expect(claims).not.toHaveProperty("cognito:groups");
    expect(claims.jti).not.toBe(cognitoIdTokenClaims(pool).jti);
    expect(cognitoIdTokenClaims({ ...pool, issuer: "https://other" }).iss).toBe("https://other");
  });

  it("an access token has client_id and scope, no aud and no custom attributes", () => {
    const claims = cognitoAccessTokenClaims({ ...pool, sub: "sub-1", tenantId: "t-1", groups: ["viewer"] });
    expect(claims).toMatchObject({
      token_use: "access",
      client_id: "client-123",
      scope: "aws.cognito.signin.user.admin",
      username: "sub-1",
      "cognito:groups": ["viewer"],
    });
    expect(claims).not.toHaveProperty("aud");
    expect(claims).not.toHaveProperty("custom:tenantId");
    expect(claims).not.toHaveProperty("email");
  });
});

describe("startJwksServer", () => {
  let server: JwksServer;
  beforeAll(async () => {
    server = await startJwksServer([key.jwk]);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("serves the keys on 127.0.0.1, counts downloads, and rotates", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(server.fetchCount()).toBe(0);
    const first = await fetch(server.url);
    expect(first.headers.get("content-type")).toMatch(/application\/json/);
    expect(await first.json()).toEqual({ keys: [key.jwk] });
    const other = createSigningKey();
    server.setKeys([other.jwk]);
    expect(await (await fetch(server.url)).json()).toEqual({ keys: [other.jwk] });
    expect(server.fetchCount()).toBe(2);
  });
});
