/**
 * The local pool's signing keys, as Cognito keeps them: tokens are signed
 * with the current key and its kid; the JWKS publishes every key, old ones
 * included, so tokens signed before a rotation still verify.
 *
 * The first key is the one cognito-local ships in its package: public, which
 * is why the local stack is for learning only.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify } from "node:crypto";
import type { JsonWebKey, KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

export type JwtClaims = Record<string, unknown>;

/** cognito-local's own private key, under its own kid. */
export function cognitoLocalPrivateKey(): { kid: string; privateKey: KeyObject } {
  const file = require.resolve("cognito-local/lib/keys/cognitoLocal.private.json");
  const { pem } = JSON.parse(readFileSync(file, "utf8")) as { pem: string };
  return { kid: "CognitoLocal", privateKey: createPrivateKey(pem) };
}

export class SigningKeys {
  private current: { kid: string; privateKey: KeyObject };
  private readonly published = new Map<string, KeyObject>();

  constructor(first = cognitoLocalPrivateKey()) {
    this.current = first;
    this.published.set(first.kid, createPublicKey(first.privateKey));
  }

  jwks(): { keys: JsonWebKey[] } {
    return {
      keys: [...this.published].map(([kid, key]) => ({
        ...key.export({ format: "jwk" }),
        kid,
        alg: "RS256",
        use: "sig",
      })),
    };
  }

  /** A new key signs from now on; the JWKS publishes it beside the old ones. */
  rotate(): { kid: string } {
    const kid = `rotated-${this.published.size}-${randomUUID().slice(0, 8)}`;
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.current = { kid, privateKey };
    this.published.set(kid, publicKey);
    return { kid };
  }

  sign(claims: JwtClaims): string {
    const input = `${base64url({ kid: this.current.kid, alg: "RS256" })}.${base64url(claims)}`;
    return `${input}.${sign("RSA-SHA256", Buffer.from(input), this.current.privateKey).toString("base64url")}`;
  }

  /** The claims of a token one of these keys signed (RS256), or undefined. Claims are not checked here. */
  verified(token: string): JwtClaims | undefined {
    const [header, payload, signature, extra] = token.split(".");
    if (!header || !payload || !signature || extra !== undefined) return undefined;
    try {
      const { alg, kid } = JSON.parse(Buffer.from(header, "base64url").toString()) as { alg?: string; kid?: string };
      const key = kid === undefined ? undefined : this.published.get(kid);
      if (alg !== "RS256" || !key) return undefined;
      if (!verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, "base64url")))
        return undefined;
      return JSON.parse(Buffer.from(payload, "base64url").toString()) as JwtClaims;
    } catch {
      return undefined;
    }
  }
}

/** A JWT's claims, unverified (for tokens cognito-local just issued to us). */
export function unverifiedClaims(token: string): JwtClaims {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as JwtClaims;
}
