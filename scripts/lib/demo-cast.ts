/** The demo's two tenants and their users: who they are and what each may do. */
import type { Role } from "../../shared/runtime/purchases-api.ts";
import { randomPassword } from "../../shared/random-password.ts";

export interface DemoUser {
  /** The shell variables holding this user's ID token and password in the printed commands. */
  tokenVariable: string;
  passwordVariable: string;
  email: string;
  tenantId: string;
  role: Role;
}

export const DEMO_USERS = {
  alice: {
    tokenVariable: "ALICE_TOKEN",
    passwordVariable: "ALICE_PASSWORD",
    email: "alice@acme.example",
    tenantId: "acme",
    role: "member",
  },
  vera: {
    tokenVariable: "VERA_TOKEN",
    passwordVariable: "VERA_PASSWORD",
    email: "vera@acme.example",
    tenantId: "acme",
    role: "viewer",
  },
  adam: {
    tokenVariable: "ADAM_TOKEN",
    passwordVariable: "ADAM_PASSWORD",
    email: "adam@acme.example",
    tenantId: "acme",
    role: "admin",
  },
  bob: {
    tokenVariable: "BOB_TOKEN",
    passwordVariable: "BOB_PASSWORD",
    email: "bob@globex.example",
    tenantId: "globex",
    role: "member",
  },
} as const satisfies Record<string, DemoUser>;

export const DEMO_EMAILS = Object.values(DEMO_USERS).map((user) => user.email);

export type DemoUserName = keyof typeof DEMO_USERS;

/**
 * A new password for each demo user, each run: a fixed one, public in this
 * repository, would let anyone with the app client id sign in as the demo's
 * admin on a deployed stack.
 */
export function newDemoPasswords(): Record<DemoUserName, string> {
  return Object.fromEntries(Object.keys(DEMO_USERS).map((name) => [name, randomPassword()])) as Record<
    DemoUserName,
    string
  >;
}
