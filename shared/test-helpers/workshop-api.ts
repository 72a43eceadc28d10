/**
 * A test's view of a running stack (local or deployed): provision tenants and
 * users through the operator's admin API, sign in, and call the purchases API
 * over HTTP.
 */
import { randomUUID } from "node:crypto";
import {
  AdminDeleteUserCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { Role } from "../runtime/purchases-api.ts";
import { AuthClient } from "../../solutions/02-user-pool/auth-client.ts";
import { authClientConfig } from "../auth-client-config.ts";
import type { StackOutputs } from "../outputs-file.ts";
import { randomPassword } from "../random-password.ts";
import { isThrowawayStack } from "../validation/suite-run-env.ts";

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

/** New each run: a fixed password would let anyone sign in as test users an interrupted run left on a deployed stack. */
export const TEST_PASSWORD = randomPassword();

export class WorkshopApi {
  readonly auth: AuthClient;
  readonly apiUrl: string;
  /** The operator's view of the user pool (admin API), for set-up and clean-up. */
  private readonly cognito: CognitoIdentityProviderClient;
  private readonly createdUsers: TestUser[] = [];
  private readonly createdClients: string[] = [];

  constructor(readonly outputs: StackOutputs) {
    this.apiUrl = outputs.ApiUrl.replace(/\/$/, "");
    this.auth = new AuthClient(authClientConfig(outputs));
    const { region, endpoint, credentials } = authClientConfig(outputs);
    this.cognito = new CognitoIdentityProviderClient({ region, endpoint, credentials });
  }

  /**
   * Signs a user in through another app client of the same pool (created for
   * the test, removed by cleanup): its ID tokens carry another audience.
   */
  async signInThroughAnotherAppClient(user: TestUser): Promise<string> {
    const { UserPoolClient } = await this.cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: this.outputs.UserPoolId,
        ClientName: `validation-other-${randomUUID().slice(0, 8)}`,
        ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        ReadAttributes: ["email", "custom:tenantId"],
      }),
    );
    const clientId = UserPoolClient?.ClientId;
    if (!clientId) throw new Error("Cognito created no app client.");
    this.createdClients.push(clientId);
    const other = new AuthClient(authClientConfig(this.outputs, clientId));
    try {
      return (await other.signIn(user.email, TEST_PASSWORD)).idToken;
    } finally {
      other.destroy();
    }
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
    const user = { email, tenantId, role, ...tokens };
    this.createdUsers.push(user);
    return user;
  }

  /** Calls the API; `token` goes in the Authorization header as `Bearer <token>` unless `authorization` is given. */
  async call<T = any>(
    method: string,
    path: string,
    options: {
      token?: string;
      authorization?: string;
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
    } = {},
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

  /**
   * Leaves the stack as it was: deletes every purchase of the tenants this
   * instance created users in (through the API, as an admin of each), then
   * the users and app clients it created. Nothing, for a stack that is
   * thrown away after the run (suite-run-env.ts).
   */
  async cleanup(): Promise<void> {
    if (isThrowawayStack()) return;
    const tenants = [...new Set(this.createdUsers.map((u) => u.tenantId))];
    for (const tenantId of tenants) {
      const admin =
        this.createdUsers.find((u) => u.tenantId === tenantId && u.role === "admin") ??
        (await this.user(tenantId, "admin"));
      let page: ApiResponse<{ purchases?: { purchaseId: string }[]; nextToken?: string }>;
      let deleted: number;
      do {
        // The first page again each time: its purchases are gone once deleted.
        page = await this.call("GET", "/purchases?limit=100", { token: admin.idToken });
        deleted = 0;
        for (const { purchaseId } of page.body?.purchases ?? []) {
          const { status } = await this.call("DELETE", `/purchases/${purchaseId}`, { token: admin.idToken });
          if (status === 204 || status === 404) deleted++; // gone, by this call or another
        }
        // A page none of whose purchases could be deleted would come back the same: stop there.
      } while (page.status === 200 && page.body?.nextToken && deleted > 0);
    }
    for (const user of this.createdUsers.splice(0)) {
      await this.cognito
        .send(new AdminDeleteUserCommand({ UserPoolId: this.outputs.UserPoolId, Username: user.email }))
        .catch(() => undefined);
    }
    for (const clientId of this.createdClients.splice(0)) {
      await this.cognito
        .send(new DeleteUserPoolClientCommand({ UserPoolId: this.outputs.UserPoolId, ClientId: clientId }))
        .catch(() => undefined);
    }
  }

  close(): void {
    this.auth.destroy();
    this.cognito.destroy();
  }
}

export const aPurchase = (overrides: Record<string, unknown> = {}) => ({
  item: "Espresso machine",
  amountCents: 45_900,
  currency: "USD",
  ...overrides,
});
