/**
 * What the deployed pool and app client allow, read from their CloudFormation
 * properties: the checks cognito-local stores but does not make. Each refusal
 * carries the exception name and message real Cognito answers with.
 */
import { CognitoError } from "./cognito-error.ts";
import type { PasswordPolicy, TimeUnit, UserPoolDefinition } from "./user-pool-definition.ts";

/** Cognito's special characters for `RequireSymbols` (a space counts when not leading or trailing). */
const SYMBOLS = new Set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ");
const SECONDS_PER: Record<TimeUnit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

/** API flows and the ExplicitAuthFlows entry that enables each. */
const FLOW_SETTING: Record<string, string> = {
  USER_PASSWORD_AUTH: "ALLOW_USER_PASSWORD_AUTH",
  ADMIN_USER_PASSWORD_AUTH: "ALLOW_ADMIN_USER_PASSWORD_AUTH",
  ADMIN_NO_SRP_AUTH: "ALLOW_ADMIN_USER_PASSWORD_AUTH",
  USER_SRP_AUTH: "ALLOW_USER_SRP_AUTH",
  CUSTOM_AUTH: "ALLOW_CUSTOM_AUTH",
  USER_AUTH: "ALLOW_USER_AUTH",
  REFRESH_TOKEN_AUTH: "ALLOW_REFRESH_TOKEN_AUTH",
  REFRESH_TOKEN: "ALLOW_REFRESH_TOKEN_AUTH",
};
/** What Cognito enables when a client names no flows. */
const DEFAULT_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];

export interface PoolRules {
  /** Throws InvalidPasswordException (or InvalidParameterException under 6 characters) as Cognito does. */
  assertPassword(password: unknown): void;
  /** Throws NotAuthorizedException when the app client may not write one of the attributes. */
  assertWritable(attributeNames: readonly string[]): void;
  /** Throws InvalidParameterException when the app client does not enable the flow. */
  assertFlow(authFlow: unknown): void;
  canRead(attributeName: string): boolean;
  preventUserExistenceErrors: boolean;
  tokenRevocation: boolean;
  /** `ExpiresIn` of an AuthenticationResult: the access token's lifetime. */
  accessTokenSeconds: number;
}

export function poolRules({ pool, client }: UserPoolDefinition): PoolRules {
  const policy = pool.Policies?.PasswordPolicy ?? {};
  const readable = client.ReadAttributes && new Set(client.ReadAttributes);
  const writable = client.WriteAttributes && new Set(client.WriteAttributes);
  const flows = new Set(client.ExplicitAuthFlows ?? DEFAULT_FLOWS);
  const accessUnit = client.TokenValidityUnits?.AccessToken ?? "hours";

  return {
    assertPassword(password) {
      const problem = passwordProblem(policy, typeof password === "string" ? password : "");
      if (problem) throw problem;
    },
    assertWritable(names) {
      // An unset WriteAttributes lets the client write every writable attribute.
      if (writable && names.some((name) => !writable.has(name))) {
        throw new CognitoError("NotAuthorizedException", "A client attempted to write unauthorized attribute");
      }
    },
    assertFlow(authFlow) {
      const setting = FLOW_SETTING[String(authFlow)];
      if (!setting || !flows.has(setting)) {
        throw new CognitoError("InvalidParameterException", `${String(authFlow)} flow not enabled for this client`);
      }
    },
    canRead: (name) => !readable || readable.has(name),
    preventUserExistenceErrors: client.PreventUserExistenceErrors === "ENABLED",
    tokenRevocation: client.EnableTokenRevocation ?? true,
    accessTokenSeconds: (client.AccessTokenValidity ?? 1) * SECONDS_PER[accessUnit],
  };
}

/** The first rule of the policy the password breaks, as Cognito words it; undefined when it meets them all. */
export function passwordProblem(policy: PasswordPolicy, password: string): CognitoError | undefined {
  if (password.length < 6) {
    return new CognitoError(
      "InvalidParameterException",
      "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 6",
    );
  }
  const rules: [boolean, string][] = [
    [password.length < (policy.MinimumLength ?? 8), "Password not long enough"],
    [!!policy.RequireLowercase && !/[a-z]/.test(password), "Password must have lowercase characters"],
    [!!policy.RequireUppercase && !/[A-Z]/.test(password), "Password must have uppercase characters"],
    [!!policy.RequireNumbers && !/[0-9]/.test(password), "Password must have numeric characters"],
    [
      !!policy.RequireSymbols && ![...password.trim()].some((c) => SYMBOLS.has(c)),
      "Password must have symbol characters",
    ],
  ];
  const broken = rules.find(([breaks]) => breaks);
  return broken && new CognitoError("InvalidPasswordException", `Password did not conform with policy: ${broken[1]}`);
}

/** How Cognito shows where a code went without revealing the address: `b***@e***`. */
export function maskedEmail(address: string): string {
  const [local = "", domain = ""] = address.split("@");
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`;
}
