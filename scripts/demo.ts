/**
 * `npm run demo [-- --target aws | --mine]`: the eight-step flow, live, then
 * step 07's sign-out and step 08's Flow B (demo-flow-b.ts). Every call is
 * printed as the curl a person could type (an AWS SDK call as one line naming
 * the operation) and its answer checked; exit 0 only when every step behaved as the story
 * says. It runs on the reference system; `--mine` runs it on a local stack
 * serving the learner's finished pieces, as `npm run local` does.
 */
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { AuthError } from "../solutions/02-user-pool/auth-client.ts";
import { authClientConfig } from "../shared/auth-client-config.ts";
import { PROJECT_ROOT } from "../shared/project-root.ts";
import { AUTHORIZER } from "../shared/runtime/purchases-api.ts";
import { parseTarget, runMain } from "./lib/cli-args.ts";
import { FAIL, PASS, style } from "./lib/console-style.ts";
import { DEMO_USERS, newDemoPasswords, type DemoUser, type DemoUserName } from "./lib/demo-cast.ts";
import { deleteUser } from "./lib/demo-cleanup.ts";
import { tellFlowB, type FlowBTokens } from "./lib/demo-flow-b.ts";
import { CurlPrinter, type HttpResult } from "./lib/http-call.ts";
import { MINE_IS_LOCAL, openDemoTarget, STARTING, type DemoTarget } from "./lib/demo-target.ts";
import type { WorkshopTarget } from "./lib/workshop-target.ts";

type UserName = DemoUserName;

class Story {
  failures: string[] = [];
  checks = 0;

  chapter(flowSteps: string, title: string) {
    console.log(`\n${style.bold(`[${flowSteps}] ${title}`)}`);
  }

  say(text: string) {
    console.log(`  ${style.dim(text)}`);
  }

  check(ok: boolean, what: string, detail = "") {
    this.checks += 1;
    console.log(`  ${ok ? PASS : FAIL} ${what}${detail ? style.dim(` ${detail}`) : ""}`);
    if (!ok) this.failures.push(what);
  }

  /** `shown` replaces the response body in the output (tokens are long and secret). */
  expectStatus(result: HttpResult, expected: number, what: string, shown?: string) {
    const body = shown ?? (result.text.length > 120 ? `${result.text.slice(0, 120)}…` : result.text);
    this.check(result.status === expected, `${what}: ${result.status}`, body);
  }
}

async function main(): Promise<number> {
  const { target, mine } = parseTarget(process.argv.slice(2), ["mine"]);
  if (mine && target !== "local") throw new Error(MINE_IS_LOCAL);
  const story = new Story();
  const curl = new CurlPrinter();
  const started = Date.now();

  const against = target === "aws" ? "the deployed stack" : mine ? "the local stack, your code" : "the local stack";
  console.log(style.bold(`Auth workshop demo: the eight-step flow against ${against}`));
  if (target === "local" && !mine) {
    console.log(style.dim("Serving the reference (solutions/); `npm run demo -- --mine` tells it on your code."));
    console.log(style.dim(STARTING));
  }
  const workshop = await openDemoTarget(target, {
    mine,
    say(line, kind) {
      if (kind === "summary") console.log(`${style.bold("Serving")} ${line}`);
      else console.log(kind === "warning" ? style.yellow(line) : style.dim(line));
    },
  });
  try {
    const { passwords, tokens } = await tellTheStory(workshop, story, curl);
    await tellTheSignOut(workshop, story, curl, passwords.alice);
    await tellFlowB(workshop.outputs, story, curl, tokens, { mine, deployed: workshop.target === "aws" });
  } finally {
    await workshop.close();
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (story.failures.length === 0) {
    console.log(
      `\n${PASS} ${style.bold(`All ${story.checks} checks behaved as the story says`)} ${style.dim(`(${seconds} s)`)}`,
    );
    return 0;
  }
  console.log(
    `\n${FAIL} ${style.bold(`${story.failures.length} of ${story.checks} checks did not behave as the story says:`)}`,
  );
  for (const failure of story.failures) console.log(`  - ${failure}`);
  return 1;
}

/** The eight steps; resolves with this run's passwords and the tokens of the users' first sign-in. */
async function tellTheStory(
  workshop: WorkshopTarget,
  story: Story,
  curl: CurlPrinter,
): Promise<{ passwords: Record<UserName, string>; tokens: FlowBTokens }> {
  const { outputs } = workshop;
  const api = outputs.ApiUrl.replace(/\/$/, "");
  curl.define("API", api);
  curl.define("COGNITO", workshop.cognitoUrl.replace(/\/$/, ""));
  console.log(style.dim(`  API=${api}`));
  console.log(style.dim(`  COGNITO=${workshop.cognitoUrl.replace(/\/$/, "")}`));

  story.chapter("setup", "An operator creates two tenants and their users (admin API, IAM credentials)");
  // New passwords each run, shown once here: the commands below use them as $ALICE_PASSWORD and so on.
  const passwords = newDemoPasswords();
  const operator = new CognitoIdentityProviderClient(authClientConfig(outputs));
  try {
    for (const [name, user] of Object.entries(DEMO_USERS) as [UserName, DemoUser][]) {
      await provision(workshop, operator, user, passwords[name]);
      curl.define(user.passwordVariable, passwords[name]);
      story.say(
        `${user.email.padEnd(20)} tenant ${user.tenantId.padEnd(7)} group ${user.role.padEnd(7)} password ${passwords[name]}`,
      );
    }
  } finally {
    operator.destroy();
  }

  story.chapter("1-2", "Users sign in with email and password; Cognito answers with three JWTs");
  const tokens = {} as Record<UserName, { idToken: string; accessToken: string }>;
  for (const [name, user] of Object.entries(DEMO_USERS) as [UserName, DemoUser][]) {
    const { result, auth } = await initiateAuth(curl, workshop, "USER_PASSWORD_AUTH", {
      USERNAME: user.email,
      PASSWORD: passwords[name],
    });
    story.expectStatus(result, 200, `${user.email} signs in`, auth.IdToken ? "" : undefined);
    tokens[name] = { idToken: auth.IdToken ?? "", accessToken: auth.AccessToken ?? "" };
    curl.define(user.tokenVariable, tokens[name].idToken);
    if (name === "alice") {
      story.check(Boolean(auth.IdToken && auth.AccessToken && auth.RefreshToken), "Cognito returns three tokens:");
      for (const [token, purpose] of [
        ["IdToken", "who the user is (email, tenant, groups): what our API checks"],
        ["AccessToken", "what the user may do with Cognito's own APIs (scopes)"],
        [
          "RefreshToken",
          workshop.target === "local"
            ? "only trades for new ID and access tokens (the emulator's is a plain JWT; AWS's is encrypted, opaque)"
            : "opaque (encrypted); only trades for new ID and access tokens",
        ],
      ] as const) {
        story.say(`  ${token.padEnd(13)} ${(auth[token] ?? "").slice(0, 24)}…  ${purpose}`);
      }
      curl.define("ALICE_ACCESS_TOKEN", tokens[name].accessToken);
      showIdToken(story, auth.IdToken ?? "");
    }
  }
  if (workshop.target === "aws") {
    const envFile = await writeDemoEnv(api, workshop.cognitoUrl, tokens, passwords);
    story.say(`The commands use shell variables: \`source ${envFile}\` to type them yourself (tokens live 1 hour).`);
    story.say(
      "The demo's users stay, with this run's passwords, until `npm run cleanup -- --target aws` removes them.",
    );
  } else {
    story.say(
      "The commands use shell variables for the URLs and tokens; this local stack stops with the demo (`npm run local` keeps one running).",
    );
  }

  const bearer = (name: UserName) => ({ Authorization: `Bearer ${tokens[name].idToken}` });
  const alice = bearer("alice");
  const purchase = { item: "Mechanical keyboard", amountCents: 12900, currency: "USD" };

  story.chapter("3-4", "API Gateway hands the token to the Lambda authorizer, which verifies it");
  story.expectStatus(
    await curl.send({ method: "GET", url: `${api}/purchases` }),
    401,
    "no Authorization header: refused before the authorizer runs",
  );
  story.expectStatus(
    await curl.send({
      method: "GET",
      url: `${api}/purchases`,
      headers: { Authorization: `Bearer ${tokens.alice.accessToken}` },
    }),
    401,
    "an access token where an ID token is required",
  );
  story.expectStatus(
    await curl.send({ method: "GET", url: `${api}/purchases`, headers: { Authorization: "Bearer not.a.token" } }),
    401,
    "a token that is not a JWT",
  );

  story.chapter("5-6", "The authorizer answers with a policy for the user's role; API Gateway enforces it");
  story.expectStatus(
    await curl.send({
      method: "POST",
      url: `${api}/purchases`,
      headers: { ...bearer("vera"), "Content-Type": "application/json" },
      body: JSON.stringify(purchase),
    }),
    403,
    "a viewer may not record a purchase",
  );
  const created = await curl.send({
    method: "POST",
    url: `${api}/purchases`,
    headers: { ...alice, "Content-Type": "application/json" },
    body: JSON.stringify(purchase),
  });
  story.expectStatus(created, 201, "a member records a purchase");
  const purchaseId = (created.json as { purchaseId?: string } | undefined)?.purchaseId ?? "missing";
  story.check(
    (created.json as { tenantId?: string } | undefined)?.tenantId === "acme",
    "stored under the token's tenant, acme",
  );
  story.expectStatus(
    await curl.send({ method: "DELETE", url: `${api}/purchases/${purchaseId}`, headers: alice }),
    403,
    "a member may not delete",
  );

  story.chapter("7", "The purchases Lambda reads and writes only the caller's tenant");
  const bobsOwn = await curl.send({
    method: "POST",
    url: `${api}/purchases`,
    headers: { ...bearer("bob"), "Content-Type": "application/json", "X-Tenant-Id": "acme" },
    body: JSON.stringify({ item: "Coffee beans", amountCents: 1800, currency: "EUR" }),
  });
  story.expectStatus(bobsOwn, 201, "bob (globex) records a purchase, claiming tenant acme in a header");
  story.check(
    (bobsOwn.json as { tenantId?: string } | undefined)?.tenantId === "globex",
    "the header is ignored: stored under globex",
  );
  const forged = await curl.send({
    method: "POST",
    url: `${api}/purchases`,
    headers: { ...bearer("bob"), "Content-Type": "application/json" },
    body: JSON.stringify({ ...purchase, tenantId: "acme" }),
  });
  story.expectStatus(forged, 400, "a tenantId in the body is rejected");
  const bobList = await curl.send({ method: "GET", url: `${api}/purchases`, headers: bearer("bob") });
  story.expectStatus(bobList, 200, "bob lists his tenant's purchases");
  const bobSees = ((bobList.json as { purchases?: { tenantId: string }[] } | undefined)?.purchases ?? []).map(
    (p) => p.tenantId,
  );
  story.check(
    bobSees.length > 0 && bobSees.every((t) => t === "globex"),
    "bob sees only globex purchases",
    `(${bobSees.length} listed)`,
  );
  story.expectStatus(
    await curl.send({ method: "GET", url: `${api}/purchases/${purchaseId}`, headers: bearer("bob") }),
    404,
    "bob asks for alice's purchase by id: not found",
  );
  story.expectStatus(
    await curl.send({ method: "DELETE", url: `${api}/purchases/${purchaseId}`, headers: bearer("bob") }),
    403,
    "bob may not delete anything (member)",
  );

  story.chapter("8", "The answers go back to the users");
  const aliceList = await curl.send({ method: "GET", url: `${api}/purchases?limit=10`, headers: alice });
  story.expectStatus(aliceList, 200, "alice lists acme's purchases");
  const aliceSees =
    (aliceList.json as { purchases?: { purchaseId: string; tenantId: string }[] } | undefined)?.purchases ?? [];
  story.check(
    aliceSees.some((p) => p.purchaseId === purchaseId) && aliceSees.every((p) => p.tenantId === "acme"),
    "alice sees her purchase and nothing of globex",
  );
  story.expectStatus(
    await curl.send({ method: "GET", url: `${api}/purchases`, headers: bearer("vera") }),
    200,
    "vera (viewer) may read",
  );
  story.expectStatus(
    await curl.send({ method: "DELETE", url: `${api}/purchases/${purchaseId}`, headers: bearer("adam") }),
    204,
    "adam (admin) deletes the purchase",
  );
  story.expectStatus(
    await curl.send({ method: "GET", url: `${api}/purchases/${purchaseId}`, headers: alice }),
    404,
    "and it is gone",
  );
  return { passwords, tokens };
}

/**
 * Going further, step 07: alice signs out of one device, then of all of them,
 * and the API stops accepting those sessions' tokens. A token's cached policy
 * outlives its sign-out, so the story runs where every request reaches the
 * authorizer (a second local stack, cache off), and then shows the cache's
 * effect on the demo's own gateway (cache on, as deployed; on AWS, the only
 * part that runs).
 */
async function tellTheSignOut(workshop: DemoTarget, story: Story, curl: CurlPrinter, password: string) {
  const ttl = AUTHORIZER.resultsCacheTtlSeconds;
  const alice = DEMO_USERS.alice;
  story.chapter("going further: step 07", "A sign-out that holds");
  if (!workshop.openWithoutCache) {
    story.say(
      `The deployed API caches a token's policy for ${ttl} s and the demo cannot turn that off: a token used before its sign-out keeps working until that policy expires; its refresh is refused at once.`,
    );
    await cachedSignOut(workshop, story, curl, password, 1);
    return;
  }
  story.say(
    `API Gateway caches a token's policy for ${ttl} s (as deployed), so a token used before its sign-out keeps working until its cached policy expires: this story runs on a second local stack with the cache off, then shows the cache on.`,
  );
  const uncached = await workshop.openWithoutCache();
  try {
    const api = uncached.outputs.ApiUrl.replace(/\/$/, "");
    const cognito = uncached.cognitoUrl.replace(/\/$/, "");
    curl.define("NOCACHE_API", api);
    curl.define("NOCACHE_COGNITO", cognito);
    console.log(style.dim(`  NOCACHE_API=${api}`));
    console.log(style.dim(`  NOCACHE_COGNITO=${cognito}`));
    await uncached.auth.addUserToTenant({ email: alice.email, password, tenantId: alice.tenantId, role: alice.role });
    story.say(
      `${alice.email} exists in that stack's user pool too (tenant ${alice.tenantId}, group ${alice.role}, $ALICE_PASSWORD)`,
    );

    const one = await signInDevice(uncached, story, curl, password, 1);
    const two = await signInDevice(uncached, story, curl, password, 2);
    for (const device of [one, two]) {
      story.expectStatus(await listPurchases(curl, api, device), 200, `device ${device.n}'s ID token works`);
    }
    story.expectStatus(await signOut(curl, api, one), 204, "device 1 signs out with its refresh token");
    story.expectStatus(
      await listPurchases(curl, api, one),
      401,
      "device 1's ID token, still unexpired and well signed: refused (its session is recorded as signed out)",
    );
    expectRefreshRefused(story, await refresh(curl, uncached, one), "device 1's refresh token: Cognito refuses it");
    story.expectStatus(await listPurchases(curl, api, two), 200, "device 2, another session of alice's, still works");
    story.expectStatus(await signOut(curl, api, two, true), 204, 'device 2 signs out "everywhere"');
    story.expectStatus(await listPurchases(curl, api, two), 401, "device 2's ID token: refused");
    expectRefreshRefused(story, await refresh(curl, uncached, two), "device 2's refresh token: Cognito refuses it");
  } finally {
    await uncached.close();
  }
  story.say(`Back on the demo's own gateway ($API), whose cache is on (${ttl} s), as deployed:`);
  await cachedSignOut(workshop, story, curl, password, 3);
}

/** A sign-out where API Gateway caches policies: the token it cached still works; the session is over at Cognito. */
async function cachedSignOut(workshop: WorkshopTarget, story: Story, curl: CurlPrinter, password: string, n: number) {
  const ttl = AUTHORIZER.resultsCacheTtlSeconds;
  const api = workshop.outputs.ApiUrl.replace(/\/$/, "");
  const device = await signInDevice(workshop, story, curl, password, n);
  story.expectStatus(
    await listPurchases(curl, api, device),
    200,
    `device ${n}'s ID token works (API Gateway now caches its policy for ${ttl} s)`,
  );
  story.expectStatus(await signOut(curl, api, device), 204, `device ${n} signs out with its refresh token`);
  story.expectStatus(
    await listPurchases(curl, api, device),
    200,
    `device ${n}'s ID token still works: API Gateway answers from the cached policy and does not ask the authorizer`,
  );
  expectRefreshRefused(
    story,
    await refresh(curl, workshop, device),
    `device ${n}'s refresh token: Cognito refuses it at once`,
  );
  story.say(
    `Once the cached policy expires (${ttl} s after device ${n}'s first call), its ID token reaches the authorizer and gets 401: step 07's checkpoint measures it.`,
  );
}

interface Device {
  n: number;
  idToken: string;
  refreshToken: string;
}

/** alice signs in once more: another device, another session (its own origin_jti). */
async function signInDevice(
  target: WorkshopTarget,
  story: Story,
  curl: CurlPrinter,
  password: string,
  n: number,
): Promise<Device> {
  const { result, auth } = await initiateAuth(curl, target, "USER_PASSWORD_AUTH", {
    USERNAME: DEMO_USERS.alice.email,
    PASSWORD: password,
  });
  story.expectStatus(result, 200, `alice signs in on device ${n}`, auth.IdToken ? "" : undefined);
  const device = { n, idToken: auth.IdToken ?? "", refreshToken: auth.RefreshToken ?? "" };
  if (device.idToken) curl.define(`ALICE_${n}_TOKEN`, device.idToken);
  if (device.refreshToken) curl.define(`ALICE_${n}_REFRESH`, device.refreshToken);
  return device;
}

const listPurchases = (curl: CurlPrinter, api: string, device: Device) =>
  curl.send({ method: "GET", url: `${api}/purchases`, headers: { Authorization: `Bearer ${device.idToken}` } });

const signOut = (curl: CurlPrinter, api: string, device: Device, everywhere = false) =>
  curl.send({
    method: "POST",
    url: `${api}/sign-out`,
    headers: { Authorization: `Bearer ${device.idToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ refreshToken: device.refreshToken, ...(everywhere ? { everywhere } : {}) }),
  });

const refresh = (curl: CurlPrinter, target: WorkshopTarget, device: Device) =>
  initiateAuth(curl, target, "REFRESH_TOKEN_AUTH", { REFRESH_TOKEN: device.refreshToken });

/** Cognito's refusal of a refresh: 400, NotAuthorizedException, and no tokens. */
function expectRefreshRefused(story: Story, { result, auth }: Awaited<ReturnType<typeof initiateAuth>>, what: string) {
  const type = (result.json as { __type?: string } | undefined)?.__type ?? "";
  story.check(
    result.status === 400 && type.endsWith("NotAuthorizedException") && !auth.IdToken,
    `${what}: ${result.status}`,
    result.text.length > 120 ? `${result.text.slice(0, 120)}…` : result.text,
  );
}

/** Cognito's InitiateAuth, as an app sends it (no AWS credentials), printed as the curl. */
async function initiateAuth(
  curl: CurlPrinter,
  target: WorkshopTarget,
  authFlow: "USER_PASSWORD_AUTH" | "REFRESH_TOKEN_AUTH",
  parameters: Record<string, string>,
) {
  const result = await curl.send({
    method: "POST",
    url: target.cognitoUrl,
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
    },
    body: JSON.stringify({
      AuthFlow: authFlow,
      ClientId: target.outputs.UserPoolClientId,
      AuthParameters: parameters,
    }),
  });
  const auth =
    (result.json as { AuthenticationResult?: Record<string, string> } | undefined)?.AuthenticationResult ?? {};
  return { result, auth };
}

/** Creates the user; one left by an earlier run (on a deployed stack) is replaced, so only this run's password works. */
async function provision(
  workshop: WorkshopTarget,
  operator: CognitoIdentityProviderClient,
  user: DemoUser,
  password: string,
) {
  const create = () =>
    workshop.auth.addUserToTenant({ email: user.email, password, tenantId: user.tenantId, role: user.role });
  try {
    await create();
  } catch (error) {
    if (!(error instanceof AuthError && error.code === "UsernameExistsException")) throw error;
    await deleteUser(operator, workshop.outputs.UserPoolId, user.email);
    await create();
  }
}

function showIdToken(story: Story, idToken: string) {
  const [, payload = ""] = idToken.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  story.say("alice's ID token, decoded (anyone can read a JWT; only the signature makes it trustworthy):");
  for (const claim of ["sub", "email", "custom:tenantId", "cognito:groups", "token_use", "aud", "iss", "exp"]) {
    if (claim in claims) story.say(`  ${claim.padEnd(16)} ${JSON.stringify(claims[claim])}`);
  }
}

async function writeDemoEnv(
  api: string,
  cognitoUrl: string,
  tokens: Record<UserName, { idToken: string; accessToken: string }>,
  passwords: Record<UserName, string>,
) {
  const lines = [`export API='${api}'`, `export COGNITO='${cognitoUrl.replace(/\/$/, "")}'`];
  for (const [name, user] of Object.entries(DEMO_USERS) as [UserName, DemoUser][]) {
    lines.push(
      `export ${user.tokenVariable}='${tokens[name].idToken}'`,
      `export ${user.passwordVariable}='${passwords[name]}'`,
    );
  }
  lines.push(`export ALICE_ACCESS_TOKEN='${tokens.alice.accessToken}'`);
  const file = join(PROJECT_ROOT, ".workshop", "demo.env");
  await mkdir(dirname(file), { recursive: true });
  // Tokens and passwords: readable by this user only.
  await writeFile(file, `${lines.join("\n")}\n`);
  await chmod(file, 0o600);
  return ".workshop/demo.env";
}

runMain(main);
