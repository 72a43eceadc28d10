/**
 * `npm run test:web`: the web app in a real browser. Starts a local stack (a
 * short authorizer cache, so a signed-out token's cached policy expires within
 * the suite) and the web app at http://localhost:5173, drives Debian's
 * Chromium with playwright-core, and walks: sign up → confirm (the mailbox) →
 * sign in (no tenant yet) → TOTP enrolment and a sign-in with a code → an
 * operator's member: create (the inspector shows the cache hit) → list → a
 * 400 that names the field → a viewer cannot create (control disabled, and
 * the API refuses) → a member cannot delete → sign out → the old token is
 * refused. A screenshot of each state goes to .workshop/web-app/; a console
 * error fails the walk.
 *
 * Chromium: CHROMIUM_PATH, else /usr/bin/chromium (apt-get install chromium).
 * Exit code 0 passed, 1 failed, 2 skipped (no Chromium found).
 */
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { chromium, type Browser, type Page } from "playwright-core";
import { RequestTraceRecorder } from "../../../shared/local-stack/api-gateway/request-trace.ts";
import { startLocalStack, type LocalStack } from "../../../shared/local-stack/local-stack.ts";
import { PROJECT_ROOT } from "../../../shared/project-root.ts";
import { secretFromBase32, totp } from "../../07-sessions/totp.ts";
import { localEndpointsFor, Mailbox, startWebApp, type WebApp } from "../web-server.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** Long enough for a second call to hit the cache, short enough to wait out. */
const CACHE_TTL_SECONDS = 6;
export const SCREENSHOTS = join(PROJECT_ROOT, ".workshop", "web-app");
const STEP_TIMEOUT_MS = 15_000;

export function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((path): path is string => path !== undefined && path !== "" && existsSync(path));
}

const consoleErrors: string[] = [];
const networkRefusals: string[] = [];
let lastPage: Page | undefined;
let shot = 0;

async function screenshot(page: Page, name: string): Promise<void> {
  shot += 1;
  const file = join(SCREENSHOTS, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file });
}

async function step(name: string, run: () => Promise<void>): Promise<void> {
  const started = performance.now();
  try {
    await run();
  } catch (error) {
    console.log(`  ✗ ${name}`);
    throw error;
  }
  console.log(`  ✓ ${name} (${Math.round(performance.now() - started)} ms)`);
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/** The status or alert line of the app. */
const message = (page: Page) => page.locator("#message");

async function waitForMessage(page: Page, text: string | RegExp): Promise<void> {
  await message(page).filter({ hasText: text }).waitFor({ timeout: STEP_TIMEOUT_MS });
}

/** The newest call in the inspector, once its answer is in. */
async function latestCall(page: Page, label: string) {
  const call = page.locator("#calls > li").first();
  await call.locator("summary .call-label", { hasText: label }).waitFor({ timeout: STEP_TIMEOUT_MS });
  await call.locator('[data-step="8"]').last().waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.waitForFunction(
    () => !document.querySelector("#calls > li summary")?.textContent?.endsWith("…"),
    undefined,
    { timeout: STEP_TIMEOUT_MS },
  );
  return call;
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  const form = page.getByRole("form", { name: "Sign in" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Sign in" }).click();
}

async function addUser(page: Page, email: string, role: string): Promise<void> {
  const panel = page.locator("details.operator");
  if (!(await panel.evaluate((element) => (element as HTMLDetailsElement).open))) {
    await panel.locator("summary").click();
  }
  const form = page.getByRole("form", { name: "Add a user to a tenant" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Tenant").fill("acme");
  await form.getByLabel("Role").selectOption(role);
  await form.getByRole("button", { name: "Add user" }).click();
  await waitForMessage(page, `${email} is now a ${role}`);
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await waitForMessage(page, "Signed out of this device.");
}

async function walk(page: Page, stack: LocalStack, web: WebApp): Promise<void> {
  const password = "Walk-the-app-2026!";
  const newcomer = `newcomer-${Date.now()}@example.com`;

  await step("the app loads, focus on its heading, no console error", async () => {
    await page.goto(web.url);
    await page.getByRole("heading", { name: "Sign in", level: 2 }).waitFor();
    check(
      await page.evaluate(() => document.activeElement?.id === "app-title"),
      "the view's heading should have the focus",
    );
    // Keyboard: from the heading, Tab walks the sign-in form in reading order.
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement as HTMLInputElement | null;
        return element?.name || element?.textContent || "";
      });
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press("Tab");
      order.push(await focused());
    }
    check(
      order.join(",") === "email,password,Sign in",
      `Tab order should be email, password, Sign in: ${order.join(", ")}`,
    );
    await screenshot(page, "sign-in");
  });

  await step("sign up, and the code arrives in the mailbox panel", async () => {
    const form = page.getByRole("form", { name: "Create an account" });
    await form.getByLabel("Email").fill(newcomer);
    await form.getByLabel("Password").fill(password);
    await form.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("heading", { name: "Confirm your email" }).first().waitFor();
    await page.getByRole("button", { name: /^Use code \d{6}$/ }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await screenshot(page, "confirm-with-mailbox");
  });

  await step("confirm with the mailed code", async () => {
    await page.getByRole("button", { name: /^Use code/ }).click();
    await page.getByRole("button", { name: "Confirm" }).click();
    await waitForMessage(page, `${newcomer} is confirmed`);
  });

  await step("sign in: no tenant, so the authorizer's explicit Deny (a 403, explained)", async () => {
    await page.getByRole("form", { name: "Sign in" }).getByLabel("Password").fill(password);
    await page.getByRole("form", { name: "Sign in" }).getByRole("button", { name: "Sign in" }).click();
    await waitForMessage(page, "belongs to no tenant");
    const call = await latestCall(page, "List the tenant's purchases");
    await call.locator('[data-step="6"]', { hasText: "Explicit Deny" }).waitFor();
    await screenshot(page, "no-tenant-explicit-deny");
  });

  await step("turn on TOTP, sign out, sign in again with a code", async () => {
    await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
    const secret = await page.locator("[data-totp-secret]").getAttribute("data-totp-secret");
    check(Boolean(secret), "the enrolment shows the secret");
    const code = () => totp(secretFromBase32(secret ?? ""), Date.now() / 1000);
    await page.getByLabel("Six-digit code").fill(code());
    await page.getByRole("button", { name: "Verify and turn on" }).click();
    await waitForMessage(page, "Two-step sign-in is on.");
    await signOut(page);
    await signIn(page, newcomer, password);
    await page.getByRole("form", { name: "Two-step sign-in" }).getByLabel("Six-digit code").fill(code());
    await screenshot(page, "totp-code");
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByRole("heading", { name: "Purchases", level: 2 }).waitFor();
    await waitForMessage(page, "belongs to no tenant");
    await signOut(page);
  });

  const member = `member-${Date.now()}@acme.example`;
  await step("an operator adds a member; the member signs in and the list loads (the authorizer runs)", async () => {
    await addUser(page, member, "member");
    await page.getByRole("form", { name: "Sign in" }).getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("cell", { name: "No purchases yet." }).waitFor();
    const call = await latestCall(page, "List the tenant's purchases");
    await call.locator('[data-step="4"]', { hasText: "The authorizer ran" }).waitFor();
  });

  await step("create: 201, and the inspector shows the authorizer's cache hit on this second call", async () => {
    const form = page.getByRole("form", { name: "Record a purchase" });
    await form.getByLabel("Item").fill("Coffee beans");
    await form.getByLabel("Amount").fill("12.50");
    await form.getByRole("button", { name: "Record purchase" }).click();
    await waitForMessage(page, "Recorded “Coffee beans”.");
    const created = page.locator("#calls > li").nth(1);
    await created.locator(":scope > details > summary").click();
    await created.locator('[data-step="4"] .cache-hit').waitFor({ timeout: STEP_TIMEOUT_MS });
    await created.locator('[data-step="7"]', { hasText: "DynamoDB Put" }).first().waitFor();
    await created.locator(":scope > details > summary").scrollIntoViewIfNeeded();
    await screenshot(page, "create-cache-hit");
  });

  await step("list: the purchase, read with a Query on the tenant's partition", async () => {
    await page.getByRole("cell", { name: "Coffee beans", exact: true }).waitFor();
    const call = await latestCall(page, "List the tenant's purchases");
    await call.locator('[data-step="7"]', { hasText: "tenantId = :tenantId" }).waitFor();
    await screenshot(page, "member-created-and-listed");
  });

  await step("a 400 names the field", async () => {
    const form = page.getByRole("form", { name: "Record a purchase" });
    await form.getByLabel("Item").fill("Tea");
    await form.getByLabel("Amount").fill("lots");
    await form.getByRole("button", { name: "Record purchase" }).click();
    await waitForMessage(page, "Check “Amount”");
    check(
      (await form.getByLabel("Amount").getAttribute("aria-invalid")) === "true",
      "the Amount field is marked invalid",
    );
  });

  await step("a member cannot delete: the control is disabled, and the API refuses (403)", async () => {
    const remove = page.getByRole("button", { name: "Delete Coffee beans" });
    check(await remove.isDisabled(), "a member's Delete should be disabled");
    await page.getByLabel("Let me press what my role may not, to see the API refuse").check();
    await page.getByRole("button", { name: "Delete Coffee beans" }).click();
    await waitForMessage(page, "Only an admin may do this; you are a member.");
    const call = await latestCall(page, "Delete a purchase");
    await call.locator('[data-step="6"]', { hasText: "No Allow matches" }).waitFor();
    await screenshot(page, "member-cannot-delete");
    await page.getByLabel("Let me press what my role may not, to see the API refuse").uncheck();
  });

  await step("sign out: the old ID token still passes while its policy is cached, then is refused", async () => {
    await signOut(page);
    const oldToken = page.getByRole("button", { name: "Call the API with the signed-out ID token" });
    await oldToken.click();
    await waitForMessage(page, "still accepts it");
    await page.waitForTimeout((CACHE_TTL_SECONDS + 1) * 1000);
    await oldToken.click();
    await waitForMessage(page, "401: the API refuses the signed-out token.");
    const call = await latestCall(page, "signed-out ID token");
    await call.locator('[data-step="4"]', { hasText: "refused the token" }).waitFor();
    await screenshot(page, "old-token-refused");
  });

  const viewer = `viewer-${Date.now()}@acme.example`;
  await step("a viewer cannot create: the control is disabled, and the API refuses (403)", async () => {
    await addUser(page, viewer, "viewer");
    await page.getByRole("form", { name: "Sign in" }).getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("cell", { name: "Coffee beans", exact: true }).waitFor();
    const submit = page.getByRole("button", { name: "Record purchase" });
    check(await submit.isDisabled(), "a viewer's Record purchase should be disabled");
    await page.getByLabel("Let me press what my role may not, to see the API refuse").check();
    const form = page.getByRole("form", { name: "Record a purchase" });
    await form.getByLabel("Item").fill("Printer paper");
    await form.getByLabel("Amount").fill("4");
    await form.getByRole("button", { name: "Record purchase" }).click();
    await waitForMessage(page, "Only a member or admin may do this; you are a viewer.");
    const call = await latestCall(page, "Record a purchase");
    await call.locator('[data-step="6"]', { hasText: "No Allow matches" }).waitFor();
    await screenshot(page, "viewer-cannot-create");
  });

  await step("sign out everywhere", async () => {
    await page.getByRole("button", { name: "Sign out everywhere" }).click();
    await waitForMessage(page, "Signed out of every device.");
  });

  check(stack.gatewayStats.cacheHits > 0, "the gateway served cache hits");
}

export async function runWalk(): Promise<number> {
  const executablePath = findChromium();
  if (!executablePath) {
    console.log(
      "Browser suite skipped: no Chromium found (set CHROMIUM_PATH, or `apt-get install chromium` for /usr/bin/chromium).",
    );
    return 2;
  }
  await rm(SCREENSHOTS, { recursive: true, force: true });
  await mkdir(SCREENSHOTS, { recursive: true });
  const started = performance.now();
  const traces = new RequestTraceRecorder();
  const mailbox = new Mailbox();
  let stack: LocalStack | undefined;
  let web: WebApp | undefined;
  let browser: Browser | undefined;
  try {
    stack = await startLocalStack({
      authorizerCacheTtlSeconds: CACHE_TTL_SECONDS,
      requestTrace: traces,
      onMail: mailbox.receive,
    });
    web = await startWebApp({
      target: "local",
      outputs: stack.outputs,
      local: localEndpointsFor(stack, { traces, mailbox, authorizerCacheTtlSeconds: CACHE_TTL_SECONDS }),
    });
    browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    lastPage = page;
    const apiOrigin = new URL(stack.outputs.ApiUrl).origin;
    page.on("console", (entry) => {
      if (entry.type() !== "error") return;
      // Chromium logs every 4xx answer to fetch as "Failed to load resource". The walk provokes the
      // API's 400s, 401s and 403s on purpose; those are counted, not failures. Anything else is.
      const provoked = /^Failed to load resource: the server responded with a status of 40[013] /.test(entry.text());
      if (provoked && entry.location().url.startsWith(apiOrigin)) networkRefusals.push(entry.text());
      else consoleErrors.push(`${entry.text()} (${entry.location().url})`);
    });
    page.on("pageerror", (error) => consoleErrors.push(`uncaught: ${error.message}`));
    console.log(
      `Web app in Chromium (${executablePath}), against a local stack (authorizer cache ${CACHE_TTL_SECONDS} s):`,
    );
    await walk(page, stack, web);
    check(consoleErrors.length === 0, `console errors during the walk:\n    ${consoleErrors.join("\n    ")}`);
    console.log(
      `No console error; Chromium's network log noted the ${networkRefusals.length} API refusals (400, 401, 403) the walk provoked.`,
    );
    console.log(
      `Browser suite passed in ${((performance.now() - started) / 1000).toFixed(1)} s; screenshots in ${SCREENSHOTS.replace(`${PROJECT_ROOT}/`, "")}/`,
    );
    return 0;
  } catch (error) {
    console.log(`Browser suite failed: ${error instanceof Error ? error.message : String(error)}`);
    await lastPage?.screenshot({ path: join(SCREENSHOTS, "failure.png"), fullPage: true }).catch(() => {});
    console.log(`  the page at the failure: ${join(SCREENSHOTS, "failure.png").replace(`${PROJECT_ROOT}/`, "")}`);
    if (consoleErrors.length) console.log(`Console errors so far:\n    ${consoleErrors.join("\n    ")}`);
    return 1;
  } finally {
    await browser?.close();
    await web?.close();
    await stack?.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runWalk().then((code) => process.exit(code === 2 ? 0 : code));
}
