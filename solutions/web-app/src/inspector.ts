/**
 * The flow inspector: each API call through the eight steps of the flow
 * (README.md, "The flow you build"), with what happened at each. Locally the
 * gateway's trace fills steps 3 to 7; against AWS the browser sees only what
 * it sent and what came back, and the inspector says where AWS records the rest.
 */
import type { RequestTrace } from "../../../shared/local-stack/api-gateway/request-trace.ts";
import type { WebAppConfig } from "../web-server.ts";
import type { ApiCall, Attempt } from "./api.ts";
import { h } from "./dom.ts";
import { decodeJwt } from "./jwt.ts";

const SHOWN_CLAIMS = [
  "token_use",
  "sub",
  "email",
  "custom:tenantId",
  "cognito:groups",
  "origin_jti",
  "auth_time",
  "exp",
];

export class Inspector {
  readonly #items = new Map<number, HTMLLIElement>();

  constructor(
    private readonly list: HTMLOListElement,
    private readonly config: WebAppConfig,
  ) {}

  /** Shows a call, or updates it as its attempts arrive; the newest is open, the others fold. */
  show(call: ApiCall): void {
    let item = this.#items.get(call.id);
    const fresh = !item;
    if (!item) {
      item = h("li", { class: "call", "data-call": String(call.id) });
      this.#items.set(call.id, item);
      for (const other of this.list.querySelectorAll<HTMLDetailsElement>(":scope > li > details")) other.open = false;
      this.list.prepend(item);
    }
    const last = call.attempts.at(-1);
    const summary = h(
      "summary",
      {},
      h("span", { class: "call-label" }, call.label),
      " ",
      h("code", {}, last ? `${last.method} ${shortPath(last.path)}` : "…"),
      " ",
      last?.status !== undefined
        ? h("span", { class: `status s${Math.floor(last.status / 100)}xx` }, String(last.status))
        : "",
      call.attempts.length > 1 ? h("span", { class: "note" }, " after a refresh and one retry") : "",
    );
    const details = h(
      "details",
      { open: fresh || item.querySelector<HTMLDetailsElement>(":scope > details")?.open !== false ? "" : undefined },
      summary,
    );
    call.attempts.forEach((attempt, index) => {
      if (call.attempts.length > 1)
        details.append(
          h("h4", {}, index === 0 ? "First attempt" : "After refreshing the tokens (step 07's Session), one retry"),
        );
      details.append(this.#steps(attempt));
    });
    item.replaceChildren(details);
  }

  #steps(attempt: Attempt): HTMLOListElement {
    const token = attempt.authorization?.replace(/^Bearer /, "");
    const decoded = token ? decodeJwt(token) : undefined;
    const trace = attempt.trace;
    const local = this.config.localEndpoints;
    const steps: [string, ...(Node | string)[]][] = [];

    const claims = decoded?.claims;
    steps.push([
      "1. Sign in",
      claims?.auth_time
        ? `Tokens from the sign-in at ${time(Number(claims.auth_time))} (Cognito, USER_PASSWORD_AUTH).`
        : "No sign-in behind this request.",
    ]);
    steps.push(
      token
        ? [
            "2. The token sent",
            `Authorization: Bearer …${token.slice(-8)}: the ${claims?.token_use === "id" ? "ID token" : `${String(claims?.token_use ?? "unknown")} token`}`,
            `, signed with key ${String(decoded?.header.kid ?? "?")} (${String(decoded?.header.alg ?? "?")}), expires ${claims?.exp ? time(Number(claims.exp)) : "?"}: `,
            h("code", {}, `custom:tenantId ${String(claims?.["custom:tenantId"] ?? "(none)")}`),
            ", ",
            h("code", {}, `cognito:groups ${JSON.stringify(claims?.["cognito:groups"] ?? [])}`),
            ".",
            more(
              "decoded claims",
              Object.fromEntries(SHOWN_CLAIMS.filter((c) => claims?.[c] !== undefined).map((c) => [c, claims?.[c]])),
            ),
          ]
        : ["2. The token sent", "No Authorization header."],
    );
    if (!trace) {
      const where = this.#whereAwsRecords();
      steps.push(["3–7. Inside AWS", local ? "The local gateway has no record of this request." : where]);
    } else {
      steps.push(...traceSteps(trace, this.config));
    }
    steps.push([
      "8. The response",
      attempt.networkError
        ? `The browser could not read an answer (${attempt.networkError}): a network error, or CORS refused it. ${trace?.status !== undefined ? `The gateway did answer ${trace.status}.` : ""}`
        : `${attempt.status ?? "…"}`,
      attempt.body ? h("pre", { class: "body" }, pretty(attempt.body)) : "",
    ]);

    return h(
      "ol",
      { class: "steps" },
      ...steps.map(([title, ...body]) =>
        h("li", { "data-step": title.split(".")[0] ?? "" }, h("strong", {}, title), " ", ...body),
      ),
    );
  }

  #whereAwsRecords(): string {
    const apiId = /^https:\/\/([^.]+)\.execute-api\./.exec(this.config.apiUrl)?.[1] ?? "{apiId}";
    return (
      "The browser cannot see inside API Gateway. AWS records it: the authorizer's run or cache hit and the policy's decision in the stage's execution log " +
      `(CloudWatch log group API-Gateway-Execution-Logs_${apiId}/prod), each request's status and authorizer status in the stack's access log group (ApiAccessLogs), ` +
      "and the functions' own lines (the DynamoDB calls' failures) in their /aws/lambda/… log groups."
    );
  }
}

function traceSteps(trace: RequestTrace, config: WebAppConfig): [string, ...(Node | string)[]][] {
  const steps: [string, ...(Node | string)[]][] = [];
  if (!trace.methodArn) {
    steps.push([
      "3. The token to the authorizer",
      trace.tokenDigest
        ? "Not reached: the gateway answered first."
        : "No Authorization header: API Gateway answers 401 before any authorizer runs.",
    ]);
    return steps;
  }
  steps.push([
    "3. The token to the authorizer",
    `API Gateway took the Authorization header (the same token: SHA-256 ${trace.tokenDigest?.slice(0, 12)}…) and the method ARN `,
    h("code", {}, trace.methodArn),
    ".",
  ]);
  const sessionReads = trace.calls.filter((call) => call.by === "authorizer");
  if (trace.authorizer === "cache-hit") {
    const ttl = config.authorizerCacheTtlSeconds;
    steps.push([
      "4. Verify",
      h(
        "span",
        { class: "cache-hit" },
        `Authorizer cache hit: the authorizer did not run. API Gateway used the policy it cached for this token${trace.cachedSecondsAgo !== undefined ? ` ${trace.cachedSecondsAgo} s ago` : ""}${ttl !== undefined ? ` (kept ${ttl} s)` : ""}.`,
      ),
      " A token signed out since then still passes until the entry expires (step 07).",
    ]);
  } else if (trace.principalId) {
    steps.push([
      "4. Verify",
      `The authorizer ran (${trace.authorizerLatencyMs ?? "?"} ms): signature, issuer, audience, token_use and expiry checked (aws-jwt-verify), then the session check`,
      sessionReads.length ? `: ${sessionReads.map(describeCall).join("; ")}.` : ".",
    ]);
  } else {
    steps.push([
      "4. Verify",
      `The authorizer ran and refused the token (Unauthorized: a bad, expired or signed-out token)${sessionReads.length ? ` after ${sessionReads.map(describeCall).join("; ")}` : ""}.`,
    ]);
    return steps;
  }
  const statements = (trace.policy?.Statement ?? []) as { Effect?: string; Resource?: unknown }[];
  const allowed = statements
    .filter((statement) => statement.Effect === "Allow")
    .flatMap((statement) => (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]))
    .map((resource) => String(resource).split(/\/(?=[A-Z*]+\/)/)[1] ?? String(resource));
  const denied = statements.some((statement) => statement.Effect === "Deny");
  steps.push([
    "5. Policy and context",
    `Principal ${trace.principalId}; a policy${trace.authorizer === "cache-hit" ? " (from the cache)" : ""} that `,
    denied && allowed.length === 0
      ? "denies everything"
      : `allows ${allowed.map((a) => a.replace("/", " /")).join(", ") || "nothing"}`,
    "; the context ",
    h(
      "code",
      {},
      Object.entries(trace.context ?? {})
        .filter(([key]) => key !== "sessionId")
        .map(([key, value]) => `${key}=${String(value)}`)
        .join(" "),
    ),
    ".",
    more("policy", trace.policy),
    more("context", trace.context),
  ]);
  const decision =
    trace.decision === "allow"
      ? "Allow: a statement allows this method ARN."
      : trace.decision === "explicit-deny"
        ? "Explicit Deny: a Deny statement matches, so 403."
        : "No Allow matches this method ARN (an implicit deny), so 403 before the function runs.";
  steps.push([
    "6. API Gateway enforces it",
    decision,
    trace.matchedStatements?.length ? more("the matching statement", trace.matchedStatements) : "",
    trace.eventAuthorizer ? more("the function's event.requestContext.authorizer", trace.eventAuthorizer) : "",
  ]);
  const fnCalls = trace.calls.filter((call) => call.by !== "authorizer");
  steps.push([
    "7. The tenant's partition",
    trace.functionName
      ? fnCalls.length
        ? `The ${trace.functionName} function called: `
        : `The ${trace.functionName} function made no DynamoDB call.`
      : "No function ran.",
    ...fnCalls.map((call) =>
      h(
        "div",
        { class: "db-call" },
        h("code", {}, `${call.service} ${call.command}`),
        call.input.KeyConditionExpression
          ? h("code", {}, ` KeyConditionExpression: ${String(call.input.KeyConditionExpression)}`)
          : "",
        call.input.ExpressionAttributeValues
          ? h("code", {}, ` ${JSON.stringify(call.input.ExpressionAttributeValues)}`)
          : call.input.Key
            ? h("code", {}, ` Key ${JSON.stringify(call.input.Key)}`)
            : "",
        call.error ? ` (failed: ${call.error})` : "",
        more("input", call.input),
      ),
    ),
  ]);
  return steps;
}

function describeCall(call: RequestTrace["calls"][number]): string {
  const key = call.input.Key ? ` ${JSON.stringify(call.input.Key)}` : "";
  return `${call.service} ${call.command}${key}${call.error ? ` (failed: ${call.error})` : ""}`;
}

/** A value folded away under a label: the step's line says what matters, the JSON is one click away. */
const more = (label: string, value: unknown) =>
  h("details", { class: "more" }, h("summary", {}, label), h("pre", {}, JSON.stringify(value, null, 2)));

function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

const time = (seconds: number) => new Date(seconds * 1000).toLocaleTimeString();
const shortPath = (path: string) => path.replace(/^\/[^/]+/, "");
