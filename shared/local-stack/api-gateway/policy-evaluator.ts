/**
 * How API Gateway judges a TOKEN authorizer's answer: is it well-formed, and
 * does its IAM policy let the caller run `execute-api:Invoke` on this request's
 * method ARN? Pure functions, so the rules can be tested as a table.
 */
import type { PolicyDocument } from "aws-lambda";

export interface MethodArnParts {
  region: string;
  accountId: string;
  apiId: string;
  stage: string;
  method: string;
  /** The concrete request path below the stage, e.g. `/purchases/01HX...`. */
  path: string;
}

/**
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`.
 * It names the concrete path (not the `{param}` template), which is why a
 * policy must use `*` to cover every id.
 */
export function methodArn({ region, accountId, apiId, stage, method, path }: MethodArnParts): string {
  return `arn:aws:execute-api:${region}:${accountId}:${apiId}/${stage}/${method.toUpperCase()}/${path.replace(/^\//, "")}`;
}

export type PolicyDecision = "allow" | "explicit-deny" | "implicit-deny";

const INVOKE_ACTION = "execute-api:Invoke";

/**
 * Evaluates a policy for `execute-api:Invoke` on `arn` the way IAM does: any
 * matching Deny wins, else any matching Allow allows, else implicit deny.
 *
 * Forms we cannot evaluate faithfully fail closed:
 * - `Condition`: API Gateway gives us no request context to test condition keys
 *   against, so a conditional Allow never allows, and a conditional Deny is
 *   assumed to apply (when its action and resource match).
 * - `NotAction`/`NotResource` in an Allow grant "everything except", which is
 *   too easy to get wrong to let it open access locally; they never allow. In a
 *   Deny they only ever take access away, so they are evaluated as IAM does.
 */
export function evaluatePolicy(policyDocument: unknown, arn: string): PolicyDecision {
  if (!isRecord(policyDocument)) return "implicit-deny";
  let allowed = false;
  for (const statement of asArray(policyDocument.Statement)) {
    if (!isRecord(statement)) continue;
    const { Effect: effect } = statement;
    if (effect !== "Allow" && effect !== "Deny") continue;

    const action = elementMatches(statement.Action, statement.NotAction, INVOKE_ACTION, true);
    const resource = elementMatches(statement.Resource, statement.NotResource, arn, false);
    if (!action.matches || !resource.matches) continue;

    if (effect === "Deny") return "explicit-deny";
    const conservative = statement.Condition !== undefined || action.negated || resource.negated;
    if (!conservative) allowed = true;
  }
  return allowed ? "allow" : "implicit-deny";
}

/** Action/Resource (or their Not- forms) against one value. */
function elementMatches(
  positive: unknown,
  negative: unknown,
  value: string,
  caseInsensitive: boolean,
): { matches: boolean; negated: boolean } {
  if (positive !== undefined) return { matches: anyPatternMatches(positive, value, caseInsensitive), negated: false };
  if (negative !== undefined) return { matches: !anyPatternMatches(negative, value, caseInsensitive), negated: true };
  return { matches: false, negated: false };
}

function anyPatternMatches(patterns: unknown, value: string, caseInsensitive: boolean): boolean {
  return asArray(patterns).some(
    (pattern) => typeof pattern === "string" && wildcardMatch(pattern, value, caseInsensitive),
  );
}

/**
 * IAM wildcards: `*` is any run of characters (including `/` and none at all),
 * `?` exactly one character; everything else is literal.
 */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const source = pattern
    .split("")
    .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, caseInsensitive ? "si" : "s").test(value);
}

// ---------------------------------------------------------------------------
// The authorizer's answer

export type AuthorizerContextValue = string | number | boolean;

/** An authorizer answer API Gateway would accept (and may cache). */
export interface ValidAuthorizerResult {
  principalId: string;
  policyDocument: PolicyDocument;
  context: Record<string, AuthorizerContextValue>;
}

export type AuthorizerResultValidation = { ok: true; result: ValidAuthorizerResult } | { ok: false; reason: string };

/**
 * Checks an authorizer's answer the way API Gateway does before it uses it; a
 * malformed answer is a 500 AuthorizerConfigurationException, not a deny.
 * Pass the answer as it would arrive over the wire (JSON), since that is what
 * API Gateway sees: `undefined` values are already gone.
 */
export function validateAuthorizerResult(value: unknown): AuthorizerResultValidation {
  if (!isRecord(value)) return fail("the answer is not an object");
  const { principalId, policyDocument, context } = value;

  if (typeof principalId !== "string" || principalId.length === 0) {
    return fail("principalId must be a non-empty string");
  }
  if (!isRecord(policyDocument)) return fail("policyDocument is missing or not an object");
  if (typeof policyDocument.Version !== "string" || policyDocument.Version.length === 0) {
    return fail("policyDocument.Version is missing");
  }
  const statements = asArray(policyDocument.Statement);
  if (statements.length === 0) return fail("policyDocument.Statement is missing or empty");
  for (const [index, statement] of statements.entries()) {
    const problem = statementProblem(statement);
    if (problem) return fail(`policyDocument.Statement[${index}]: ${problem}`);
  }

  let validContext: Record<string, AuthorizerContextValue> = {};
  if (context !== undefined && context !== null) {
    // API Gateway documents the context as a flat map of string, number or
    // boolean values; anything else (an object, an array, null) is a 500.
    if (!isRecord(context)) return fail("context must be an object");
    for (const [key, entry] of Object.entries(context)) {
      if (typeof entry !== "string" && typeof entry !== "number" && typeof entry !== "boolean") {
        const kind = entry === null ? "null" : Array.isArray(entry) ? "an array" : typeof entry;
        return fail(`context.${key} is ${kind}; context values must be string, number or boolean`);
      }
    }
    // fromEntries: a key named `__proto__` stays a key.
    validContext = Object.fromEntries(Object.entries(context)) as Record<string, AuthorizerContextValue>;
  }

  return {
    ok: true,
    result: {
      principalId,
      // Statement is normalized to an array so consumers need not care which form was sent.
      policyDocument: { ...policyDocument, Statement: statements } as unknown as PolicyDocument,
      context: validContext,
    },
  };
}

function statementProblem(statement: unknown): string | undefined {
  if (!isRecord(statement)) return "not an object";
  if (statement.Effect !== "Allow" && statement.Effect !== "Deny") return 'Effect must be "Allow" or "Deny"';
  for (const [element, negated] of [
    ["Action", "NotAction"],
    ["Resource", "NotResource"],
  ] as const) {
    const hasPositive = statement[element] !== undefined;
    const hasNegated = statement[negated] !== undefined;
    if (hasPositive === hasNegated) return `needs exactly one of ${element} or ${negated}`;
    if (!isStringOrStrings(hasPositive ? statement[element] : statement[negated])) {
      return `${hasPositive ? element : negated} must be a string or a non-empty array of strings`;
    }
  }
  return undefined;
}

function isStringOrStrings(value: unknown): boolean {
  if (typeof value === "string") return true;
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === "string");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
