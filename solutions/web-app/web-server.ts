/**
 * Serves the web app (Vite's dev server) at http://localhost:5173, the one
 * origin the stack's CORS allows, with a few endpoints of its own under
 * `/__workshop/`:
 *
 * - `config`: the stack's outputs the browser needs (API URL, pool, app client, Region).
 * - `traces` (local stack only): the gateway's record of each call, for the
 *   flow inspector; answered only for the tokens the page shows it holds.
 * - `mail` (local only): the codes Cognito would have emailed, for the mailbox panel.
 * - `operator/users` (local only): the operator's AdminCreateUser, which puts a user in a tenant.
 *
 * None of these exist on AWS: they are this development server's, and never deployed.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { createServer, type Plugin, type ViteDevServer } from "vite";
import { AuthClient, type AuthClientConfig } from "../02-user-pool/auth-client.ts";
import type { RequestTraceRecorder } from "../../shared/local-stack/api-gateway/request-trace.ts";
import type { Mail } from "../../shared/local-stack/cognito/cognito-emulator.ts";
import type { UserPoolDefinition } from "../../shared/local-stack/cognito/user-pool-definition.ts";
import type { StackOutputs, Target } from "../../shared/outputs-file.ts";
import { LOCAL_TOKEN_PASSWORD } from "../../scripts/lib/token-request.ts";
import { LOCAL_WEB_APP_ORIGIN, ROLES, TENANT_ID_PATTERN, type Role } from "../../shared/runtime/purchases-api.ts";

export const WEB_APP_PORT = Number(new URL(LOCAL_WEB_APP_ORIGIN).port);
const ROOT = fileURLToPath(new URL(".", import.meta.url));

/** What the browser is told about the stack (`/__workshop/config`). */
export interface WebAppConfig {
  target: Target;
  apiUrl: string;
  region: string;
  userPoolId: string;
  clientId: string;
  /** The Cognito emulator, locally; absent on AWS (the SDK's own endpoint). */
  cognitoEndpoint?: string;
  /** Locally: the gateway's authorizer cache TTL, so the inspector can say when a cached policy expires. */
  authorizerCacheTtlSeconds?: number;
  /** Locally: the password the operator panel suggests (the one `npm run token` gives its users). */
  suggestedPassword?: string;
  /** Locally: the pool's password policy, in words, from the definition the emulator enforces. */
  passwordRule?: string;
  /** Whether the trace, mail and operator endpoints answer. */
  localEndpoints: boolean;
}

/** The codes Cognito "mailed", kept for the mailbox panel. */
export class Mailbox {
  readonly #mails: (Mail & { at: number })[] = [];
  readonly receive = (mail: Mail): void => {
    this.#mails.push({ ...mail, at: Date.now() });
    if (this.#mails.length > 100) this.#mails.shift();
  };
  to(address: string) {
    return this.#mails.filter((mail) => mail.to.toLowerCase() === address.toLowerCase()).reverse();
  }
}

export interface LocalEndpoints {
  traces: RequestTraceRecorder;
  mailbox: Mailbox;
  /** The operator's auth client settings (the local credentials). */
  operator: AuthClientConfig;
  authorizerCacheTtlSeconds: number;
  suggestedPassword: string;
  passwordRule?: string;
}

/** The local endpoints' parts, for a local stack started with `requestTrace: traces` and `onMail: mailbox.receive`. */
export function localEndpointsFor(
  stack: { cognito: { authClientConfig: AuthClientConfig; definition: UserPoolDefinition } },
  parts: { traces: RequestTraceRecorder; mailbox: Mailbox; authorizerCacheTtlSeconds: number },
): LocalEndpoints {
  const policy = stack.cognito.definition.pool.Policies?.PasswordPolicy;
  const needs = [
    policy?.RequireLowercase && "lower case",
    policy?.RequireUppercase && "upper case",
    policy?.RequireNumbers && "a digit",
    policy?.RequireSymbols && "a symbol",
  ].filter(Boolean);
  const passwordRule = policy
    ? `At least ${policy.MinimumLength ?? 8} characters${needs.length ? `, with ${needs.join(", ")}` : ""}.`
    : undefined;
  return {
    ...parts,
    operator: stack.cognito.authClientConfig,
    suggestedPassword: LOCAL_TOKEN_PASSWORD,
    passwordRule,
  };
}

export interface WebAppOptions {
  target: Target;
  outputs: StackOutputs;
  local?: LocalEndpoints;
  port?: number;
}

export interface WebApp {
  url: string;
  close(): Promise<void>;
}

export async function startWebApp(options: WebAppOptions): Promise<WebApp> {
  const server: ViteDevServer = await createServer({
    configFile: false,
    root: ROOT,
    logLevel: "warn",
    clearScreen: false,
    plugins: [workshopEndpoints(options)],
    resolve: {
      // mfa.ts imports totp.ts for its otpauth URI; totp.ts's HMAC is Node's. The page never computes a
      // code (the authenticator app does), so the browser gets a stand-in that says so if it is ever called.
      alias: { "node:crypto": fileURLToPath(new URL("src/node-crypto-stand-in.ts", import.meta.url)) },
    },
    // Bundled once at start, so the first page load does not wait for it, nor reload when it is found.
    optimizeDeps: { include: ["@aws-sdk/client-cognito-identity-provider", "@scure/base"] },
    server: {
      port: options.port ?? WEB_APP_PORT,
      strictPort: true,
      host: "localhost",
      // The page is this origin's only caller; the stack's API is another origin and answers CORS itself.
      cors: false,
    },
  });
  try {
    await server.listen();
  } catch (error) {
    await server.close();
    if ((error as { code?: string }).code === "EADDRINUSE" || /already in use/i.test(String(error))) {
      throw new Error(
        `Port ${options.port ?? WEB_APP_PORT} is in use: is another \`npm run local\` or \`npm run web\` running? The web app must be served at ${LOCAL_WEB_APP_ORIGIN}, the origin the stack's CORS allows.`,
      );
    }
    throw error;
  }
  return {
    url: `http://localhost:${options.port ?? WEB_APP_PORT}/`,
    close: () => server.close(),
  };
}

function workshopEndpoints({ target, outputs, local }: WebAppOptions): Plugin {
  const config: WebAppConfig = {
    target,
    apiUrl: outputs.ApiUrl.replace(/\/$/, ""),
    region: outputs.Region,
    userPoolId: outputs.UserPoolId,
    clientId: outputs.UserPoolClientId,
    cognitoEndpoint: outputs.CognitoEndpoint,
    authorizerCacheTtlSeconds: local?.authorizerCacheTtlSeconds,
    suggestedPassword: local?.suggestedPassword,
    passwordRule: local?.passwordRule,
    localEndpoints: local !== undefined,
  };
  const operator = local ? new AuthClient(local.operator) : undefined;

  async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === "/config" && req.method === "GET") return send(res, 200, config);
    if (!local) return send(res, 404, { message: "Not served against a deployed stack." });
    if (path === "/traces" && req.method === "POST") {
      const body = (await readJson(req)) as { digests?: unknown; after?: unknown };
      const digests = Array.isArray(body.digests) ? body.digests.filter((d) => typeof d === "string") : [];
      const after = typeof body.after === "number" ? body.after : 0;
      return send(res, 200, {
        lastSeq: local.traces.lastSeq,
        traces: local.traces.tracesFor({ digests, origin: LOCAL_WEB_APP_ORIGIN, after }),
      });
    }
    if (path === "/traces" && req.method === "GET") return send(res, 200, { lastSeq: local.traces.lastSeq });
    if (path.startsWith("/mail") && req.method === "GET") {
      const to = new URL(req.url ?? "", "http://localhost").searchParams.get("to") ?? "";
      return send(res, 200, { mails: local.mailbox.to(to) });
    }
    if (path === "/operator/users" && req.method === "POST" && operator) {
      const body = (await readJson(req)) as { email?: unknown; tenantId?: unknown; role?: unknown; password?: unknown };
      const { email, tenantId, role, password } = body;
      if (typeof email !== "string" || !email.includes("@"))
        return send(res, 400, { field: "email", message: "is not an email address" });
      if (typeof tenantId !== "string" || !TENANT_ID_PATTERN.test(tenantId))
        return send(res, 400, { field: "tenantId", message: "must be letters, digits, - or _ (1 to 64)" });
      if (typeof role !== "string" || !ROLES.includes(role as Role))
        return send(res, 400, { field: "role", message: `must be one of ${ROLES.join(", ")}` });
      if (typeof password !== "string") return send(res, 400, { field: "password", message: "is required" });
      try {
        await operator.addUserToTenant({ email, password, tenantId, role: role as Role });
      } catch (error) {
        const { code, message } = error as { code?: string; message?: string };
        return send(res, 409, { code, message: message ?? String(error) });
      }
      return send(res, 201, { email, tenantId, role });
    }
    return send(res, 404, { message: "No such endpoint." });
  }

  return {
    name: "workshop-endpoints",
    configureServer(server) {
      server.middlewares.use("/__workshop", (req, res) => {
        const path = (req.url ?? "/").split("?")[0] ?? "/";
        handle(req, res, path).catch((error: unknown) => send(res, 500, { message: String(error) }));
      });
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Cache-Control", "no-store");
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
  } catch {
    return {};
  }
}
