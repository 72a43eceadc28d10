/**
 * Step 07's checkpoint, the session: your Session with a fake Cognito (a
 * refresher that counts its calls), a fake API and a clock the checks move.
 * The same module against the real emulator is in sign-out.test.ts.
 */
import { describe, expect } from "vitest";
import { check } from "../../../shared/checkpoint/check.ts";
import { Session, SignedOutError, type Refresher } from "../session.ts";

const NOW = 1_800_000_000_000;

/** An unsigned JWT with this `exp` (seconds): the session only reads it. */
function idTokenExpiringAt(expSeconds: number, n = 0): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", kid: "k" })}.${part({ exp: expSeconds, token_use: "id", n })}.c2ln`;
}

class FakeCognito implements Refresher {
  calls = 0;
  refusal: Error | undefined;
  failure: Error | undefined;
  constructor(private readonly clock: { now: number }) {}
  async refresh(refreshToken: string) {
    this.calls += 1;
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.refusal) throw this.refusal;
    if (this.failure) throw this.failure;
    if (refreshToken !== "refresh-1") throw new Error(`unexpected refresh token ${refreshToken}`);
    return {
      idToken: idTokenExpiringAt(this.clock.now / 1000 + 3600, this.calls),
      accessToken: `access-${this.calls}`,
    };
  }
}

function refusedByCognito(): Error {
  return Object.assign(new Error("Refresh Token has been revoked"), { name: "NotAuthorizedException" });
}

/** A session whose ID token has `secondsLeft` to live, an API answering `statuses` in turn. */
function setUp(secondsLeft: number, statuses: number[] = [200]) {
  const clock = { now: NOW };
  const cognito = new FakeCognito(clock);
  const sent: string[] = [];
  const fakeFetch = (async (_url: string | URL | Request, init?: RequestInit) => {
    sent.push(new Headers(init?.headers).get("Authorization") ?? "");
    return new Response(null, { status: statuses[Math.min(sent.length - 1, statuses.length - 1)] });
  }) as typeof fetch;
  const idToken = idTokenExpiringAt(NOW / 1000 + secondsLeft);
  const session = new Session(
    { idToken, accessToken: "access-0", refreshToken: "refresh-1" },
    { refresher: cognito, now: () => clock.now, refreshMarginSeconds: 300, fetch: fakeFetch },
  );
  return { clock, cognito, sent, idToken, session };
}

describe("an ID token that is still good", () => {
  check(
    "is used as it is while more than the margin is left",
    { todo: "session.ts, TODO 3", hint: "Compare the token's own exp claim with now() plus the margin." },
    async () => {
      const { session, idToken, cognito } = setUp(301);
      expect(await session.idToken()).toBe(idToken);
      expect(cognito.calls).toBe(0);
    },
  );
  check(
    "is refreshed once it is within the margin of expiring, before the API could refuse it",
    { todo: "session.ts, TODO 3", hint: "Within the margin (or expired), refresh, then return the new ID token." },
    async () => {
      const { session, idToken, cognito, clock } = setUp(3600);
      clock.now += (3600 - 299) * 1000;
      const fresh = await session.idToken();
      expect(fresh).not.toBe(idToken);
      expect(cognito.calls).toBe(1);
      expect(await session.idToken()).toBe(fresh);
      expect(cognito.calls).toBe(1);
    },
  );
  check(
    "is refreshed once for calls that arrive together",
    { todo: "session.ts, TODO 3", hint: "Use this.refresh(): it shares one refresh between its callers." },
    async () => {
      const { session, cognito } = setUp(10);
      const tokens = await Promise.all([session.idToken(), session.idToken(), session.idToken()]);
      expect(new Set(tokens).size).toBe(1);
      expect(cognito.calls).toBe(1);
    },
  );
});

describe("a call the API answers with 401", () => {
  check(
    "sends the ID token as a Bearer token",
    { todo: "session.ts, TODO 4", hint: "send() sets the header: call it." },
    async () => {
      const { session, sent, idToken } = setUp(3600, [200]);
      expect((await session.fetch("https://api.example/purchases")).status).toBe(200);
      expect(sent).toEqual([`Bearer ${idToken}`]);
    },
  );
  check(
    "refreshes once and retries once with the new token",
    { todo: "session.ts, TODO 4", hint: "After a 401: this.refresh(), then send() again." },
    async () => {
      const { session, sent, idToken, cognito } = setUp(3600, [401, 200]);
      expect((await session.fetch("https://api.example/purchases")).status).toBe(200);
      expect(cognito.calls).toBe(1);
      expect(sent).toHaveLength(2);
      expect(sent[1]).not.toBe(`Bearer ${idToken}`);
    },
  );
  check(
    "returns a second 401 instead of trying again: never a loop",
    { todo: "session.ts, TODO 4", hint: "At most two requests and one refresh per call." },
    async () => {
      const { session, sent, cognito } = setUp(3600, [401, 401, 401, 200]);
      expect((await session.fetch("https://api.example/purchases")).status).toBe(401);
      expect(sent).toHaveLength(2);
      expect(cognito.calls).toBe(1);
    },
  );
  check(
    "leaves every other status alone: a 403 is no reason to refresh",
    { todo: "session.ts, TODO 4", hint: "Only a 401 says the token is the problem; a 403 is the policy's answer." },
    async () => {
      const { session, sent, cognito } = setUp(3600, [403, 200]);
      expect((await session.fetch("https://api.example/purchases", { method: "DELETE" })).status).toBe(403);
      expect(sent).toHaveLength(1);
      expect(cognito.calls).toBe(0);
    },
  );
});

describe("a refresh Cognito refuses", () => {
  check(
    "ends the session with a SignedOutError, not the SDK's error",
    {
      todo: "session.ts, TODO 5",
      hint: "A NotAuthorizedException from the refresher: end() the session, throw new SignedOutError().",
    },
    async () => {
      const { session, cognito } = setUp(10);
      cognito.refusal = refusedByCognito();
      await expect(session.idToken()).rejects.toBeInstanceOf(SignedOutError);
      expect(session.signedIn).toBe(false);
    },
  );
  check(
    "then refuses every call without sending it",
    { todo: "session.ts, TODO 5", hint: "Once ended, the session holds no tokens: every call is a SignedOutError." },
    async () => {
      const { session, cognito, sent } = setUp(3600, [401]);
      cognito.refusal = refusedByCognito();
      await expect(session.fetch("https://api.example/purchases")).rejects.toBeInstanceOf(SignedOutError);
      const before = sent.length;
      await expect(session.fetch("https://api.example/purchases")).rejects.toBeInstanceOf(SignedOutError);
      expect(sent.length).toBe(before);
      expect(cognito.calls).toBe(1);
    },
  );
  check(
    "keeps the session when the refresh failed for another reason (the network)",
    {
      todo: "session.ts, TODO 5",
      hint: "Only Cognito's refusal signs out: rethrow anything else, and keep the tokens.",
    },
    async () => {
      const { session, cognito } = setUp(10);
      cognito.failure = new TypeError("fetch failed");
      await expect(session.idToken()).rejects.toThrow("fetch failed");
      expect(session.signedIn).toBe(true);
      cognito.failure = undefined;
      await expect(session.idToken()).resolves.toMatch(/\./);
    },
  );
});
