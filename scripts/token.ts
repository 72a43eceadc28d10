/**
 * `npm run token -- EMAIL TENANT [ROLE]`: makes sure the user exists in that
 * tenant (the operator's admin call), signs in as them, and prints the ID token.
 * Talks to the stack `npm run local` keeps running, or `--target aws`.
 */
import { parseArgs } from "node:util";
import { ROLES, type Role } from "../shared/api/purchases-api.ts";
import { AuthError } from "../solutions/02-user-pool/auth-client.ts";
import { runMain } from "./lib/cli-args.ts";
import { DEMO_PASSWORD } from "./lib/demo-cast.ts";
import { openTarget } from "./lib/workshop-target.ts";

async function main() {
  const { values, positionals } = parseArgs({
    options: { target: { type: "string", default: "local" }, password: { type: "string", default: DEMO_PASSWORD } },
    allowPositionals: true,
  });
  const [email, tenantId, role = "member"] = positionals;
  if (!email || !tenantId) throw new Error("Usage: npm run token -- EMAIL TENANT [viewer|member|admin] [--target aws]");
  if (!ROLES.includes(role as Role)) throw new Error(`The role must be one of ${ROLES.join(", ")}.`);
  if (values.target !== "local" && values.target !== "aws") throw new Error('--target must be "local" or "aws".');

  const workshop = await openTarget(values.target, { useRunning: true });
  try {
    try {
      await workshop.auth.addUserToTenant({ email, password: values.password, tenantId, role: role as Role });
      console.error(`Created ${email} in tenant ${tenantId} (group ${role}).`);
    } catch (error) {
      if (!(error instanceof AuthError && error.code === "UsernameExistsException")) throw error;
      console.error(`${email} already exists; signing in.`);
    }
    const tokens = await workshop.auth.signIn(email, values.password);
    // The token alone on stdout, so that `TOKEN=$(npm run -s token -- ...)` works.
    console.log(tokens.idToken);
  } finally {
    await workshop.close();
  }
}

runMain(main);
