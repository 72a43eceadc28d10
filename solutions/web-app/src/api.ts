/**
 * The purchases API from the browser, through step 07's Session (refresh
 * before expiry, one retry after a 401). Every request the session sends goes
 * through `recordingFetch`, so the flow inspector sees each attempt: the token
 * it carried, the answer, and (locally) what the gateway recorded of it.
 */
import type { RequestTrace } from "../../../shared/local-stack/api-gateway/request-trace.ts";
import type { Session } from "../../07-sessions/session.ts";
import type { WebAppConfig } from "../web-server.ts";
import { sha256Hex } from "./jwt.ts";

/** One HTTP request as the browser sent it and saw its answer. */
export interface Attempt {
  method: string;
  path: string;
  /** The Authorization header sent, if any. */
  authorization?: string;
  status?: number;
  body?: string;
  /** The browser could not send it or read the answer (network, CORS). */
  networkError?: string;
  /** Locally: the gateway's record of this request. */
  trace?: RequestTrace;
}

/** One action of the page (list, create…), with its attempts: two when the session refreshed and retried. */
export interface ApiCall {
  id: number;
  label: string;
  attempts: Attempt[];
}

export type CallListener = (call: ApiCall) => void;

export class ApiClient {
  #nextId = 1;
  #current: ApiCall | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #traceSeq = 0;
  readonly #digests = new Set<string>();

  constructor(
    readonly config: WebAppConfig,
    private readonly onCall: CallListener,
  ) {}

  /** Starts from the gateway's last trace, so the inspector shows only this page's calls. */
  async init(): Promise<void> {
    if (!this.config.localEndpoints) return;
    const answer = await fetch("/__workshop/traces").then((r) => r.json() as Promise<{ lastSeq: number }>);
    this.#traceSeq = answer.lastSeq;
  }

  /** The fetch to give the Session: records each request into the current call. */
  readonly recordingFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const attempt: Attempt = {
      method: request.method,
      path: new URL(request.url).pathname,
      authorization: request.headers.get("Authorization") ?? undefined,
    };
    const call = this.#current;
    call?.attempts.push(attempt);
    if (call) this.onCall(call);
    try {
      const response = await fetch(request);
      attempt.status = response.status;
      attempt.body = await response.clone().text();
      return response;
    } catch (error) {
      attempt.networkError = String(error);
      throw error;
    } finally {
      await this.#attachTrace(attempt);
      if (call) this.onCall(call);
    }
  };

  /** Runs one action as one call in the inspector; actions run one at a time, so their attempts never mix. */
  run<T>(label: string, action: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(async () => {
      this.#current = { id: this.#nextId++, label, attempts: [] };
      this.onCall(this.#current);
      try {
        return await action();
      } finally {
        this.#current = undefined;
      }
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  list(session: Session) {
    return this.run("List the tenant's purchases", () => session.fetch(`${this.config.apiUrl}/purchases`));
  }

  create(session: Session, purchase: { item: string; amountCents: number; currency: string }) {
    return this.run("Record a purchase", () =>
      session.fetch(`${this.config.apiUrl}/purchases`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
        body: JSON.stringify(purchase),
      }),
    );
  }

  remove(session: Session, purchaseId: string) {
    return this.run("Delete a purchase", () =>
      session.fetch(`${this.config.apiUrl}/purchases/${encodeURIComponent(purchaseId)}`, { method: "DELETE" }),
    );
  }

  signOut(session: Session, everywhere: boolean) {
    return this.run(everywhere ? "Sign out everywhere" : "Sign out of this device", () =>
      session.fetch(`${this.config.apiUrl}/sign-out`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refreshToken: session.refreshToken, ...(everywhere ? { everywhere: true } : {}) }),
      }),
    );
  }

  /** A call with a token the page kept after signing out: does the API still take it? */
  withOldToken(idToken: string) {
    return this.run("List, with the signed-out ID token", () =>
      this.recordingFetch(`${this.config.apiUrl}/purchases`, { headers: { Authorization: `Bearer ${idToken}` } }),
    );
  }

  async #attachTrace(attempt: Attempt): Promise<void> {
    if (!this.config.localEndpoints) return;
    if (attempt.authorization) this.#digests.add(await sha256Hex(attempt.authorization));
    try {
      const answer = await fetch("/__workshop/traces", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ digests: [...this.#digests], after: this.#traceSeq }),
      }).then((r) => r.json() as Promise<{ traces: RequestTrace[] }>);
      const digest = attempt.authorization ? await sha256Hex(attempt.authorization) : undefined;
      const trace = answer.traces.find(
        (t) => t.method === attempt.method && t.path === attempt.path && t.tokenDigest === digest,
      );
      if (trace) {
        attempt.trace = trace;
        this.#traceSeq = trace.seq;
      }
    } catch {
      // The inspector then shows what the browser saw; the trace is a bonus.
    }
  }
}
