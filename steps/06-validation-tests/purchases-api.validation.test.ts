/**
 * Validation tests: the whole system, end to end over HTTP, against the stack
 * named in the outputs file (the local stack by default, the deployed one with
 * `--target aws`). Each test proves one promise of the design; together they
 * must fail on every broken system the checkpoint builds.
 *
 * The suite provisions its own tenants and users and removes them afterwards.
 * `WorkshopApi` (shared/test-helpers/workshop-api.ts) does the plumbing:
 * `api.user(tenantId, role)` gives a signed-in user with `idToken`,
 * `accessToken` and `refreshToken`; `api.call(method, path, { token, body,
 * headers })` calls the API and gives `{ status, body, text }`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readOutputsFile, type Target } from "../../shared/outputs-file.ts";
import { WorkshopApi, aPurchase, type TestUser } from "../../shared/test-helpers/workshop-api.ts";

const target = (process.env.WORKSHOP_TARGET ?? "local") as Target;
let api: WorkshopApi;
let alice: TestUser; // member of tenant A

beforeAll(async () => {
  api = new WorkshopApi(await readOutputsFile(target));
  alice = await api.user(WorkshopApi.newTenantId("val-a"), "member");
  // TODO 2–12 need more users: a viewer and an admin of alice's tenant, a member
  // of another tenant (bob) with a purchase of his own, made here once for all tests.
});

afterAll(async () => {
  await api?.cleanup();
  api?.close();
});

describe("the happy path", () => {
  it("a member records a purchase: 201 with the stored item", async () => {
    const created = await api.call("POST", "/purchases", { token: alice.idToken, body: aPurchase() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject(aPurchase());
  });
});

// Each TODO below is a promise of the design that this suite does not prove
// yet. The checkpoint runs your suite against a broken system for each one;
// write the test that fails on it (and passes on the real system).

describe("authentication (flow steps 1–4)", () => {
  // TODO 1: no Authorization header is a 401, on every route (not a 403: the
  //         request must never reach the handler).
  it.todo("TODO 1: no Authorization header is a 401 on every route");
  // TODO 2: an access token is refused (401): the API takes ID tokens only.
  it.todo("TODO 2: an access token is a 401");
  // TODO 3: an ID token issued to another app client is refused (401).
  //         Hint: `await api.signInThroughAnotherAppClient(alice)` gives one.
  it.todo("TODO 3: an ID token for another app client is a 401");
  // TODO 4: a token whose payload was changed is refused (401). Hint:
  //         `tamperPayload(token, { "custom:tenantId": "other" })` from
  //         shared/test-helpers/token-factory.ts keeps the old signature.
  it.todo("TODO 4: a tampered token is a 401");
  // TODO 5: an expired token is refused (401). Locally, mint one with the
  //         emulator's key: take alice's real claims,
  //         `decodeJwt(alice.idToken).payload` (token-factory.ts), move
  //         `iat`/`auth_time`/`exp` an hour or two into the past, and sign
  //         with `signJwt({ key: emulatorSigningKey(), payload })`
  //         (shared/test-helpers/emulator-signing-key.ts): only the expiry
  //         may be wrong. Skip it with `it.skipIf(target === "aws")` (no key there).
  it.todo("TODO 5: an expired token is a 401");
});

describe("authorization (flow steps 5–6)", () => {
  // TODO 6: a viewer may read (200) but not create (403).
  it.todo("TODO 6: a viewer cannot POST");
  // TODO 7: a member may not delete (403), and the purchase is still there.
  it.todo("TODO 7: a member cannot DELETE");
  // TODO 8: one token works on every route it may call: API Gateway caches
  //         the first policy per token and reuses it on the next routes. Use
  //         a fresh user's token on POST, then list, then GET by id.
  it.todo("TODO 8: one token, every allowed route");
});

describe("tenant isolation (flow steps 6–8)", () => {
  // TODO 9: an `X-Tenant-Id` header naming another tenant changes nothing.
  it.todo("TODO 9: an X-Tenant-Id header is ignored");
  // TODO 10: a `tenantId` in the body is refused with a 400 naming it.
  it.todo("TODO 10: a tenantId in the body is a 400");
  // TODO 11: a list never holds another tenant's purchases.
  it.todo("TODO 11: a list holds only the caller's tenant");
  // TODO 12: another tenant's purchase id is a 404 (not a 403).
  it.todo("TODO 12: another tenant's purchase is a 404");
});
