/**
 * IAM's decision for one request against a principal's identity-based
 * policies: explicit deny wins, else an allow allows, else implicit deny
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 *
 * What it evaluates, as IAM does:
 * - `Effect`, `Action`/`NotAction` (wildcards `*` and `?`, case-insensitive),
 *   `Resource`/`NotResource` (wildcards, case-sensitive), a `Statement` given
 *   as one object or an array;
 * - policy variables `${key}` in `Resource` and in string condition values,
 *   resolved from the request context, with `${key, 'default'}` and the
 *   escapes `${*}`, `${?}`, `${$}`. A variable that cannot be resolved (the key
 *   is absent or multivalued) makes the statement invalid: it neither allows
 *   nor denies ("any attempt to match it fails and causes the statement to be
 *   invalid", reference_policies_variables). Variables are literal text in a
 *   policy whose `Version` is not `2012-10-17`, as IAM has it;
 * - the condition operators in {@link SUPPORTED_OPERATORS}, with the
 *   `ForAllValues:` / `ForAnyValue:` set qualifiers: ForAllValues is true when
 *   every request value matches (and when the key is absent or empty),
 *   ForAnyValue when at least one does (false when absent or empty); without a
 *   qualifier an absent key fails a positive operator and satisfies a negated
 *   one.
 *
 * What it does not evaluate fails closed and says so: another operator, an
 * `...IfExists` suffix, a condition key the caller did not declare it derives
 * (`knownKeys`), or a multivalued key used without a set qualifier. Such an
 * Allow statement never allows; such a Deny statement is taken to apply (so a
 * Deny we cannot read never lets a request through). The evaluation's
 * `unsupported` list names each one, as "condition operator X is not supported
 * by the local IAM check".
 */
import { wildcardMatch } from "../api-gateway/policy-evaluator.ts";

/** The condition operators this check evaluates; any other makes the statement fail closed. */
export const SUPPORTED_OPERATORS = ["StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "Null"] as const;

export type ContextValue = string | readonly string[];

export interface RequestContext {
  /** `service:Action`, e.g. `dynamodb:Query`. */
  action: string;
  /** The resource's ARN, e.g. `arn:aws:dynamodb:us-east-1:123456789012:table/Purchases`. */
  resource: string;
  /**
   * The condition keys of this request (names are case-insensitive, as IAM's):
   * a string for a single-valued key, an array for a multivalued one such as
   * `dynamodb:LeadingKeys`. A key that is not here is absent from the request.
   */
  keys?: Readonly<Record<string, ContextValue | undefined>>;
  /**
   * Every condition key the caller derives for this kind of request, present
   * or not (`dynamodb:LeadingKeys` is known for a Scan, and absent). A
   * condition on a key that is neither here nor in `keys` is not supported:
   * treating it as absent could let through what AWS refuses. A trailing `*`
   * covers a family, e.g. `aws:PrincipalTag/*`.
   */
  knownKeys?: readonly string[];
}

export type Decision = "allow" | "explicit-deny" | "implicit-deny";

export interface StatementRef {
  /** Index of the policy in the list given to {@link evaluatePolicies}. */
  policy: number;
  /** Index of the statement in that policy. */
  statement: number;
  sid?: string;
}

export interface Evaluation {
  decision: Decision;
  /** The statement that decided: the Deny that applied, or the first Allow that allowed. */
  decidedBy?: StatementRef;
  /** True when the decision was a deny because a statement could not be evaluated locally. */
  failedClosed: boolean;
  /** What the local check could not evaluate, one sentence each. */
  unsupported: string[];
  /** One sentence on why, for logs and error messages. */
  reason: string;
}

type Json = unknown;
type Verdict = { kind: "match" } | { kind: "no-match" } | { kind: "unsupported"; why: string };
const MATCH: Verdict = { kind: "match" };
const NO_MATCH: Verdict = { kind: "no-match" };

/** Evaluates identity-based policy documents (as JSON, intrinsics already resolved) for one request. */
export function evaluatePolicies(policies: readonly Json[], context: RequestContext): Evaluation {
  const keys = normalizedKeys(context.keys ?? {});
  // A key given as a list is multivalued (dynamodb:LeadingKeys), however many values this request has.
  const multivalued = new Set(
    Object.entries(context.keys ?? {})
      .filter(([, value]) => Array.isArray(value))
      .map(([name]) => name.toLowerCase()),
  );
  // A key the context names, even as an empty list, is one the caller derives.
  const known = [...(context.knownKeys ?? []), ...Object.keys(context.keys ?? {})].map((key) => key.toLowerCase());
  const unsupported: string[] = [];
  let allowedBy: StatementRef | undefined;
  let unreadableAllow = false;

  for (const [policyIndex, policy] of policies.entries()) {
    if (!isRecord(policy)) continue;
    const variablesOn = policy.Version === "2012-10-17";
    for (const [statementIndex, statement] of asArray(policy.Statement).entries()) {
      if (!isRecord(statement)) continue;
      const effect = statement.Effect;
      if (effect !== "Allow" && effect !== "Deny") continue;
      const ref: StatementRef = { policy: policyIndex, statement: statementIndex };
      if (typeof statement.Sid === "string") ref.sid = statement.Sid;

      const verdict = statementVerdict(statement, context, { keys, known, multivalued }, variablesOn);
      if (verdict.kind === "no-match") continue;
      if (verdict.kind === "unsupported") {
        unsupported.push(verdict.why);
        if (effect === "Deny") {
          return {
            decision: "explicit-deny",
            decidedBy: ref,
            failedClosed: true,
            unsupported,
            reason: `a Deny statement could not be evaluated and is taken to apply: ${verdict.why}`,
          };
        }
        unreadableAllow = true;
        continue;
      }
      if (effect === "Deny") {
        return {
          decision: "explicit-deny",
          decidedBy: ref,
          failedClosed: false,
          unsupported,
          reason: "a Deny statement applies",
        };
      }
      allowedBy ??= ref;
    }
  }

  if (allowedBy) {
    return {
      decision: "allow",
      decidedBy: allowedBy,
      failedClosed: false,
      unsupported,
      reason: "an Allow statement applies",
    };
  }
  return {
    decision: "implicit-deny",
    failedClosed: unreadableAllow,
    unsupported,
    reason: unreadableAllow
      ? `no Allow statement applies that the local IAM check can evaluate: ${unsupported.join("; ")}`
      : "no Allow statement applies",
  };
}

/** Does the statement apply to the request (ignoring its Effect)? */
interface Keys {
  keys: Map<string, readonly string[]>;
  known: readonly string[];
  multivalued: ReadonlySet<string>;
}

function statementVerdict(
  statement: Record<string, Json>,
  context: RequestContext,
  info: Keys,
  variablesOn: boolean,
): Verdict {
  const { keys, multivalued } = info;
  // An identity-based policy has no Principal; a statement with one, or with neither
  // Action nor NotAction (Resource nor NotResource), is not valid and applies to nothing.
  if (statement.Principal !== undefined || statement.NotPrincipal !== undefined) return NO_MATCH;

  const action = elementMatches(statement.Action, statement.NotAction, (pattern) =>
    wildcardMatch(pattern, context.action, true),
  );
  if (action.kind !== "match") return action;

  const resource = elementMatches(statement.Resource, statement.NotResource, (pattern) => {
    const resolved = variablesOn ? resolveVariables(pattern, keys, multivalued) : pattern;
    // An unresolvable variable fails the match; in NotResource that must not turn into a match.
    return resolved === undefined ? undefined : wildcardMatch(resolved, context.resource, false);
  });
  if (resource.kind !== "match") return resource;

  if (statement.Condition === undefined) return MATCH;
  return conditionVerdict(statement.Condition, info, variablesOn);
}

/**
 * `positive` (Action, Resource) matches when any pattern matches; `negative`
 * (NotAction, NotResource) when none does. `test` answers undefined when a
 * pattern cannot be evaluated (an unresolvable variable): the statement is
 * invalid then, whichever form it is in.
 */
function elementMatches(positive: Json, negative: Json, test: (pattern: string) => boolean | undefined): Verdict {
  const list = positive !== undefined ? positive : negative;
  if (list === undefined) return NO_MATCH;
  let any = false;
  for (const pattern of asArray(list)) {
    if (typeof pattern !== "string") return NO_MATCH;
    const result = test(pattern);
    if (result === undefined) return NO_MATCH;
    any ||= result;
  }
  const matches = positive !== undefined ? any : !any;
  return matches ? MATCH : NO_MATCH;
}

// ---------------------------------------------------------------------------
// Conditions

/** Every operator, every key under it, must hold (AND); a key's values are alternatives (OR). */
function conditionVerdict(condition: Json, info: Keys, variablesOn: boolean): Verdict {
  const { keys, known } = info;
  if (!isRecord(condition)) return NO_MATCH;
  let result: Verdict = MATCH;
  for (const [operatorName, block] of Object.entries(condition)) {
    if (!isRecord(block)) return NO_MATCH;
    const parsed = parseOperator(operatorName);
    if ("unsupported" in parsed) return { kind: "unsupported", why: parsed.unsupported };
    for (const [key, policyValues] of Object.entries(block)) {
      const keyName = key.toLowerCase();
      if (!keys.has(keyName) && !isKnownKey(keyName, known)) {
        return { kind: "unsupported", why: `condition key ${key} is not supported by the local IAM check` };
      }
      const verdict = keyVerdict(parsed, key, asArray(policyValues), info, variablesOn);
      // Keep looking after a no-match: a later operator we cannot evaluate must still be reported.
      if (verdict.kind === "unsupported") return verdict;
      if (verdict.kind === "no-match") result = NO_MATCH;
    }
  }
  return result;
}

type Operator = { base: (typeof SUPPORTED_OPERATORS)[number]; qualifier?: "ForAllValues" | "ForAnyValue" };

function parseOperator(name: string): Operator | { unsupported: string } {
  const [first, second] = name.split(":");
  const qualifier = second === undefined ? undefined : first;
  const base = second === undefined ? first : second;
  const refuse = { unsupported: `condition operator ${name} is not supported by the local IAM check` };
  if (qualifier !== undefined && qualifier !== "ForAllValues" && qualifier !== "ForAnyValue") return refuse;
  if (!SUPPORTED_OPERATORS.includes(base as Operator["base"])) return refuse;
  if (base === "Null" && qualifier !== undefined) return refuse;
  return { base: base as Operator["base"], qualifier: qualifier as Operator["qualifier"] };
}

function keyVerdict(
  operator: Operator,
  key: string,
  rawPolicyValues: readonly Json[],
  { keys, multivalued }: Keys,
  variablesOn: boolean,
): Verdict {
  const values = keys.get(key.toLowerCase()) ?? [];

  if (operator.base === "Null") {
    // "true": the key must be absent; "false": present. No variables in Null.
    const wantsAbsent = rawPolicyValues.map((value) => String(value).toLowerCase());
    const absent = values.length === 0;
    return wantsAbsent.some((want) => (want === "true" ? absent : want === "false" ? !absent : false))
      ? MATCH
      : NO_MATCH;
  }

  const policyValues: string[] = [];
  for (const raw of rawPolicyValues) {
    if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") return NO_MATCH;
    const resolved = variablesOn ? resolveVariables(String(raw), keys, multivalued) : String(raw);
    if (resolved === undefined) return NO_MATCH; // an unresolvable variable: the statement is invalid
    policyValues.push(resolved);
  }

  const negated = operator.base === "StringNotEquals" || operator.base === "StringNotLike";
  const like = operator.base === "StringLike" || operator.base === "StringNotLike";
  const matchesAny = (value: string) =>
    policyValues.some((pattern) => (like ? wildcardMatch(pattern, value, false) : pattern === value));
  // A negated operator holds for a value that matches none of the policy's values.
  const holds = (value: string) => (negated ? !matchesAny(value) : matchesAny(value));

  switch (operator.qualifier) {
    case "ForAllValues":
      return values.every(holds) ? MATCH : NO_MATCH;
    case "ForAnyValue":
      return values.some(holds) ? MATCH : NO_MATCH;
    default: {
      // IAM wants a set qualifier on a multivalued key ("you must use the ForAllValues modifier when
      // using LeadingKeys", DynamoDB's guide); what it does without one is not documented: refuse.
      if (multivalued.has(key.toLowerCase()) || values.length > 1) {
        return {
          kind: "unsupported",
          why: `condition key ${key} is multivalued, and ${operator.base} without ForAllValues or ForAnyValue is not supported by the local IAM check`,
        };
      }
      const [value] = values;
      if (value === undefined) return negated ? MATCH : NO_MATCH;
      return holds(value) ? MATCH : NO_MATCH;
    }
  }
}

function isKnownKey(key: string, known: readonly string[]): boolean {
  return known.some((pattern) => (pattern.endsWith("*") ? key.startsWith(pattern.slice(0, -1)) : key === pattern));
}

// ---------------------------------------------------------------------------
// Policy variables

const ESCAPES: Record<string, string> = { "*": "*", "?": "?", $: "$" };

/**
 * Replaces `${key}` with the key's value in the request. Undefined when a
 * variable names a key that is absent or multivalued and has no default.
 * `${*}`, `${?}` and `${$}` stand for the literal characters. (A literal `*`
 * produced by an escape still reads as a wildcard in a pattern; IAM's escape
 * exists for that, but no policy of this workshop needs it, so it is not told apart.)
 */
export function resolveVariables(
  text: string,
  keys: ReadonlyMap<string, readonly string[]>,
  multivalued: ReadonlySet<string> = new Set(),
): string | undefined {
  let failed = false;
  const result = text.replace(/\$\{([^}]*)\}/g, (_whole, inner: string) => {
    const escaped = ESCAPES[inner];
    if (escaped !== undefined) return escaped;
    const withDefault = /^(.*?),\s*'(.*)'$/.exec(inner);
    const name = (withDefault ? withDefault[1]! : inner).trim().toLowerCase();
    // "You can't use a multivalued context key as a policy variable."
    const values = multivalued.has(name) ? undefined : keys.get(name);
    if (values && values.length === 1) return values[0]!;
    if (withDefault) return withDefault[2]!;
    failed = true;
    return "";
  });
  return failed ? undefined : result;
}

/** The request's keys by lower-case name, every value as a list (an empty list is an absent key). */
export function normalizedKeys(
  keys: Readonly<Record<string, ContextValue | undefined>>,
): Map<string, readonly string[]> {
  const map = new Map<string, readonly string[]>();
  for (const [name, value] of Object.entries(keys)) {
    if (value === undefined) continue;
    const values = typeof value === "string" ? [value] : [...value];
    if (values.length > 0) map.set(name.toLowerCase(), values);
  }
  return map;
}

function asArray(value: Json): Json[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
