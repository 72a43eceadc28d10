/**
 * A test's view of a running stack (local or deployed): provision tenants and
 * users through the operator's admin API, sign in, and call the purchases API
 * over HTTP.
 */
import { randomUUID } from "node:crypto";
import type { Role } from "../api/purchases-api.ts";
import { AuthClient } from "../../solutions/02-user-pool/auth-client.ts";
import { LOCAL_CREDENTIALS } from "../local-stack/local-credentials.ts";
import type { StackOutputs } from "../local-stack/outputs-file.ts";

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestUser {
  email: string;
  tenantId: string;
  role: Role;
  idToken: string;
  accessToken: string;
  refreshToken: string;
}

export const TEST_PASSWORD = "Test-password-1234!";

export class WorkshopApi {
  readonly auth: AuthClient;
  readonly apiUrl: string;

  constructor(readonly outputs: StackOutputs) {
    this.apiUrl = outputs.ApiUrl.replace(/\/$/, "");
    this.auth = new AuthClient({
      region: outputs.Region,
      userPoolId: outputs.UserPoolId,
      clientId: outputs.UserPoolClientId,
      ...(outputs.CognitoEndpoint ? { endpoint: outputs.CognitoEndpoint, credentials: LOCAL_CREDENTIALS } : {}),
    });
  }

  /** A tenant id no other test uses. */
  static newTenantId(prefix = "t"): string {
    return `${prefix}-${randomUUID().slice(0, 8)}`;
  }

  /** Creates a user in a tenant with a role, signed in. */
  async user(tenantId: string, role: Role = "member"): Promise<TestUser> {
    const email = `${role}-${randomUUID().slice(0, 8)}@${tenantId}.test`;
    await this.auth.addUserToTenant({ email, password: TEST_PASSWORD, tenantId, role });
    const tokens = await this.auth.signIn(email, TEST_PASSWORD);
    return { email, tenantId, role, ...tokens };
  }

  /** Calls the API; `token` goes in the Authorization header as `Bearer <token>` unless `authorization` is given. */
  async call<T = any>(
    method: string,
    path: string,
    options: { token?: string; authorization?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const authorization = options.authorization ?? (options.token ? `Bearer ${options.token}` : undefined);
    if (authorization !== undefined) headers.Authorization = authorization;
    let body = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["Content-Type"] = "application/json";
    }
    const response = await fetch(`${this.apiUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  close(): void {
    this.auth.destroy();
  }
}

export const aPurchase = (overrides: Record<string, unknown> = {}) => ({
  item: "Espresso machine",
  amountCents: 45_900,
  currency: "USD",
  ...overrides,
});
