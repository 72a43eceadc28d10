/** What `npm run token` is asked for, and what it tells the caller when the user already exists. */
import { parseArgs } from "node:util";
import { ROLES, type Role } from "../../shared/runtime/purchases-api.ts";
import type { Target } from "../../shared/outputs-file.ts";
import { targetOf } from "./cli-args.ts";
import { roleFromGroups } from "../../solutions/04-policy-and-context/tenant-policy.ts";

export const TOKEN_USAGE =
  "Usage: npm run token -- EMAIL TENANT [viewer|member|admin] [--json] [--target aws --password PASSWORD]";

/**
 * The password of users `npm run token` creates on the local stack, whose
 * signing key is public anyway. A deployed pool gets no default: anyone could
 * read it here and sign in as those users.
 */
export const LOCAL_TOKEN_PASSWORD = "Local-stack-only-2026!";

export interface TokenRequest {
  email: string;
  tenantId: string;
  role: Role;
  /** Whether ROLE was on the command line (not the default). */
  roleGiven: boolean;
  target: Target;
  password: string;
  /** Print the three tokens as JSON, not the ID token alone. */
  json: boolean;
}

export function parseTokenArgs(argv: string[], env: Record<string, string | undefined>): TokenRequest {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      target: { type: "string", default: "local" },
      password: { type: "string" },
      json: { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  const [email, tenantId, role] = positionals;
  if (!email || !tenantId) throw new Error(TOKEN_USAGE);
  if (role !== undefined && !ROLES.includes(role as Role))
    throw new Error(`The role must be one of ${ROLES.join(", ")}.`);
  const target = targetOf(values.target);
  const password = values.password ?? env.WORKSHOP_PASSWORD ?? (target === "local" ? LOCAL_TOKEN_PASSWORD : undefined);
  if (!password) {
    throw new Error(
      "--target aws needs the user's password: pass --password '…' or set WORKSHOP_PASSWORD (no default, so that nobody can sign in as the users this creates).",
    );
  }
  return {
    email,
    tenantId,
    role: (role ?? "member") as Role,
    roleGiven: role !== undefined,
    target,
    password,
    json: values.json,
  };
}

/**
 * One line for stderr when an existing user is not the TENANT or ROLE asked
 * for (read from their ID token: what the API will see), or undefined.
 */
export function existingUserNote(
  request: Pick<TokenRequest, "email" | "tenantId" | "role" | "roleGiven">,
  idToken: string,
): string | undefined {
  const claims = JSON.parse(Buffer.from(idToken.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<
    string,
    unknown
  >;
  const tenant = String(claims["custom:tenantId"] ?? "");
  const role = roleFromGroups(claims["cognito:groups"]);
  const ignored = [
    ...(tenant !== request.tenantId ? [`TENANT ${request.tenantId}`] : []),
    ...(request.roleGiven && role !== request.role ? [`ROLE ${request.role}`] : []),
  ];
  if (ignored.length === 0) return undefined;
  const why = tenant !== request.tenantId ? " (a user's tenant never changes)" : "";
  return (
    `note: ${request.email} already exists in tenant ${tenant} as ${role}, so ${ignored.join(" and ")} ${ignored.length > 1 ? "were" : "was"} ignored${why}: ` +
    `for a${/^[aeiou]/.test(request.role) ? "n" : ""} ${request.role} of ${request.tenantId}, use a new email.`
  );
}
