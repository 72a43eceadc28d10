/**
 * Step 07's checkpoint, signing out: your session check and your POST
 * /sign-out served by the local stack (Cognito emulator, DynamoDB emulator,
 * local API Gateway, the reference authorizer before your check), called over
 * HTTP as a client would. One stack without the authorizer cache, so every
 * request reaches your check; one with the deployed cache (300 s) and a
 * gateway clock the checks move, to measure how long a cached policy outlives
 * a sign-out.
 */
import {
  AdminAddUserToGroupCommand,
  AdminRemoveUserFromGroupCommand,
  CognitoIdentityProviderClient,
  GetUserCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { AUTHORIZER } from "../../../shared/runtime/purchases-api.ts";
import { revocationRecordLifetimeSeconds } from "../../../shared/runtime/token-lifetimes.ts";
import { check } from "../../../shared/checkpoint/check.ts";
import { isTodoError } from "../../../shared/checkpoint/todo.ts";
import { startLocalStack, type LocalStack } from "../../../shared/local-stack/local-stack.ts";
import { LOCAL_CREDENTIALS } from "../../../shared/local-stack/local-credentials.ts";
import { TEST_PASSWORD, WorkshopApi, type TestUser } from "../../../shared/test-helpers/workshop-api.ts";
import { endAllSessions } from "../operator.ts";
import { RevocationTable, type Revocation, type RevocationReader } from "../revocations.ts";
import { Session, SignedOutError } from "../session.ts";
import { whyRefused, type SessionClaims } from "../session-check.ts";
import { createSignOutHandler } from "../sign-out-handler.ts";

/** A TODO your code threw inside the stack (where the gateway turns it into a 500): the check reports it instead. */
let todoThrown: Error | undefined;
const noteTodo = (error: unknown) => {
  if (isTodoError(error)) todoThrown ??= error;
};

async function startStack(options: { authorizerCacheTtlSeconds: number; gatewayClock?: () => number }) {
  return startLocalStack({
    ...options,
    async whyRefused(claims, records) {
      try {
        return await whyRefused(claims, records);
      } catch (error) {
        noteTodo(error);
        throw error;
      }
    },
    createSignOutHandler: (config) =>
      createSignOutHandler({
        ...config,
        logError: (message, error) => {
          noteTodo(error);
          config.logError?.(message, error);
        },
      }),
  });
}

let uncached: LocalStack;
let cached: LocalStack;
let api: WorkshopApi;
let cachedApi: WorkshopApi;
const gatewayTime = { offsetMs: 0 };

beforeAll(async () => {
  [uncached, cached] = await Promise.all([
    startStack({ authorizerCacheTtlSeconds: 0 }),
    startStack({
      authorizerCacheTtlSeconds: AUTHORIZER.resultsCacheTtlSeconds,
      gatewayClock: () => Date.now() + gatewayTime.offsetMs,
    }),
  ]);
  api = new WorkshopApi(uncached.outputs);
  cachedApi = new WorkshopApi(cached.outputs);
}, 60_000);

afterAll(async () => {
  await Promise.all([uncached?.stop(), cached?.stop()]);
});

/** What `send` answers; a TODO your code threw on the way (inside the stack) is thrown instead. */
async function throughStack<T>(send: () => Promise<T>): Promise<T> {
  todoThrown = undefined;
  const result = await send().catch((error: unknown) => {
    if (todoThrown) throw todoThrown;
    throw error;
  });
  if (todoThrown) throw todoThrown;
  return result;
}

const call = (target: WorkshopApi, method: string, path: string, token: string, body?: unknown) =>
  throughStack(() => target.call(method, path, { token, body }));

const signOut = (target: WorkshopApi, user: Pick<TestUser, "idToken" | "refreshToken">, everywhere?: boolean) =>
  call(target, "POST", "/sign-out", user.idToken, {
    refreshToken: user.refreshToken,
    ...(everywhere ? { everywhere } : {}),
  });

/** A second sign-in of the same user: another device. */
async function secondDevice(target: WorkshopApi, user: TestUser): Promise<TestUser> {
  return { ...user, ...(await target.auth.signIn(user.email, TEST_PASSWORD)) };
}

async function refreshRefused(target: WorkshopApi, user: TestUser): Promise<boolean> {
  return target.auth.refresh(user.refreshToken).then(
    () => false,
    (error: { code?: string }) => error.code === "NotAuthorizedException",
  );
}

function claimsOf(jwt: string): SessionClaims & Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8"));
}

/** Revocation records in memory, for checks of your session check alone. */
function records(sessions: Record<string, Revocation> = {}, users: Record<string, Revocation> = {}): RevocationReader {
  return {
    session: async (originJti) => sessions[originJti],
    user: async (sub) => users[sub],
  };
}

describe("the session check, on its own", () => {
  const claims = { sub: "user-1", origin_jti: "session-1", auth_time: 1_800_000_000 };
  check(
    "lets a session through that nobody signed out, and another session of a signed-out one",
    { todo: "session-check.ts, TODO 9", hint: "No record for this session, no cut-off after its sign-in: undefined." },
    async () => {
      expect(await whyRefused(claims, records())).toBeUndefined();
      expect(await whyRefused(claims, records({ "session-2": { revokedAt: 1_800_000_100 } }))).toBeUndefined();
      expect(await whyRefused(claims, records({}, { "user-1": { revokedAt: 1_799_999_999 } }))).toBeUndefined();
    },
  );
  check(
    "refuses a signed-out session, and a session begun at or before its user's sign-out everywhere",
    { todo: "session-check.ts, TODO 9", hint: "records.session(origin_jti); records.user(sub) against auth_time." },
    async () => {
      expect(await whyRefused(claims, records({ "session-1": { revokedAt: 1_800_000_100 } }))).toEqual(
        expect.any(String),
      );
      expect(await whyRefused(claims, records({}, { "user-1": { revokedAt: 1_800_000_100 } }))).toEqual(
        expect.any(String),
      );
      expect(await whyRefused(claims, records({}, { "user-1": { revokedAt: 1_800_000_000 } }))).toEqual(
        expect.any(String),
      );
    },
  );
  check(
    "refuses a token that names no session or no sign-in time: it cannot be checked",
    { todo: "session-check.ts, TODO 9", hint: "Fail closed: without origin_jti or auth_time, return a reason." },
    async () => {
      expect(await whyRefused({ sub: "user-1", auth_time: 1_800_000_000 }, records())).toEqual(expect.any(String));
      expect(await whyRefused({ sub: "user-1", origin_jti: "", auth_time: 1_800_000_000 }, records())).toEqual(
        expect.any(String),
      );
      expect(await whyRefused({ sub: "user-1", origin_jti: "session-1" }, records())).toEqual(expect.any(String));
    },
  );
});

describe("POST /sign-out on one device (authorizer cache off)", () => {
  check(
    "answers 400 to a body without a refresh token, 204 to one with it; then that session's ID token gets 401 and its refresh token no new tokens",
    {
      todo: "sign-out-handler.ts, TODO 10",
      hint: "Record the session (sessionId) as revoked, and revoke the refresh token at Cognito.",
    },
    async () => {
      const alice = await api.user("acme");
      const bad = await call(api, "POST", "/sign-out", alice.idToken, { everywhere: true });
      expect(bad.status, "a body without refreshToken").toBe(400);
      expect(bad.text).toMatch(/refreshToken/);
      expect((await call(api, "GET", "/purchases", alice.idToken)).status).toBe(200);
      expect((await signOut(api, alice)).status).toBe(204);
      const after = await call(api, "GET", "/purchases", alice.idToken);
      expect(after.status).toBe(401);
      expect(after.body).toEqual({ message: "Unauthorized" });
      expect(await refreshRefused(api, alice)).toBe(true);
    },
  );
  check(
    "ends the session at Cognito too: GetUser with its access token is refused",
    {
      todo: "sign-out-handler.ts, TODO 10",
      hint: "RevokeToken (config.cognito.revokeRefreshToken) revokes the session's access tokens at Cognito.",
    },
    async () => {
      const alice = await api.user("acme");
      expect((await signOut(api, alice)).status).toBe(204);
      const cognito = new CognitoIdentityProviderClient({
        endpoint: uncached.outputs.CognitoEndpoint,
        region: uncached.outputs.Region,
        credentials: LOCAL_CREDENTIALS,
      });
      try {
        const refused = await cognito.send(new GetUserCommand({ AccessToken: alice.accessToken })).then(
          () => undefined,
          (error: Error) => error.name,
        );
        expect(refused).toBe("NotAuthorizedException");
      } finally {
        cognito.destroy();
      }
    },
  );
  check(
    "leaves the user's other sessions working",
    { todo: "session-check.ts, TODO 9", hint: "Refuse by the token's session (origin_jti), not by its user." },
    async () => {
      const laptop = await api.user("acme");
      const phone = await secondDevice(api, laptop);
      expect((await signOut(api, laptop)).status).toBe(204);
      expect((await call(api, "GET", "/purchases", laptop.idToken)).status).toBe(401);
      expect((await call(api, "GET", "/purchases", phone.idToken)).status).toBe(200);
      expect(await refreshRefused(api, phone)).toBe(false);
    },
  );
  check(
    "keeps the record as long as a token of the session could be shown: the refresh token's life and an ID token's",
    {
      todo: "sign-out-handler.ts, TODO 10",
      hint: "expiresAt = revokedAt + config.recordLifetimeSeconds, in seconds since the epoch.",
    },
    async () => {
      const alice = await api.user("acme");
      const sessionId = claimsOf(alice.idToken).origin_jti as string;
      const before = Math.floor(Date.now() / 1000);
      expect((await signOut(api, alice)).status).toBe(204);
      const db = DynamoDBDocumentClient.from(
        new DynamoDBClient({
          endpoint: uncached.outputs.DynamoDbEndpoint,
          region: uncached.outputs.Region,
          credentials: LOCAL_CREDENTIALS,
        }),
      );
      try {
        const { Item } = await db.send(
          new GetCommand({ TableName: uncached.outputs.RevocationsTableName, Key: { pk: `session#${sessionId}` } }),
        );
        expect(Item, "no revocation record for the signed-out session").toBeDefined();
        const lifetime = revocationRecordLifetimeSeconds(uncached.cognito.definition.client);
        expect(Item!.revokedAt).toBeGreaterThanOrEqual(before);
        expect(Item!.expiresAt).toBe(Item!.revokedAt + lifetime);
      } finally {
        db.destroy();
      }
    },
  );
});

describe("POST /sign-out everywhere, and the operator", () => {
  check(
    "ends every session of the user: each ID token gets 401, each refresh is refused",
    {
      todo: "sign-out-handler.ts, TODO 10",
      hint: "everywhere: record the user's cut-off, and sign out globally at Cognito.",
    },
    async () => {
      const laptop = await api.user("acme");
      const phone = await secondDevice(api, laptop);
      const colleague = await api.user("acme");
      expect((await signOut(api, laptop, true)).status).toBe(204);
      for (const device of [laptop, phone]) {
        expect((await call(api, "GET", "/purchases", device.idToken)).status).toBe(401);
        expect(await refreshRefused(api, device)).toBe(true);
      }
      expect((await call(api, "GET", "/purchases", colleague.idToken)).status).toBe(200);
    },
  );
  check(
    "makes an operator's role change hold for new requests: the old token is refused, a new sign-in has the new role",
    {
      todo: "session-check.ts, TODO 9",
      hint: "endAllSessions (given) records a cut-off for the user: tokens from before it are refused.",
    },
    async () => {
      const member = await api.user("acme", "member");
      expect(
        (await call(api, "POST", "/purchases", member.idToken, { item: "coffee", amountCents: 350, currency: "EUR" }))
          .status,
      ).toBe(201);
      const cognito = new CognitoIdentityProviderClient({
        endpoint: uncached.outputs.CognitoEndpoint,
        region: uncached.outputs.Region,
        credentials: LOCAL_CREDENTIALS,
      });
      const ddb = new DynamoDBClient({
        endpoint: uncached.outputs.DynamoDbEndpoint,
        region: uncached.outputs.Region,
        credentials: LOCAL_CREDENTIALS,
      });
      try {
        const UserPoolId = uncached.outputs.UserPoolId;
        await cognito.send(
          new AdminRemoveUserFromGroupCommand({ UserPoolId, Username: member.email, GroupName: "member" }),
        );
        await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId, Username: member.email, GroupName: "viewer" }));
        await endAllSessions(
          {
            cognito,
            userPoolId: UserPoolId,
            clientId: uncached.outputs.UserPoolClientId,
            revocations: new RevocationTable(DynamoDBDocumentClient.from(ddb), uncached.outputs.RevocationsTableName),
            recordLifetimeSeconds: revocationRecordLifetimeSeconds(uncached.cognito.definition.client),
          },
          claimsOf(member.idToken).sub,
        );
      } finally {
        cognito.destroy();
        ddb.destroy();
      }
      expect(
        (await call(api, "POST", "/purchases", member.idToken, { item: "tea", amountCents: 200, currency: "EUR" }))
          .status,
      ).toBe(401);
      // A sign-in in the very second of the cut-off is refused too: the next second's is the viewer's.
      await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 50));
      const viewer = await api.auth.signIn(member.email, TEST_PASSWORD);
      expect((await call(api, "GET", "/purchases", viewer.idToken)).status).toBe(200);
      expect(
        (await call(api, "POST", "/purchases", viewer.idToken, { item: "tea", amountCents: 200, currency: "EUR" }))
          .status,
      ).toBe(403);
    },
  );
});

describe("a session object against the real stack", () => {
  check(
    "ends in SignedOutError once signed out elsewhere: one 401, one refused refresh, no loop",
    { todo: "session.ts, TODO 5", hint: "A refused refresh is Cognito's NotAuthorizedException: a SignedOutError." },
    async () => {
      const laptop = await api.user("acme");
      const phone = await secondDevice(api, laptop);
      const session = new Session(phone, { refresher: api.auth });
      expect((await throughStack(() => session.fetch(`${api.apiUrl}/purchases`))).status).toBe(200);
      expect((await signOut(api, laptop, true)).status).toBe(204);
      await expect(throughStack(() => session.fetch(`${api.apiUrl}/purchases`))).rejects.toBeInstanceOf(SignedOutError);
      expect(session.signedIn).toBe(false);
    },
  );
});

describe("the authorizer cache (300 s, as deployed)", () => {
  check(
    "serves a signed-out token from its cache until the cached policy expires: then 401",
    {
      todo: "sign-out-handler.ts, TODO 10",
      hint: "Nothing to change here: this measures the trade-off the README explains.",
    },
    async () => {
      gatewayTime.offsetMs = 0;
      const alice = await cachedApi.user("acme");
      expect((await call(cachedApi, "GET", "/purchases", alice.idToken)).status).toBe(200);
      expect((await signOut(cachedApi, alice)).status).toBe(204);
      // Still inside the TTL: API Gateway does not ask the authorizer, so the sign-out is not seen.
      gatewayTime.offsetMs = (AUTHORIZER.resultsCacheTtlSeconds - 1) * 1000;
      expect((await call(cachedApi, "GET", "/purchases", alice.idToken)).status).toBe(200);
      gatewayTime.offsetMs = AUTHORIZER.resultsCacheTtlSeconds * 1000;
      expect((await call(cachedApi, "GET", "/purchases", alice.idToken)).status).toBe(401);
    },
  );
});
