/**
 * The workshop's web app: the browser client of the purchases API. It signs
 * up, confirms and signs in with the workshop's own AuthClient (step 02) and
 * step 07's mfa.ts, keeps the tokens in step 07's Session (memory only), and
 * calls the API through it; the flow inspector beside it shows each call.
 */
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { AuthClient } from "../../02-user-pool/auth-client.ts";
import { roleFromGroups } from "../../04-policy-and-context/tenant-policy.ts";
import { confirmTotpEnrolment, signInWithTotp, startTotpEnrolment, type MfaClient } from "../../07-sessions/mfa.ts";
import { Session, SignedOutError } from "../../07-sessions/session.ts";
import { ROUTES, type Role } from "../../../shared/runtime/purchases-api.ts";
import type { WebAppConfig } from "../web-server.ts";
import { ApiClient } from "./api.ts";
import { byId, h } from "./dom.ts";
import { cognitoProblem, problemOf, rolesFor } from "./errors.ts";
import { Inspector } from "./inspector.ts";
import { decodeJwt } from "./jwt.ts";

interface Purchase {
  purchaseId: string;
  item: string;
  amountCents: number;
  currency: string;
  createdAt: string;
}

interface SignedIn {
  session: Session;
  email: string;
  claims: Record<string, unknown>;
  role: Role;
  tenantId?: string;
}

const config = (await fetch("/__workshop/config").then((r) => r.json())) as WebAppConfig;
const auth = new AuthClient({
  region: config.region,
  userPoolId: config.userPoolId,
  clientId: config.clientId,
  endpoint: config.cognitoEndpoint,
});
const mfa: MfaClient = {
  cognito: new CognitoIdentityProviderClient({ region: config.region, endpoint: config.cognitoEndpoint }),
  clientId: config.clientId,
};
const inspector = new Inspector(byId<HTMLOListElement>("calls"), config);
const api = new ApiClient(config, (call) => inspector.show(call));
await api.init();

const app = byId<HTMLElement>("app");
byId("target").textContent =
  config.target === "local"
    ? `Local stack · API ${config.apiUrl}`
    : `Deployed stack (AWS, ${config.region}) · API ${config.apiUrl}`;

let user: SignedIn | undefined;
/** Kept after a sign-out, only so the page can show whether the API still accepts it. */
let signedOutIdToken: string | undefined;
let purchases: Purchase[] = [];
/** Let a person press what their role may not, to see the API refuse. */
let tryAnyway = false;

// ---------------------------------------------------------------------------
// Views

function view(title: string, ...sections: Node[]): void {
  const heading = h("h2", { id: "app-title", tabindex: "-1" }, title);
  app.replaceChildren(heading, h("div", { id: "message", role: "status", "aria-live": "polite" }), ...sections);
  heading.focus();
}

function say(text: string, kind: "info" | "error" = "info"): void {
  const box = byId("message");
  box.className = kind;
  box.setAttribute("role", kind === "error" ? "alert" : "status");
  box.textContent = text;
}

function field(
  label: string,
  name: string,
  attributes: Record<string, string | undefined> = {},
  help?: string,
): HTMLDivElement {
  const id = `f-${name}-${Math.random().toString(36).slice(2, 7)}`;
  const input = h("input", { id, name, ...attributes, "aria-describedby": help ? `${id}-help` : undefined });
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    input,
    help ? h("small", { id: `${id}-help` }, help) : "",
  );
}

function form(
  name: string,
  submit: string,
  onSubmit: (data: FormData, form: HTMLFormElement) => Promise<void>,
  ...fields: Node[]
) {
  const button = h("button", { type: "submit" }, submit);
  const element = h("form", { "aria-label": name, novalidate: "" }, ...fields, button);
  element.addEventListener("submit", (event) => {
    event.preventDefault();
    for (const invalid of element.querySelectorAll("[aria-invalid]")) invalid.removeAttribute("aria-invalid");
    button.disabled = true;
    onSubmit(new FormData(element), element)
      .catch((error: unknown) => say(error instanceof Error ? error.message : String(error), "error"))
      .finally(() => (button.disabled = false));
  });
  return element;
}

function showSignedOut(note?: string): void {
  const signIn = form(
    "Sign in",
    "Sign in",
    async (data) => {
      const email = String(data.get("email")).trim();
      const password = String(data.get("password"));
      try {
        const tokens = await signInWithTotp(mfa, email, password, () => askForTotp(signIn));
        startSession(email, tokens);
      } catch (error) {
        byId("totp-step")?.remove();
        throw new Error(cognitoProblem(error));
      }
    },
    field("Email", "email", { type: "email", autocomplete: "username", required: "" }),
    field("Password", "password", { type: "password", autocomplete: "current-password", required: "" }),
  );
  const signUp = form(
    "Create an account",
    "Sign up",
    async (data) => {
      const email = String(data.get("email")).trim();
      try {
        await auth.signUp(email, String(data.get("password")));
      } catch (error) {
        throw new Error(cognitoProblem(error));
      }
      showConfirm(email);
    },
    field("Email", "email", { type: "email", autocomplete: "email", required: "" }),
    field(
      "Password",
      "password",
      { type: "password", autocomplete: "new-password", required: "" },
      config.passwordRule ?? "The user pool's password policy applies (long, mixed case, digits and symbols).",
    ),
  );
  const sections: Node[] = [
    h("section", { "aria-labelledby": "sign-in-title" }, h("h3", { id: "sign-in-title" }, "Sign in"), signIn),
  ];
  if (signedOutIdToken) {
    const button = h("button", { type: "button" }, "Call the API with the signed-out ID token");
    button.addEventListener("click", async () => {
      const response = await api.withOldToken(signedOutIdToken ?? "");
      say(
        response.status === 401
          ? "401: the API refuses the signed-out token."
          : `${response.status}: the API still accepts it — its policy is in API Gateway's authorizer cache until the entry expires (see the inspector, step 4).`,
        response.status === 401 ? "info" : "error",
      );
    });
    sections.push(
      h(
        "section",
        { "aria-labelledby": "old-token-title" },
        h("h3", { id: "old-token-title" }, "The token you signed out"),
        h("p", {}, "The page kept the old ID token so you can see whether the API still takes it."),
        button,
      ),
    );
  }
  sections.push(
    h("section", { "aria-labelledby": "sign-up-title" }, h("h3", { id: "sign-up-title" }, "Create an account"), signUp),
  );
  if (config.localEndpoints) sections.push(operatorPanel(signIn));
  view("Sign in", ...sections);
  if (note) say(note);
}

function askForTotp(signIn: HTMLFormElement): Promise<string> {
  return new Promise((resolve) => {
    const step = form(
      "Two-step sign-in",
      "Verify",
      async (data) => resolve(String(data.get("code")).trim()),
      h("p", {}, "Your account has two-step sign-in: Cognito asks for the code of your authenticator app."),
      field("Six-digit code", "code", {
        inputmode: "numeric",
        autocomplete: "one-time-code",
        pattern: "[0-9]{6}",
        required: "",
      }),
    );
    step.id = "totp-step";
    signIn.after(step);
    step.querySelector("input")?.focus();
  });
}

function showConfirm(email: string): void {
  const confirm = form(
    "Confirm your email",
    "Confirm",
    async (data) => {
      try {
        await auth.confirmSignUp(email, String(data.get("code")).trim());
      } catch (error) {
        throw new Error(cognitoProblem(error));
      }
      showSignedOut(`${email} is confirmed: sign in.`);
      const input = app.querySelector<HTMLInputElement>('form[aria-label="Sign in"] input[name="email"]');
      if (input) input.value = email;
    },
    h("p", {}, `Cognito sent a code to ${email}.`),
    field("Confirmation code", "code", { inputmode: "numeric", autocomplete: "one-time-code", required: "" }),
  );
  const sections: Node[] = [confirm];
  if (config.localEndpoints) sections.push(mailbox(email, confirm));
  view("Confirm your email", ...sections);
}

/** The codes Cognito would have emailed, which the local stack keeps instead. */
function mailbox(email: string, confirm: HTMLFormElement): HTMLElement {
  const list = h("ul", { class: "mails" });
  const panel = h(
    "section",
    { "aria-labelledby": "mailbox-title", class: "panel" },
    h("h3", { id: "mailbox-title" }, "Mailbox (local stack only)"),
    h(
      "p",
      { class: "hint" },
      "On AWS the code arrives by email; the local stack keeps it here (and prints it in the terminal).",
    ),
    list,
  );
  let shown = 0;
  const poll = async () => {
    if (!panel.isConnected) return;
    const { mails } = (await fetch(`/__workshop/mail?to=${encodeURIComponent(email)}`).then((r) => r.json())) as {
      mails: { to: string; code: string }[];
    };
    if (mails.length !== shown) {
      shown = mails.length;
      list.replaceChildren(
        ...mails.map((mail) => {
          const use = h("button", { type: "button" }, `Use code ${mail.code}`);
          use.addEventListener("click", () => {
            const input = confirm.querySelector<HTMLInputElement>('input[name="code"]');
            if (input) {
              input.value = mail.code;
              input.focus();
            }
          });
          return h("li", {}, `To ${mail.to}: your code is `, h("strong", {}, mail.code), " ", use);
        }),
      );
    }
    setTimeout(poll, 1000);
  };
  // The panel is on the page once the view shows it; polling stops when it leaves.
  setTimeout(() => void poll(), 0);
  return panel;
}

/** The operator's part, which a user cannot do: put a user in a tenant, with a role (AdminCreateUser). */
function operatorPanel(signIn: HTMLFormElement): HTMLElement {
  const roleId = "operator-role";
  const add = form(
    "Add a user to a tenant",
    "Add user",
    async (data, element) => {
      const body = Object.fromEntries(data.entries());
      const response = await fetch("/__workshop/operator/users", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      const answer = (await response.json()) as { field?: string; message?: string };
      if (!response.ok) {
        if (answer.field) element.querySelector(`[name="${answer.field}"]`)?.setAttribute("aria-invalid", "true");
        throw new Error(answer.field ? `${answer.field} ${answer.message}` : (answer.message ?? "refused"));
      }
      say(
        `${String(body.email)} is now a ${String(body.role)} of tenant ${String(body.tenantId)}: sign in with that password.`,
      );
      const email = signIn.querySelector<HTMLInputElement>('input[name="email"]');
      const password = signIn.querySelector<HTMLInputElement>('input[name="password"]');
      if (email) email.value = String(body.email);
      if (password) password.value = String(body.password);
    },
    field("Email", "email", { type: "email", autocomplete: "off", required: "" }),
    field("Tenant", "tenantId", { value: "acme", required: "" }),
    h(
      "div",
      { class: "field" },
      h("label", { for: roleId }, "Role"),
      h(
        "select",
        { id: roleId, name: "role" },
        h("option", { value: "viewer" }, "viewer"),
        h("option", { value: "member", selected: "" }, "member"),
        h("option", { value: "admin" }, "admin"),
      ),
    ),
    field("Password", "password", {
      type: "text",
      autocomplete: "off",
      value: config.suggestedPassword ?? "",
      required: "",
    }),
  );
  return h(
    "details",
    { class: "panel operator" },
    h("summary", {}, "Operator (local stack only): add a user to a tenant"),
    h(
      "p",
      { class: "hint" },
      "A user who signs up belongs to no tenant: only an operator sets custom:tenantId, at creation (AdminCreateUser), as `npm run token` does.",
    ),
    add,
  );
}

function startSession(email: string, tokens: { idToken: string; accessToken: string; refreshToken: string }) {
  const session = new Session(tokens, { refresher: auth, fetch: api.recordingFetch });
  const claims = decodeJwt(tokens.idToken)?.claims ?? {};
  const tenantId = typeof claims["custom:tenantId"] === "string" ? claims["custom:tenantId"] : undefined;
  user = { session, email, claims, role: roleFromGroups(claims["cognito:groups"]), tenantId };
  signedOutIdToken = undefined;
  purchases = [];
  showPurchases();
  void refreshList();
}

function may(method: string, path: string): boolean {
  return user !== undefined && rolesFor(method, path).includes(user.role);
}

function showPurchases(): void {
  if (!user) return showSignedOut();
  const { role, tenantId, email } = user;
  const canCreate = may("POST", "/purchases");
  const canDelete = may("DELETE", "/purchases/x");
  const createRoles = ROUTES.find((r) => r.method === "POST" && r.path === "/purchases")?.roles ?? [];

  const who = h(
    "p",
    { class: "who" },
    "Signed in as ",
    h("strong", {}, email),
    ` · role `,
    h("strong", {}, role),
    tenantId ? ` · tenant ` : " · no tenant",
    tenantId ? h("strong", {}, tenantId) : "",
  );
  const toggle = h("input", { type: "checkbox", id: "try-anyway", ...(tryAnyway ? { checked: "" } : {}) });
  toggle.addEventListener("change", () => {
    tryAnyway = toggle.checked;
    showPurchases();
    byId("try-anyway").focus();
  });
  const create = form(
    "Record a purchase",
    "Record purchase",
    async (data, element) => {
      const amount = Number(String(data.get("amount")).replace(",", "."));
      const purchase = {
        item: String(data.get("item")),
        amountCents: Number.isFinite(amount) ? Math.round(amount * 100) : Number.NaN,
        currency: String(data.get("currency")).trim(),
      };
      const response = await guarded(() => api.create(session(), purchase));
      if (!response) return;
      if (response.status === 201) {
        element.reset();
        say(`Recorded “${purchase.item}”.`);
        await refreshList();
      } else await refused(response, "POST", "/purchases", element);
    },
    field("Item", "item", { required: "", maxlength: "200" }),
    field("Amount", "amount", { inputmode: "decimal", required: "" }, "In the currency's units, like 12.50."),
    field("Currency", "currency", { value: "USD", maxlength: "3", required: "" }, "Three capital letters."),
  );
  const submit = create.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (submit && !canCreate) {
    submit.disabled = !tryAnyway;
    submit.setAttribute("aria-describedby", "create-rule");
  }
  const createSection = h(
    "section",
    { "aria-labelledby": "create-title" },
    h("h3", { id: "create-title" }, "Record a purchase"),
    canCreate
      ? ""
      : h(
          "p",
          { id: "create-rule", class: "rule" },
          `Only a ${createRoles.join(" or ")} may record purchases; you are ${role === "admin" ? "an" : "a"} ${role}.`,
        ),
    create,
  );
  // Keep the rule visible but let the submit work again after a problem when trying anyway.
  if (!canCreate && submit && tryAnyway) submit.disabled = false;

  const rows = purchases.map((purchase) => {
    const remove = h("button", { type: "button", "aria-label": `Delete ${purchase.item}` }, "Delete");
    if (!canDelete) {
      remove.disabled = !tryAnyway;
      remove.title = "Only an admin may delete purchases.";
    }
    remove.addEventListener("click", async () => {
      const response = await guarded(() => api.remove(session(), purchase.purchaseId));
      if (!response) return;
      if (response.status === 204) {
        say(`Deleted “${purchase.item}”.`);
        await refreshList();
      } else await refused(response, "DELETE", `/purchases/${purchase.purchaseId}`);
    });
    return h(
      "tr",
      {},
      h("td", {}, purchase.item),
      h("td", { class: "num" }, `${(purchase.amountCents / 100).toFixed(2)} ${purchase.currency}`),
      h("td", {}, new Date(purchase.createdAt).toLocaleString()),
      h("td", {}, remove),
    );
  });
  const reload = h("button", { type: "button" }, "Refresh the list");
  reload.addEventListener("click", () => void refreshList());
  const table = h(
    "table",
    {},
    h("caption", {}, tenantId ? `Purchases of tenant ${tenantId}` : "Purchases"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Item"),
        h("th", { scope: "col" }, "Amount"),
        h("th", { scope: "col" }, "Recorded"),
        h("th", { scope: "col" }, "Actions"),
      ),
    ),
    h("tbody", {}, ...(rows.length ? rows : [h("tr", {}, h("td", { colspan: "4" }, "No purchases yet."))])),
  );
  const listSection = h(
    "section",
    { "aria-labelledby": "list-title" },
    h("h3", { id: "list-title" }, "The tenant's purchases"),
    canDelete ? "" : h("p", { class: "rule" }, `Only an admin may delete purchases; you are a ${role}.`),
    table,
    reload,
  );

  const signOut = h("button", { type: "button" }, "Sign out");
  const everywhere = h("button", { type: "button" }, "Sign out everywhere");
  signOut.addEventListener("click", () => void doSignOut(false));
  everywhere.addEventListener("click", () => void doSignOut(true));

  view(
    "Purchases",
    who,
    h(
      "p",
      { class: "toggle" },
      toggle,
      h("label", { for: "try-anyway" }, " Let me press what my role may not, to see the API refuse"),
    ),
    createSection,
    listSection,
    mfaSection(),
    h(
      "section",
      { "aria-labelledby": "sign-out-title" },
      h("h3", { id: "sign-out-title" }, "Sign out"),
      signOut,
      " ",
      everywhere,
    ),
  );
}

function mfaSection(): HTMLElement {
  const section = h(
    "section",
    { "aria-labelledby": "mfa-title" },
    h("h3", { id: "mfa-title" }, "Two-step sign-in (TOTP)"),
  );
  const start = h("button", { type: "button" }, "Turn on two-step sign-in");
  start.addEventListener("click", async () => {
    if (!user) return;
    try {
      const enrolment = await startTotpEnrolment(mfa, await session().accessToken(), user.email);
      const verify = form(
        "Verify the authenticator app",
        "Verify and turn on",
        async (data) => {
          try {
            await confirmTotpEnrolment(mfa, await session().accessToken(), String(data.get("code")).trim());
          } catch (error) {
            throw new Error(cognitoProblem(error));
          }
          verify.replaceWith(h("p", {}, "Two-step sign-in is on: the next sign-in asks for a code."));
          say("Two-step sign-in is on.");
        },
        h(
          "p",
          {},
          "Add this secret to your authenticator app (or the otpauth URI as a QR code), then type the code it shows.",
        ),
        h("p", {}, "Secret: ", h("code", { "data-totp-secret": enrolment.secret }, enrolment.secret)),
        h("p", { class: "uri" }, h("code", {}, enrolment.otpauthUri)),
        field("Six-digit code", "code", { inputmode: "numeric", autocomplete: "one-time-code", required: "" }),
      );
      start.replaceWith(verify);
      verify.querySelector("input")?.focus();
    } catch (error) {
      say(cognitoProblem(error), "error");
    }
  });
  section.append(start);
  return section;
}

// ---------------------------------------------------------------------------
// Calls

function session(): Session {
  if (!user) throw new SignedOutError();
  return user.session;
}

/** Runs a call; a session Cognito refuses to refresh sends the person to the sign-in. */
async function guarded(call: () => Promise<Response>): Promise<Response | undefined> {
  try {
    const response = await call();
    if (response.status === 401) {
      endSession("The API refused the token even after a refresh: sign in again.");
      return undefined;
    }
    return response;
  } catch (error) {
    if (error instanceof SignedOutError) {
      endSession("Your session has ended (Cognito refused to refresh it): sign in again.");
      return undefined;
    }
    say(`The browser could not reach the API (a network error, or CORS refused the answer): ${String(error)}`, "error");
    return undefined;
  }
}

async function refused(response: Response, method: string, path: string, formElement?: HTMLFormElement) {
  const problem = problemOf(response.status, await response.text(), { method, path, role: user?.role ?? "member" });
  if (problem.field && formElement) {
    const name = problem.field === "amountCents" ? "amount" : problem.field;
    const input = formElement.querySelector<HTMLInputElement>(`[name="${name}"]`);
    input?.setAttribute("aria-invalid", "true");
    input?.focus();
  }
  if (problem.signIn) return endSession(problem.message);
  say(problem.message, "error");
}

async function refreshList(): Promise<void> {
  const response = await guarded(() => api.list(session()));
  if (!response) return;
  if (response.status !== 200) return refused(response, "GET", "/purchases");
  purchases = ((await response.json()) as { purchases: Purchase[] }).purchases;
  const message = byId("message").textContent;
  const kind = byId("message").className === "error" ? "error" : "info";
  showPurchases();
  if (message) say(message, kind);
}

async function doSignOut(everywhere: boolean): Promise<void> {
  if (!user) return;
  const idToken = await user.session.idToken().catch(() => undefined);
  const response = await guarded(() => api.signOut(session(), everywhere));
  if (!response) return;
  const where = everywhere ? "Signed out of every device." : "Signed out of this device.";
  if (response.status === 403 && !user.tenantId) {
    // A user in no tenant is denied every route, sign-out too: the page can only forget the tokens.
    user.session.end();
    user = undefined;
    return showSignedOut(
      `${where} The page forgot its tokens; the API refused to record the sign-out (403: your account is in no tenant), so Cognito's refresh token lives on until it expires.`,
    );
  }
  if (response.status !== 204) return refused(response, "POST", "/sign-out");
  user.session.end();
  user = undefined;
  signedOutIdToken = idToken;
  showSignedOut(where);
}

function endSession(message: string): void {
  user?.session.end();
  user = undefined;
  showSignedOut();
  say(message, "error");
}

showSignedOut();
