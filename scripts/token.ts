/**
 * `npm run token -- EMAIL TENANT [ROLE]`: makes sure the user exists in that
 * tenant (the operator's admin call), signs in as them, and prints the ID token.
 * Talks to the stack `npm run local` keeps running, or `--target aws` (which
 * needs `--password` or WORKSHOP_PASSWORD). An existing user keeps their own
 * tenant and groups: a note on stderr says so when they differ from the ask.
 * `--json` prints the three tokens of that sign-in (step 07 signs out with the
 * refresh token).
 */
import { AuthError } from "../solutions/02-user-pool/auth-client.ts";
import { runMain } from "./lib/cli-args.ts";
import { existingUserNote, parseTokenArgs } from "./lib/token-request.ts";
import { openTarget } from "./lib/workshop-target.ts";

async function main() {
  const request = parseTokenArgs(process.argv.slice(2), process.env);
  const { email, tenantId, role, password } = request;

  const workshop = await openTarget(request.target, { useRunning: true });
  try {
    let existed = false;
    try {
      await workshop.auth.addUserToTenant({ email, password, tenantId, role });
      console.error(`Created ${email} in tenant ${tenantId} (group ${role}).`);
    } catch (error) {
      if (!(error instanceof AuthError && error.code === "UsernameExistsException")) throw error;
      existed = true;
      console.error(`${email} already exists; signing in.`);
    }
    const tokens = await workshop.auth.signIn(email, password);
    const note = existed ? existingUserNote(request, tokens.idToken) : undefined;
    if (note) console.error(note);
    // The token alone on stdout, so that `TOKEN=$(npm run -s token -- ...)` works.
    const { idToken, accessToken, refreshToken } = tokens;
    console.log(request.json ? JSON.stringify({ idToken, accessToken, refreshToken }) : idToken);
  } finally {
    await workshop.close();
  }
}

runMain(main);
