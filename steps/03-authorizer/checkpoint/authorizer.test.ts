/**
 * Step 03's checkpoint: the authorizer under test, called two ways: directly,
 * as Lambda calls it (the handler must throw exactly `Error("Unauthorized")`),
 * and behind the local API Gateway started by `setup.ts` (the caller must get
 * a 401, never a 500, never an Allow). A valid ID token is allowed; every
 * token of the attack catalogue is refused, and why is logged, never returned.
 */
import { afterAll, beforeAll, describe, expect, inject } from "vitest";
import type { APIGatewayAuthorizerResult } from "aws-lambda";
import { STAGE_NAME } from "../../../shared/runtime/purchases-api.ts";
import { check } from "../../../shared/checkpoint/check.ts";
import { isTodoError } from "../../../shared/checkpoint/todo.ts";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "../../../shared/local-stack/local-credentials.ts";
import { emulatorSigningKey } from "../../../shared/test-helpers/emulator-signing-key.ts";
import { startJwksServer, type JwksServer } from "../../../shared/test-helpers/jwks-server.ts";
import {
  base64UrlEncode,
  cognitoIdTokenClaims,
  cognitoIssuer,
  createSigningKey,
  decodeJwt,
  signJwt,
  tamperPayload,
  type JwtHeader,
  type JwtPayload,
  type SigningKey,
} from "../../../shared/test-helpers/token-factory.ts";
import { WorkshopApi, type TestUser } from "../../../shared/test-helpers/workshop-api.ts";
import {
  createAuthorizer,
  MAX_CLOCK_SKEW_SECONDS,
  tokenFromHeader,
  type AuthorizerConfig,
  type TokenAuthorizer,
} from "../authorizer.ts";
import { cognitoShapedRefreshToken, withOnePayloadCharacterChanged } from "./forged-tokens.ts";
import { serveToGateway } from "./gateway-authorizer.ts";

const stack = inject("authorizerCheckpoint");
const api = new WorkshopApi(stack.outputs);
const METHOD_ARN = `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:local/${STAGE_NAME}/GET/purchases`;

let user: TestUser;
/** The claims of the user's real ID token: the forged tokens change one of them. */
let idClaims: JwtPayload;
let emulatorKey: SigningKey;
let attackerJwks: JwksServer;
/** The authorizer under test, built once like a Lambda cold start (or what stopped it). */
let underTest: Built;
/** Every reason the authorizer under test logged for a refusal. */
const rejections: string[] = [];
/** The gateway's own instance of the authorizer under test, served to it from this worker. */
let behindGateway: { close(): Promise<void> } | undefined;

beforeAll(async () => {
  user = await api.user(WorkshopApi.newTenantId("acme"), "member");
  idClaims = decodeJwt(user.idToken).payload;
  emulatorKey = emulatorSigningKey();
  attackerJwks = await startJwksServer([]);
  underTest = await build({
    userPoolId: stack.outputs.UserPoolId,
    clientId: stack.outputs.UserPoolClientId,
    jwksUrl: stack.jwksUrl,
    logRejection: (reason) => rejections.push(reason),
  });
  // The gateway's instance, built like a Lambda cold start: it logs nowhere the checks count. An
  // authorizer that cannot be built (a TODO threw) fails every call, and the gateway answers 500;
  // the checks call the handler directly first, so each reports the TODO.
  const forGateway = await build({
    userPoolId: stack.outputs.UserPoolId,
    clientId: stack.outputs.UserPoolClientId,
    jwksUrl: stack.jwksUrl,
    logRejection: () => {},
  });
  behindGateway = await serveToGateway(
    stack.relayUrl,
    forGateway.ok
      ? forGateway.authorize
      : async () => {
          throw forGateway.error;
        },
  );
});

afterAll(async () => {
  api.close();
  await attackerJwks?.close();
  await behindGateway?.close();
});

// ---------------------------------------------------------------------------
// Calling the authorizer under test

type Built = { ok: true; authorize: TokenAuthorizer } | { ok: false; error: unknown };

async function build(config: AuthorizerConfig): Promise<Built> {
  try {
    return { ok: true, authorize: await createAuthorizer(config) };
  } catch (error) {
    return { ok: false, error };
  }
}

function handlerOf(built: Built): TokenAuthorizer {
  if (built.ok) return built.authorize;
  throw isTodoError(built.error) ? built.error : new Error(`createAuthorizer threw ${describeError(built.error)}`);
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${JSON.stringify(error.message)}` : JSON.stringify(error);
}

type Outcome = { returned: APIGatewayAuthorizerResult } | { threw: unknown; logged: string[] };

/** Calls the handler as Lambda does; a TODO that throws fails the check with its own message. */
async function callHandler(authorize: TokenAuthorizer, header: string | undefined, log = rejections): Promise<Outcome> {
  const before = log.length;
  try {
    return {
      returned: await authorize({ type: "TOKEN", authorizationToken: header as string, methodArn: METHOD_ARN }),
    };
  } catch (error) {
    if (isTodoError(error)) throw error;
    return { threw: error, logged: log.slice(before) };
  }
}

function effectOf(result: APIGatewayAuthorizerResult): string {
  return result.policyDocument?.Statement?.map((s) => s.Effect).join(", ") || "no statement";
}

async function expectAllowed(
  authorize: TokenAuthorizer,
  header: string,
  log = rejections,
): Promise<APIGatewayAuthorizerResult> {
  const outcome = await callHandler(authorize, header, log);
  if ("threw" in outcome) {
    const todo = outcome.logged.find((reason) => reason.includes("TODO"));
    if (todo) throw new Error(`a valid ID token was refused because a TODO threw: ${todo}`);
    const logged = outcome.logged.length > 0 ? ` (logged: ${outcome.logged.join("; ")})` : "";
    throw new Error(`a valid ID token was refused: the handler threw ${describeError(outcome.threw)}${logged}`);
  }
  return outcome.returned;
}

/** Allowed by the handler with principalId = sub, and a 200 through the local API Gateway. */
async function expectAllowedEverywhere(header: string): Promise<void> {
  const result = await expectAllowed(handlerOf(underTest), header);
  expect(result.principalId, "principalId must be the token's sub").toBe(idClaims.sub);
  expect(effectOf(result), "the policy's effect").toBe("Allow");
  // The verified claims reach the policy (step 04's builder, given): the tenant is the token's.
  expect(result.context, "the policy's context").toMatchObject({
    tenantId: user.tenantId,
    userId: idClaims.sub,
    email: user.email,
    role: user.role,
  });
  const response = await api.call("GET", "/purchases", { authorization: header });
  expect(
    response.status,
    `GET /purchases through the local API Gateway answered ${response.status} ${response.text}`,
  ).toBe(200);
}

/** The handler throws exactly Error("Unauthorized"), and the local API Gateway answers 401. */
async function expectUnauthorizedEverywhere(header: string | undefined): Promise<void> {
  const outcome = await callHandler(handlerOf(underTest), header);
  if ("returned" in outcome) {
    throw new Error(
      `the handler returned a policy (${effectOf(outcome.returned)}): the caller gets that policy's answer (an Allow lets the request through, a Deny is a 403), not a 401`,
    );
  }
  const { threw, logged } = outcome;
  if (!(threw instanceof Error) || threw.message !== "Unauthorized") {
    throw new Error(
      `the handler threw ${describeError(threw)}: API Gateway answers the caller 500 for that; one outcome only is a 401 (README, "The TOKEN authorizer contract")`,
    );
  }
  const todo = logged.find((reason) => reason.includes("TODO"));
  if (todo) throw new Error(`refused only because a TODO threw: ${todo}`);
  const response = await api.call("GET", "/purchases", header === undefined ? {} : { authorization: header });
  expect(
    response.status,
    `GET /purchases through the local API Gateway answered ${response.status} ${response.text}`,
  ).toBe(401);
}

// ---------------------------------------------------------------------------
// Tokens

const now = () => Math.floor(Date.now() / 1000);

/** The user's ID token re-signed with the emulator's (public) key, `changes` applied (`undefined` removes a claim). */
const forged = (changes: JwtPayload, header?: JwtHeader) =>
  signJwt({ key: emulatorKey, payload: { ...idClaims, ...changes }, header });

const bearer = (token: string) => `Bearer ${token}`;

const attackerKeys = new Map<string, SigningKey>();
/**
 * The attacker's own key for one attack (not the emulator's, not another attack's), made on first
 * use: each attack's token is built twice, for its check and for the logging check.
 */
function attackerKey(attack: string, kid: string): SigningKey {
  let key = attackerKeys.get(attack);
  if (!key) attackerKeys.set(attack, (key = createSigningKey({ kid })));
  return key;
}

// ---------------------------------------------------------------------------
// Checks

describe("a valid ID token", () => {
  check(
    "is allowed: principalId is its sub, and the gateway answers 200",
    {
      hint: "a genuine ID token of this pool and app client is allowed: the handler returns step 04's policy for its claims, and the gateway a 200",
      todo: "authorizer.ts, TODO 1",
    },
    () => expectAllowedEverywhere(bearer(user.idToken)),
  );

  check(
    "is allowed bare, with `bearer` in any case, and with extra spaces",
    {
      hint: "the same token is allowed bare, after Bearer in any case, and with spaces around",
      todo: "authorizer.ts, TODO 2",
    },
    async () => {
      for (const header of [user.idToken, `bearer ${user.idToken}`, `BEARER   ${user.idToken}  `]) {
        await expectAllowedEverywhere(header);
      }
    },
  );

  check(
    "re-signed with the emulator's key, claims unchanged, is allowed (the control for the forged tokens below)",
    {
      hint: "the forged tokens below differ from this one in one claim only; if this one is refused, a check of yours refuses valid tokens",
      todo: "authorizer.ts, TODO 4",
    },
    () => expectAllowedEverywhere(bearer(forged({}))),
  );

  check(
    "is allowed with an iat a little ahead of this clock (clock skew)",
    {
      hint: "an iat a little ahead of this clock, within MAX_CLOCK_SKEW_SECONDS, is still allowed: clocks differ a little",
      todo: "authorizer.ts, TODO 4",
    },
    () => expectAllowedEverywhere(bearer(forged({ iat: now() + Math.floor(MAX_CLOCK_SKEW_SECONDS / 2) }))),
  );

  check(
    "of a user no operator put in a tenant is authenticated: an explicit Deny (the gateway's 403), not a 401",
    {
      hint: "a genuine token without custom:tenantId is verified (the given checkExtraClaims lets it through), and the policy denies it: a 403",
      todo: "authorizer.ts, TODO 1",
    },
    async () => {
      const header = bearer(forged({ "custom:tenantId": undefined }));
      const result = await expectAllowed(handlerOf(underTest), header);
      expect(result.principalId, "principalId must be the token's sub").toBe(idClaims.sub);
      expect(effectOf(result), "the policy's effect").toBe("Deny");
      const response = await api.call("GET", "/purchases", { authorization: header });
      expect(
        response.status,
        `GET /purchases through the local API Gateway answered ${response.status} ${response.text}`,
      ).toBe(403);
    },
  );
});

describe("the token is taken from the Authorization header", () => {
  check(
    'tokenFromHeader strips `Bearer ` in any case and the spaces around, keeps a bare token, and gives "" for nothing',
    {
      hint: 'tokenFromHeader gives the token alone for each header of the table, and "" for no header, an empty one or a lone Bearer',
      todo: "authorizer.ts, TODO 2",
    },
    () => {
      const cases: [string | undefined, string][] = [
        ["abc.def.ghi", "abc.def.ghi"],
        ["Bearer abc.def.ghi", "abc.def.ghi"],
        ["bearer abc.def.ghi", "abc.def.ghi"],
        ["  BEARER   abc.def.ghi  ", "abc.def.ghi"],
        ["Bearer", ""],
        ["Bearer   ", ""],
        ["", ""],
        [undefined, ""],
      ];
      expect(cases.map(([header]) => [header, tokenFromHeader(header)])).toEqual(cases);
    },
  );
});

interface Attack {
  name: string;
  /** The Authorization header's value; undefined: no header. */
  header: () => string | undefined;
  todo: string;
  hint: string;
  /** What the logged reason must name: the verifier's error for this token. */
  reason: RegExp;
  /** More to assert once the token was refused. */
  then?: () => void;
}

const VERIFY = "authorizer.ts, TODO 3";
const verifyHint = "the verifier refuses this token: the caller must get a 401, never a 403, a 500 or an Allow";
/** Any reason will do: checkTokenTimes (TODO 4) may say it in its own words. */
const ANY_REASON = /\S/;
/** An unknown kid: not in the JWKS, or (asked again within seconds) the penalty box's wait. */
const KID_NOT_IN_JWKS = /kid|JWKS/;

const ATTACKS: Attack[] = [
  {
    name: "no Authorization header",
    header: () => undefined,
    todo: "authorizer.ts, TODO 2",
    hint: "no header at all is a 401, not a crash (a crash is a 500): the verifier refuses an empty token",
    reason: /Empty JWT/,
  },
  {
    name: "an empty Authorization header",
    header: () => "",
    todo: "authorizer.ts, TODO 2",
    hint: "an empty header is an empty token, which the verifier refuses: a 401",
    reason: /Empty JWT/,
  },
  {
    name: "`Bearer` with nothing after it",
    header: () => "Bearer",
    todo: "authorizer.ts, TODO 2",
    hint: 'a lone Bearer is an empty token, not the token "Bearer": a 401',
    reason: /Empty JWT/,
  },
  {
    name: "not three parts (signature segment dropped)",
    header: () => bearer(user.idToken.split(".").slice(0, 2).join(".")),
    todo: VERIFY,
    hint: verifyHint,
    reason: /3 parts/,
  },
  {
    name: "an empty signature segment",
    header: () => bearer(user.idToken.replace(/\.[^.]+$/, ".")),
    todo: VERIFY,
    hint: verifyHint,
    reason: /3 parts/,
  },
  {
    name: "garbage that is not base64url JSON",
    header: () => bearer(["not", "json", "at all"].map(base64UrlEncode).join(".")),
    todo: VERIFY,
    hint: verifyHint,
    reason: /not a valid JSON/,
  },
  {
    name: "alg none, no signature",
    header: () => bearer(signJwt({ algorithm: "none", header: { kid: emulatorKey.kid }, payload: idClaims })),
    todo: VERIFY,
    hint: verifyHint,
    reason: /3 parts/,
  },
  {
    name: "alg none over a real signature",
    header: () => bearer(forged({}, { alg: "none" })),
    todo: VERIFY,
    hint: verifyHint,
    reason: /algorithm not allowed: none/,
  },
  {
    name: "HS256 signed with the JWKS's public key (PEM) as the HMAC secret",
    header: () => bearer(signJwt({ key: emulatorKey, algorithm: "HS256", payload: idClaims })),
    todo: VERIFY,
    hint: verifyHint,
    reason: /algorithm not allowed: HS256/,
  },
  {
    name: "HS256 signed with the JWKS's public key (its JWK's JSON) as the HMAC secret",
    header: () =>
      bearer(
        signJwt({
          key: emulatorKey,
          algorithm: "HS256",
          hmacSecret: JSON.stringify(emulatorKey.jwk),
          payload: idClaims,
        }),
      ),
    todo: VERIFY,
    hint: verifyHint,
    reason: /algorithm not allowed: HS256/,
  },
  {
    name: "RS384 header on the RS256 key",
    header: () => bearer(signJwt({ key: emulatorKey, algorithm: "RS384", payload: idClaims })),
    todo: VERIFY,
    hint: verifyHint,
    reason: /algorithm not allowed: RS384/,
  },
  {
    name: "a valid token with one payload character changed",
    header: () => bearer(withOnePayloadCharacterChanged(user.idToken, user.tenantId)),
    todo: VERIFY,
    hint: verifyHint,
    reason: /Invalid signature/,
  },
  {
    name: "a valid token made admin after signing",
    header: () => bearer(tamperPayload(user.idToken, { "cognito:groups": ["admin"] })),
    todo: VERIFY,
    hint: verifyHint,
    reason: /Invalid signature/,
  },
  {
    name: "a valid token whose exp was moved later after signing",
    header: () => bearer(tamperPayload(user.idToken, { exp: now() + 365 * 24 * 3600 })),
    todo: VERIFY,
    hint: verifyHint,
    reason: /Invalid signature/,
  },
  {
    name: "signed by another key with the same kid",
    header: () => bearer(signJwt({ key: attackerKey("same-kid", emulatorKey.kid), payload: idClaims })),
    todo: VERIFY,
    hint: verifyHint,
    reason: /Invalid signature/,
  },
  {
    name: "an unknown kid",
    header: () => bearer(signJwt({ key: attackerKey("unknown-kid", "attacker-key-1"), payload: idClaims })),
    todo: VERIFY,
    hint: verifyHint,
    reason: KID_NOT_IN_JWKS,
  },
  {
    name: "no kid",
    header: () => bearer(forged({}, { kid: undefined })),
    todo: VERIFY,
    hint: verifyHint,
    reason: /valid kid/,
  },
  {
    name: "the attacker's key embedded as a jwk header",
    header: () => {
      const attacker = attackerKey("jwk-header", emulatorKey.kid);
      return bearer(signJwt({ key: attacker, header: { jwk: attacker.jwk }, payload: idClaims }));
    },
    todo: VERIFY,
    hint: verifyHint,
    reason: /Invalid signature/,
  },
  ...(["jku", "x5u"] as const).map((field): Attack => ({
    name: `a ${field} header pointing at the attacker's keys`,
    header: () => {
      const attacker = attackerKey(field, `attacker-${field}`);
      attackerJwks.setKeys([attacker.jwk]);
      return bearer(signJwt({ key: attacker, header: { [field]: attackerJwks.url }, payload: idClaims }));
    },
    todo: VERIFY,
    hint: verifyHint,
    reason: KID_NOT_IN_JWKS,
    then: () => expect(attackerJwks.fetchCount(), `keys were fetched from the token's ${field} URL`).toBe(0),
  })),
  {
    name: "expired",
    header: () => bearer(forged({ exp: now() - 60 })),
    todo: VERIFY,
    hint: verifyHint,
    reason: /expired/,
  },
  {
    name: "nbf in the future",
    header: () => bearer(forged({ nbf: now() + 3600 })),
    todo: VERIFY,
    hint: verifyHint,
    reason: /can't be used before/,
  },
  {
    name: "iat in the future",
    header: () => bearer(forged({ iat: now() + 3600 })),
    todo: "authorizer.ts, TODO 4",
    hint: "aws-jwt-verify never checks iat: a token issued more than MAX_CLOCK_SKEW_SECONDS ahead is refused, a 401",
    reason: ANY_REASON,
  },
  {
    name: "no exp",
    header: () => bearer(forged({ exp: undefined })),
    todo: "authorizer.ts, TODO 4",
    hint: "aws-jwt-verify checks exp only when present: a token without one is refused, a 401",
    reason: ANY_REASON,
  },
  {
    name: "no iat",
    header: () => bearer(forged({ iat: undefined })),
    todo: "authorizer.ts, TODO 4",
    hint: "Cognito always sets iat: a token without one is refused, a 401",
    reason: ANY_REASON,
  },
  ...(
    [
      ["empty", ""],
      ["not a string", 42],
      ["outside the tenant-id pattern", "acme/../globex"],
    ] as const
  ).map(([what, value]): Attack => ({
    name: `a custom:tenantId that is ${what}`,
    header: () => bearer(forged({ "custom:tenantId": value })),
    todo: "authorizer.ts, TODO 1",
    hint: "aws-jwt-verify does not look at custom claims: the verifier must run the given tenant check too, so this token is a 401",
    reason: /not a valid tenant id/,
  })),
  ...(
    [
      ["another user pool", () => cognitoIssuer(LOCAL_REGION, `${LOCAL_REGION}_AnotherPool1`)],
      ["this pool's id in another region", () => cognitoIssuer("eu-west-1", stack.outputs.UserPoolId)],
      ["not Cognito, ending in this pool's id", () => `https://evil.example.com/${stack.outputs.UserPoolId}`],
    ] as const
  ).map(([what, issuer]): Attack => ({
    name: `wrong issuer (${what})`,
    header: () => bearer(forged({ iss: issuer() })),
    todo: "authorizer.ts, TODO 1",
    hint: "only this pool's issuer, compared whole, is accepted: a 401 for any other",
    reason: /issuer not configured/,
  })),
  {
    name: "wrong audience (another app client)",
    header: () => bearer(forged({ aud: "another0app0client0id00000" })),
    todo: "authorizer.ts, TODO 1",
    hint: "only this app client's tokens are accepted: another client's aud is a 401",
    reason: /audience/,
  },
  {
    name: "an access token where an ID token is required",
    header: () => bearer(user.accessToken),
    todo: "authorizer.ts, TODO 1",
    hint: "only ID tokens are accepted: the policy needs the tenant, which an access token does not carry",
    reason: /Token use not allowed: access/,
  },
  {
    name: "an ID token whose token_use says access",
    header: () => bearer(forged({ token_use: "access" })),
    todo: "authorizer.ts, TODO 1",
    hint: "the kind of token is what token_use says, whatever else it carries: an ID token that says access is a 401",
    reason: /Token use not allowed: access/,
  },
  {
    name: "a refresh token (the emulator's: signed, no kid, no token_use)",
    header: () => bearer(user.refreshToken),
    todo: VERIFY,
    hint: verifyHint,
    reason: /valid kid/,
  },
  {
    name: "a refresh token as Cognito issues it (encrypted JWE, five parts)",
    header: () => bearer(cognitoShapedRefreshToken()),
    todo: VERIFY,
    hint: verifyHint,
    reason: /3 parts/,
  },
];

describe("refused with exactly Unauthorized: 401, never a 500 or an Allow", () => {
  for (const attack of ATTACKS) {
    check(attack.name, { hint: attack.hint, todo: attack.todo }, async () => {
      await expectUnauthorizedEverywhere(attack.header());
      attack.then?.();
    });
  }
});

describe("why a token was refused is logged, never returned", () => {
  check(
    'each token of the catalogue logs one `name: message` reason, the verifier\'s own ("Token expired at …" for the expired one)',
    {
      hint: "each refusal logs exactly one reason, `name: message`, the verifier's own; nothing of it reaches the caller",
      todo: "authorizer.ts, TODO 3",
    },
    async () => {
      const wrong: string[] = [];
      for (const attack of ATTACKS) {
        const outcome = await callHandler(handlerOf(underTest), attack.header());
        if ("returned" in outcome) wrong.push(`${attack.name}: not refused (see its own check)`);
        else if (
          outcome.logged.length !== 1 ||
          !/^\w+: /.test(outcome.logged[0]!) ||
          !attack.reason.test(outcome.logged[0]!)
        ) {
          wrong.push(
            `${attack.name}: logged ${JSON.stringify(outcome.logged)}, expected one reason matching ${attack.reason}`,
          );
        }
      }
      expect(
        wrong,
        `${wrong.length} of ${ATTACKS.length} refusals logged the wrong thing:\n${wrong.join("\n")}`,
      ).toEqual([]);
    },
  );
});

describe("the verifier is built once per cold start", () => {
  const USER_POOL_ID = `${LOCAL_REGION}_ColdStart1`;
  const CLIENT_ID = "coldstart0client0id0000000";

  /** A fresh authorizer on a counting JWKS server: how often does it download the keys? */
  async function withCountingJwks(
    body: (authorize: TokenAuthorizer, jwks: JwksServer, key: SigningKey, log: string[]) => Promise<void>,
  ) {
    const key = createSigningKey({ kid: "cold-start-key" });
    const jwks = await startJwksServer([key.jwk]);
    const log: string[] = [];
    try {
      const built = await build({
        userPoolId: USER_POOL_ID,
        clientId: CLIENT_ID,
        jwksUrl: jwks.url,
        logRejection: (reason) => log.push(reason),
      });
      await body(handlerOf(built), jwks, key, log);
    } finally {
      await jwks.close();
    }
  }

  const tokenFor = (key: SigningKey, sub: string) =>
    signJwt({
      key,
      payload: cognitoIdTokenClaims({
        region: LOCAL_REGION,
        userPoolId: USER_POOL_ID,
        clientId: CLIENT_ID,
        sub,
        tenantId: "acme",
      }),
    });

  check(
    "the JWKS is downloaded at cold start, before the first request (hydrate)",
    {
      hint: "createAuthorizer has downloaded the JWKS once before it returns, so no request waits for the keys",
      todo: "authorizer.ts, TODO 1",
    },
    () =>
      withCountingJwks(async (_authorize, jwks) => {
        // One: the verifier hydrates both of the pool's issuer URLs, and jwksSource (given) shares the download.
        expect(jwks.fetchCount(), "JWKS downloads made by createAuthorizer, before any request").toBe(1);
      }),
  );

  check(
    "20 requests download the JWKS no more than the first one did",
    {
      hint: "20 requests cause no JWKS download beyond the first: one verifier, and its cache, serve them all",
      todo: "authorizer.ts, TODO 1",
    },
    () =>
      withCountingJwks(async (authorize, jwks, key, log) => {
        const first = await expectAllowed(authorize, bearer(tokenFor(key, "user-0")), log);
        expect(first.principalId).toBe("user-0");
        const afterFirst = jwks.fetchCount();
        for (let i = 1; i < 20; i += 1) {
          const result = await expectAllowed(authorize, bearer(tokenFor(key, `user-${i}`)), log);
          expect(result.principalId).toBe(`user-${i}`);
        }
        expect(jwks.fetchCount(), `JWKS downloads after 20 requests (after the first: ${afterFirst})`).toBe(afterFirst);
      }),
  );

  check(
    "a key published after cold start (rotation) is downloaded on the first token that needs it, then kept",
    {
      hint: "a kid published after cold start is downloaded once, on the first token that needs it, through the given jwksSource",
      todo: "authorizer.ts, TODO 1",
    },
    async () => {
      const key = createSigningKey({ kid: "rotated-in-key" });
      const jwks = await startJwksServer([]);
      const log: string[] = [];
      try {
        const authorize = handlerOf(
          await build({
            userPoolId: USER_POOL_ID,
            clientId: CLIENT_ID,
            jwksUrl: jwks.url,
            logRejection: (reason) => log.push(reason),
          }),
        );
        const atColdStart = jwks.fetchCount();
        jwks.setKeys([key.jwk]);
        expect((await expectAllowed(authorize, bearer(tokenFor(key, "user-rotated")), log)).principalId).toBe(
          "user-rotated",
        );
        await expectAllowed(authorize, bearer(tokenFor(key, "user-rotated")), log);
        expect(jwks.fetchCount() - atColdStart, "JWKS downloads for two requests signed by the new key").toBe(1);
      } finally {
        await jwks.close();
      }
    },
  );

  check(
    "a JWKS that cannot be downloaded at cold start is logged, and the authorizer still starts",
    {
      hint: "a JWKS that cannot be downloaded at cold start is logged once, and createAuthorizer still returns a handler",
      todo: "authorizer.ts, TODO 1",
    },
    async () => {
      const jwks = await startJwksServer([]);
      await jwks.close(); // Nothing listens at its URL any more.
      const log: string[] = [];
      const built = await build({
        userPoolId: USER_POOL_ID,
        clientId: CLIENT_ID,
        jwksUrl: jwks.url,
        logRejection: (reason) => log.push(reason),
      });
      handlerOf(built);
      expect(log, "createAuthorizer should log why the JWKS did not load").toHaveLength(1);
    },
  );
});
