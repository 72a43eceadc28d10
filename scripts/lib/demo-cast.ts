/** The demo's two tenants and their users: who they are and what each may do. */
import type { Role } from "../../shared/api/purchases-api.ts";

export interface DemoUser {
  /** The shell variable holding this user's ID token in the printed commands. */
  tokenVariable: string;
  email: string;
  tenantId: string;
  role: Role;
}

export const DEMO_PASSWORD = "Workshop-demo-2026!";

export const DEMO_USERS = {
  alice: { tokenVariable: "ALICE_TOKEN", email: "alice@acme.example", tenantId: "acme", role: "member" },
  vera: { tokenVariable: "VERA_TOKEN", email: "vera@acme.example", tenantId: "acme", role: "viewer" },
  adam: { tokenVariable: "ADAM_TOKEN", email: "adam@acme.example", tenantId: "acme", role: "admin" },
  bob: { tokenVariable: "BOB_TOKEN", email: "bob@globex.example", tenantId: "globex", role: "member" },
} as const satisfies Record<string, DemoUser>;

export const DEMO_EMAILS = Object.values(DEMO_USERS).map((user) => user.email);
