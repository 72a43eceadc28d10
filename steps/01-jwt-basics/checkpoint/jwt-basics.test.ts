/**
 * Step 01's checkpoint: real tokens from the Cognito emulator (see setup.ts)
 * and tokens signed or forged with the checkpoint's own keys go through your
 * decoder, signature check, claim checks and token-kind reader. Every refusal
 * must come with the right reason (its error class), not just any error.
 */
import { beforeAll, describe, expect, inject } from "vitest";
import { check } from "../../../shared/checkpoint/check.ts";
import { TodoError } from "../../../shared/checkpoint/todo.ts";
import {
  base64UrlEncode,
  base64UrlEncodeJson,
  cognitoAccessTokenClaims,
  cognitoIdTokenClaims,
  cognitoIssuer,
  createSigningKey,
  decodeJwt as decodeWithoutChecks,
  signJwt,
  tamperHeader,
  tamperPayload,
  type Jwk,
  type JwtPayload,
  type SigningKey,
} from "../../../shared/test-helpers/token-factory.ts";
import { checkCognitoClaims, checkExpiry } from "../check-claims.ts";
import { base64UrlDecode, decodeJwt, type DecodedJwt } from "../decode-jwt.ts";
import * as errors from "../jwt-errors.ts";
import { tokenKind } from "../token-kind.ts";
import { verifyCognitoJwt } from "../verify-cognito-jwt.ts";
import { verifySignature } from "../verify-signature.ts";

type JwtErrorClass = abstract new (...args: never[]) => InstanceType<typeof errors.JwtError>;

/**
 * What `attempt` threw. A TODO still in the code fails the check with its own
 * message ("TODO 3: ..."); a token that is accepted fails it too.
 */
function refusalOf(attempt: () => unknown): unknown {
  try {
    attempt();
  } catch (error) {
    if (error instanceof TodoError || (error instanceof Error && error.name === "TodoError")) throw error;
    return error;
  }
  throw new Error("expected the token to be refused, but it was accepted");
}

/** `attempt` must refuse the token with exactly this kind of error. */
function expectRefused(attempt: () => unknown, errorClass: JwtErrorClass, reason: string): void {
  const error = refusalOf(attempt);
  expect(error, `refused, but not with a ${errorClass.name}: ${String(error)}`).toBeInstanceOf(errorClass);
  expect((error as InstanceType<typeof errors.JwtError>).reason).toBe(reason);
}

/** Decoded by the checkpoint itself, so the signature checks depend on TODO 3 only. */
function decodedByCheckpoint(token: string): DecodedJwt {
  const [headerSegment, payloadSegment, signatureSegment] = token.split(".") as [string, string, string];
  const { header, payload } = decodeWithoutChecks(token);
  return {
    header: header as DecodedJwt["header"],
    payload,
    signingInput: `${headerSegment}.${payloadSegment}`,
    signature: Buffer.from(signatureSegment, "base64url"),
  };
}

const signIn = inject("jwtBasicsSignIn");
const pool = { region: "us-east-1", userPoolId: "us-east-1_AbCdEf123", clientId: "1example23456789abcdefghij" };
const ISSUER = cognitoIssuer(pool.region, pool.userPoolId);
const NOW = Math.floor(Date.now() / 1000);
const SKEW = 60;

/** The key of the emulator's JWKS that signed this token. */
function emulatorJwkFor(token: string): Jwk {
  const { kid } = decodeWithoutChecks(token).header;
  const jwk = signIn.jwks.keys.find((key) => key.kid === kid);
  if (!jwk) throw new Error(`The emulator's JWKS has no key with kid ${String(kid)}.`);
  return jwk;
}

let key: SigningKey;
let idClaims: JwtPayload;
let idToken: string;

beforeAll(() => {
  key = createSigningKey({ kid: "checkpoint-key-1" });
  idClaims = cognitoIdTokenClaims({ ...pool, email: "grace@globex.example", tenantId: "globex", groups: ["admin"] });
  idToken = signJwt({ key, payload: idClaims });
});

describe("1. decoding (decode-jwt.ts)", () => {
  check(
    "the emulator's ID token, and a token signed by the checkpoint's key, decode to their header and payload",
    {
      hint: "decodeJwt gives the header and payload as sent, the signing input as the first two segments exactly, and the signature's bytes",
      todo: "decode-jwt.ts, TODO 2",
    },
    () => {
      const emulator = decodeJwt(signIn.idToken);
      expect(emulator.header.alg).toBe("RS256");
      expect(emulator.header.kid).toBe(emulatorJwkFor(signIn.idToken).kid);
      expect(emulator.payload).toMatchObject({
        email: signIn.email,
        "custom:tenantId": signIn.tenantId,
        token_use: "id",
        aud: signIn.clientId,
      });

      const ours = decodeJwt(idToken);
      const [headerSegment, payloadSegment, signatureSegment] = idToken.split(".") as [string, string, string];
      expect(ours.header).toEqual({ alg: "RS256", typ: "JWT", kid: key.kid });
      expect(ours.payload).toEqual(idClaims);
      expect(ours.signingInput).toBe(`${headerSegment}.${payloadSegment}`);
      expect(ours.signature.equals(Buffer.from(signatureSegment, "base64url"))).toBe(true);
    },
  );

  check(
    "base64url decodes, and a segment outside its alphabet (+ / = * !) or of impossible length is refused: MalformedJwtError",
    {
      hint: "base64UrlDecode decodes strict base64url and refuses any other character, padding, or a length no bytes encode to",
      todo: "decode-jwt.ts, TODO 1",
    },
    () => {
      const text = '{"alg":"RS256","note":"ünïcødé ☕ ~~~???"}';
      expect(base64UrlDecode(base64UrlEncode(text), "header").toString("utf8")).toBe(text);
      const good = base64UrlEncodeJson({ alg: "RS256", typ: "JWT" });
      // …and a length of 4n+1, which no bytes encode to.
      const fourNPlusOne = `${"A".repeat(8)}B`;
      for (const bad of [
        `${good}==`,
        `${good.slice(0, 4)}*${good.slice(4)}`,
        `${good.slice(0, 4)}!${good.slice(4)}`,
        Buffer.from("~~~???").toString("base64"),
        fourNPlusOne,
      ]) {
        expectRefused(() => base64UrlDecode(bad, "header"), errors.MalformedJwtError, "malformed");
      }
    },
  );

  check(
    "a token with two parts is refused: MalformedJwtError",
    {
      hint: "a token of two parts, or of four, is refused before anything is decoded",
      todo: "decode-jwt.ts, TODO 2",
    },
    () => {
      const [header, payload] = idToken.split(".");
      expectRefused(() => decodeJwt(`${header}.${payload}`), errors.MalformedJwtError, "malformed");
      expectRefused(() => decodeJwt(`${idToken}.extra`), errors.MalformedJwtError, "malformed");
    },
  );

  check(
    "a header that is not JSON is refused: MalformedJwtError",
    {
      hint: "a header that is not a JSON object is refused as malformed, not with JSON.parse's SyntaxError",
      todo: "decode-jwt.ts, TODO 2",
    },
    () => {
      const [, payload, signature] = idToken.split(".");
      expectRefused(
        () => decodeJwt(`${base64UrlEncode("alg=RS256")}.${payload}.${signature}`),
        errors.MalformedJwtError,
        "malformed",
      );
    },
  );

  check(
    "a header without alg is refused: MalformedJwtError",
    {
      hint: "a header that does not say, as a string, how it was signed is malformed",
      todo: "decode-jwt.ts, TODO 2",
    },
    () => {
      expectRefused(() => decodeJwt(tamperHeader(idToken, { alg: undefined })), errors.MalformedJwtError, "malformed");
    },
  );
});

describe("2. signature (verify-signature.ts)", () => {
  check(
    "the emulator's ID and access tokens verify against the key of its JWKS with their kid",
    {
      hint: "a genuine RS256 token verifies against the JWK of its kid: verifySignature returns without throwing",
      todo: "verify-signature.ts, TODO 3",
    },
    () => {
      verifySignature(decodedByCheckpoint(signIn.idToken), emulatorJwkFor(signIn.idToken));
      verifySignature(decodedByCheckpoint(signIn.accessToken), emulatorJwkFor(signIn.accessToken));
    },
  );

  check(
    "a token signed by the checkpoint's key verifies against that key's JWK",
    {
      hint: "a token this key signed verifies against this key's JWK, whoever the issuer is",
      todo: "verify-signature.ts, TODO 3",
    },
    () => {
      verifySignature(decodedByCheckpoint(idToken), key.jwk);
    },
  );

  check(
    "the emulator's ID token with its tenant changed after signing is refused: InvalidSignatureError",
    {
      hint: "a claim changed after signing makes the signature fail, and that failure is an InvalidSignatureError",
      todo: "verify-signature.ts, TODO 3",
    },
    () => {
      const tampered = tamperPayload(signIn.idToken, { "custom:tenantId": "someone-elses-tenant" });
      expectRefused(
        () => verifySignature(decodedByCheckpoint(tampered), emulatorJwkFor(signIn.idToken)),
        errors.InvalidSignatureError,
        "invalid-signature",
      );
    },
  );

  check(
    "a token signed with another key under the same kid is refused: InvalidSignatureError",
    {
      hint: "the kid only chooses the key; the signature must still verify with that key's public half",
      todo: "verify-signature.ts, TODO 3",
    },
    () => {
      const impostor = createSigningKey({ kid: key.kid });
      const forged = signJwt({ key: impostor, payload: idClaims });
      expectRefused(
        () => verifySignature(decodedByCheckpoint(forged), key.jwk),
        errors.InvalidSignatureError,
        "invalid-signature",
      );
    },
  );

  check(
    "a token whose kid is not the JWK's, or that has no kid, is refused: KidMismatchError",
    {
      hint: "a kid that is not the JWK's, or none, is its own reason: KidMismatchError",
      todo: "verify-signature.ts, TODO 3",
    },
    () => {
      expectRefused(
        () => verifySignature(decodedByCheckpoint(tamperHeader(idToken, { kid: "another-key" })), key.jwk),
        errors.KidMismatchError,
        "kid-mismatch",
      );
      expectRefused(
        () => verifySignature(decodedByCheckpoint(tamperHeader(idToken, { kid: undefined })), key.jwk),
        errors.KidMismatchError,
        "kid-mismatch",
      );
    },
  );

  check(
    "alg: none (with or without a signature) is refused: UnsupportedAlgorithmError",
    {
      hint: "an algorithm the verifier did not choose is refused, whatever the signature: UnsupportedAlgorithmError",
      todo: "verify-signature.ts, TODO 3",
    },
    () => {
      for (const token of [
        signJwt({ key, payload: idClaims, algorithm: "none" }),
        tamperHeader(idToken, { alg: "none" }),
        tamperHeader(idToken, { alg: "None" }),
      ]) {
        expectRefused(
          () => verifySignature(decodedByCheckpoint(token), key.jwk),
          errors.UnsupportedAlgorithmError,
          "unsupported-algorithm",
        );
      }
    },
  );

  check(
    "HS256 signed with the RSA public key (algorithm confusion) is refused: UnsupportedAlgorithmError",
    {
      hint: "the header's alg never decides how the signature is checked: HS256 is refused as an algorithm, not as a bad signature",
      todo: "verify-signature.ts, TODO 3",
    },
    () => {
      const confused = signJwt({ key, payload: idClaims, algorithm: "HS256" });
      expectRefused(
        () => verifySignature(decodedByCheckpoint(confused), key.jwk),
        errors.UnsupportedAlgorithmError,
        "unsupported-algorithm",
      );
    },
  );
});

describe("3. claims (check-claims.ts)", () => {
  const expiringAt = (exp: number) => cognitoIdTokenClaims({ ...pool, now: exp - 3600, ttlSeconds: 3600 });

  check(
    "a token expired beyond the clock skew is refused: TokenExpiredError (and one without exp: MalformedJwtError)",
    {
      hint: "a token expired for longer than the skew is a TokenExpiredError; a token without a numeric exp is malformed",
      todo: "check-claims.ts, TODO 4",
    },
    () => {
      expectRefused(() => checkExpiry(expiringAt(NOW - SKEW - 1), NOW, SKEW), errors.TokenExpiredError, "expired");
      expectRefused(() => checkExpiry(expiringAt(NOW - 3600), NOW), errors.TokenExpiredError, "expired");
      const { exp: _exp, ...withoutExp } = idClaims;
      expectRefused(() => checkExpiry(withoutExp, NOW, SKEW), errors.MalformedJwtError, "malformed");
    },
  );

  check(
    "a fresh token passes, and so does one expired within the clock skew",
    {
      hint: "the skew makes a token expire later, never sooner; with no skew, a token past exp is expired",
      todo: "check-claims.ts, TODO 4",
    },
    () => {
      checkExpiry(expiringAt(NOW + 3600), NOW, SKEW);
      checkExpiry(expiringAt(NOW - SKEW / 2), NOW, SKEW);
      checkExpiry(expiringAt(NOW - 5), NOW);
      expectRefused(() => checkExpiry(expiringAt(NOW - SKEW / 2), NOW, 0), errors.TokenExpiredError, "expired");
    },
  );

  check(
    "at exactly exp (no skew), or exactly exp + skew, the token has expired; one second earlier it has not",
    {
      hint: "RFC 7519, 4.1.4: the current time must be before exp; the skew moves that second, it does not include it",
      todo: "check-claims.ts, TODO 4",
    },
    () => {
      expectRefused(() => checkExpiry(expiringAt(NOW), NOW, 0), errors.TokenExpiredError, "expired");
      checkExpiry(expiringAt(NOW + 1), NOW, 0);
      expectRefused(() => checkExpiry(expiringAt(NOW - SKEW), NOW, SKEW), errors.TokenExpiredError, "expired");
      checkExpiry(expiringAt(NOW - SKEW + 1), NOW, SKEW);
    },
  );

  check(
    "a token from another user pool is refused: WrongIssuerError",
    {
      hint: "only the expected issuer, whole, passes; a missing iss is another issuer too",
      todo: "check-claims.ts, TODO 5",
    },
    () => {
      const fromElsewhere = cognitoIdTokenClaims({ ...pool, userPoolId: "us-east-1_Elsewhere9" });
      expectRefused(
        () => checkCognitoClaims(fromElsewhere, { issuer: ISSUER, clientId: pool.clientId, tokenUse: "id" }),
        errors.WrongIssuerError,
        "wrong-issuer",
      );
      const { iss: _iss, ...withoutIss } = idClaims;
      expectRefused(
        () => checkCognitoClaims(withoutIss, { issuer: ISSUER, clientId: pool.clientId, tokenUse: "id" }),
        errors.WrongIssuerError,
        "wrong-issuer",
      );
    },
  );

  check(
    "an ID token for another app client (aud), or an access token for another client_id, is refused: WrongAudienceError",
    {
      hint: "each kind of token names its app client in its own claim; another app client's token is a WrongAudienceError",
      todo: "check-claims.ts, TODO 5",
    },
    () => {
      const otherClient = { ...pool, clientId: "another-app-client" };
      expectRefused(
        () =>
          checkCognitoClaims(cognitoIdTokenClaims(otherClient), {
            issuer: ISSUER,
            clientId: pool.clientId,
            tokenUse: "id",
          }),
        errors.WrongAudienceError,
        "wrong-audience",
      );
      expectRefused(
        () =>
          checkCognitoClaims(cognitoAccessTokenClaims(otherClient), {
            issuer: ISSUER,
            clientId: pool.clientId,
            tokenUse: "access",
          }),
        errors.WrongAudienceError,
        "wrong-audience",
      );
    },
  );

  check(
    "an access token (or a token without token_use) where an ID token is required is refused: WrongTokenUseError",
    {
      hint: "the wrong kind of token is reported as such (WrongTokenUseError), even when its app client claim is missing too",
      todo: "check-claims.ts, TODO 5",
    },
    () => {
      const expectId = { issuer: ISSUER, clientId: pool.clientId, tokenUse: "id" } as const;
      expectRefused(
        () => checkCognitoClaims(cognitoAccessTokenClaims(pool), expectId),
        errors.WrongTokenUseError,
        "wrong-token-use",
      );
      const { token_use: _use, ...withoutUse } = idClaims;
      expectRefused(() => checkCognitoClaims(withoutUse, expectId), errors.WrongTokenUseError, "wrong-token-use");
      expectRefused(
        () => checkCognitoClaims(idClaims, { ...expectId, tokenUse: "access" }),
        errors.WrongTokenUseError,
        "wrong-token-use",
      );
    },
  );

  check(
    "the emulator's ID token passes as an ID token, and its access token as an access token",
    {
      hint: "a genuine ID token passes as an ID token, and a genuine access token as an access token, for the same app client",
      todo: "check-claims.ts, TODO 5",
    },
    () => {
      const expected = { issuer: signIn.issuer, clientId: signIn.clientId };
      checkCognitoClaims(decodeWithoutChecks(signIn.idToken).payload, { ...expected, tokenUse: "id" });
      checkCognitoClaims(decodeWithoutChecks(signIn.accessToken).payload, { ...expected, tokenUse: "access" });
    },
  );
});

describe("4. token kinds (token-kind.ts)", () => {
  check(
    "the emulator's ID, access and refresh tokens, the checkpoint's, and a five-part JWE are told apart",
    {
      hint: "each token is told apart by what it is: Cognito's encrypted refresh token, the emulator's, an ID token, an access token",
      todo: "token-kind.ts, TODO 6",
    },
    () => {
      expect(tokenKind(signIn.idToken)).toBe("id");
      expect(tokenKind(signIn.accessToken)).toBe("access");
      expect(tokenKind(signIn.refreshToken)).toBe("refresh");
      expect(tokenKind(idToken)).toBe("id");
      expect(tokenKind(signJwt({ key, payload: cognitoAccessTokenClaims(pool) }))).toBe("access");
      const jweHeader = base64UrlEncodeJson({ cty: "JWT", enc: "A256GCM", alg: "RSA-OAEP" });
      expect(
        tokenKind(
          `${jweHeader}.${base64UrlEncode("k".repeat(256))}.${base64UrlEncode("iv")}.${base64UrlEncode("ciphertext")}.${base64UrlEncode("tag")}`,
        ),
      ).toBe("refresh");
    },
  );
});

describe("5. all together (verify-cognito-jwt.ts, given)", () => {
  check(
    "verifyCognitoJwt accepts the emulator's ID token where an ID token is required, and refuses its access and refresh tokens",
    {
      hint: "verifyCognitoJwt (given) runs TODOs 2 to 5 in order; the emulator's ID token passes them all, its access token fails the claims",
      todo: "check-claims.ts, TODO 5",
    },
    () => {
      const requireId = {
        issuer: signIn.issuer,
        clientId: signIn.clientId,
        tokenUse: "id",
        jwk: emulatorJwkFor(signIn.idToken),
      } as const;
      expect(verifyCognitoJwt(signIn.idToken, requireId)).toMatchObject({
        email: signIn.email,
        "custom:tenantId": signIn.tenantId,
      });
      expectRefused(
        () => verifyCognitoJwt(signIn.accessToken, requireId),
        errors.WrongTokenUseError,
        "wrong-token-use",
      );
      expect(refusalOf(() => verifyCognitoJwt(signIn.refreshToken, requireId))).toBeInstanceOf(errors.JwtError);
    },
  );
});
