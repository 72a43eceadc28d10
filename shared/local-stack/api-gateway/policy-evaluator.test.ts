import { describe, expect, it } from "vitest";
import { evaluatePolicy, methodArn, validateAuthorizerResult } from "./policy-evaluator.ts";
import type { PolicyDecision } from "./policy-evaluator.ts";

const API = "arn:aws:execute-api:eu-west-1:123456789012:abc123";
const arn = (method: string, path: string) =>
  methodArn({ region: "eu-west-1", accountId: "123456789012", apiId: "abc123", stage: "prod", method, path });

const allow = (Resource: unknown, Action: unknown = "execute-api:Invoke") => ({ Effect: "Allow", Action, Resource });
const deny = (Resource: unknown, Action: unknown = "execute-api:Invoke") => ({ Effect: "Deny", Action, Resource });
const doc = (Statement: unknown) => ({ Version: "2012-10-17", Statement });

describe("methodArn", () => {
  it("names the concrete request path under the stage, method upper-cased", () => {
    expect(arn("get", "/purchases/01HX")).toBe(`${API}/prod/GET/purchases/01HX`);
    expect(arn("GET", "/")).toBe(`${API}/prod/GET/`);
  });
});

describe("evaluatePolicy", () => {
  const getList = arn("GET", "/purchases");
  const getOne = arn("GET", "/purchases/123");
  const deleteOne = arn("DELETE", "/purchases/123");

  it.each<[string, unknown, string, PolicyDecision]>([
    ["exact resource, single statement object", doc(allow(getList)), getList, "allow"],
    ["exact resource in an array of statements", doc([allow(getList)]), getList, "allow"],
    ["resource array, second entry matches", doc(allow([getOne, getList])), getList, "allow"],
    ["action array", doc(allow(getList, ["s3:GetObject", "execute-api:Invoke"])), getList, "allow"],
    ["action execute-api:*", doc(allow(getList, "execute-api:*")), getList, "allow"],
    ["action *", doc(allow(getList, "*")), getList, "allow"],
    ["action matched case-insensitively", doc(allow(getList, "EXECUTE-API:invoke")), getList, "allow"],
    ["action wildcard inside the name", doc(allow(getList, "execute-api:Inv*")), getList, "allow"],
    ["other action only", doc(allow(getList, "execute-api:ManageConnections")), getList, "implicit-deny"],
    ["other service", doc(allow(getList, "lambda:Invoke")), getList, "implicit-deny"],
    ["* spans slashes", doc(allow(`${API}/prod/*`)), getOne, "allow"],
    ["resource *", doc(allow("*")), deleteOne, "allow"],
    ["*/* stage and method wildcard", doc(allow(`${API}/*/*`)), getOne, "allow"],
    ["{param} as *", doc(allow(`${API}/prod/GET/purchases/*`)), getOne, "allow"],
    ["method wildcard", doc(allow(`${API}/prod/*/purchases/*`)), deleteOne, "allow"],
    ["? matches exactly one character", doc(allow(`${API}/prod/GET/purchases/12?`)), getOne, "allow"],
    ["? does not match two characters", doc(allow(`${API}/prod/GET/purchases/1?`)), getOne, "implicit-deny"],
    ["? does not match zero characters", doc(allow(`${API}/prod/GET/purchases/123?`)), getOne, "implicit-deny"],
    ["resource is case-sensitive", doc(allow(`${API}/prod/get/purchases`)), getList, "implicit-deny"],
    [
      "regex metacharacters are literal",
      doc(allow(`${API}/prod/GET/purchases.`)),
      arn("GET", "/purchasesX"),
      "implicit-deny",
    ],
    ["other stage", doc(allow(`${API}/dev/GET/purchases`)), getList, "implicit-deny"],
    ["other method", doc(allow(getList)), arn("POST", "/purchases"), "implicit-deny"],
    // The caching pitfall: a policy naming the first request's ARN only.
    ["cache pitfall: list ARN does not cover an item", doc(allow(getList)), getOne, "implicit-deny"],
    ["Deny wins over Allow", doc([allow("*"), deny(deleteOne)]), deleteOne, "explicit-deny"],
    ["Deny wins whatever the order", doc([deny(`${API}/prod/DELETE/*`), allow("*")]), deleteOne, "explicit-deny"],
    ["Deny for another route leaves Allow", doc([allow("*"), deny(deleteOne)]), getOne, "allow"],
    ["Deny alone", doc(deny(getList)), getList, "explicit-deny"],
    ["Deny with action wildcard", doc([allow("*"), deny(getList, "execute-api:*")]), getList, "explicit-deny"],
    ["no statements", doc([]), getList, "implicit-deny"],
    ["unknown Effect ignored", doc({ Effect: "allow", Action: "*", Resource: "*" }), getList, "implicit-deny"],
    [
      "Allow with Condition never allows",
      doc({ ...allow("*"), Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }),
      getList,
      "implicit-deny",
    ],
    [
      "Deny with Condition applies (fail closed)",
      doc([allow("*"), { ...deny("*"), Condition: { Bool: { x: "true" } } }]),
      getList,
      "explicit-deny",
    ],
    [
      "Allow with NotResource never allows",
      doc({ Effect: "Allow", Action: "*", NotResource: deleteOne }),
      getList,
      "implicit-deny",
    ],
    [
      "Deny with NotResource denies everything else",
      doc([allow("*"), { Effect: "Deny", Action: "*", NotResource: getList }]),
      getOne,
      "explicit-deny",
    ],
    [
      "Deny with NotResource spares the named resource",
      doc([allow("*"), { Effect: "Deny", Action: "*", NotResource: getList }]),
      getList,
      "allow",
    ],
    ["not an object", "Allow", getList, "implicit-deny"],
    ["null", null, getList, "implicit-deny"],
  ])("%s", (_name, policy, requestArn, expected) => {
    expect(evaluatePolicy(policy, requestArn)).toBe(expected);
  });
});

describe("validateAuthorizerResult", () => {
  it("keeps a context key named like a built-in as a key", () => {
    const context = JSON.parse('{"__proto__":"t-1","constructor":"admin"}') as Record<string, string>;
    const validation = validateAuthorizerResult({ principalId: "user-1", policyDocument: doc(allow("*")), context });
    expect(validation.ok && Object.entries(validation.result.context)).toEqual([
      ["__proto__", "t-1"],
      ["constructor", "admin"],
    ]);
  });

  const good = {
    principalId: "user-1",
    policyDocument: doc([allow("*")]),
    context: { tenantId: "t-1", role: "admin", count: 3, active: true },
  };

  it.each<[string, unknown]>([
    ["context of strings, numbers and booleans", good],
    ["no context", { principalId: "user-1", policyDocument: doc(allow("*")) }],
    ["null context", { ...good, context: null }],
    ["empty context", { ...good, context: {} }],
    [
      "single statement object, action and resource arrays",
      { ...good, policyDocument: doc(allow(["a", "b"], ["execute-api:Invoke"])) },
    ],
    ["Deny statement", { ...good, policyDocument: doc(deny("*")) }],
    [
      "NotResource instead of Resource",
      { ...good, policyDocument: doc({ Effect: "Deny", Action: "*", NotResource: "x" }) },
    ],
  ])("accepts %s", (_name, value) => {
    const validation = validateAuthorizerResult(value);
    expect(validation.ok).toBe(true);
    if (validation.ok) expect(Array.isArray(validation.result.policyDocument.Statement)).toBe(true);
  });

  it("keeps principalId and context values as given", () => {
    const validation = validateAuthorizerResult(good);
    expect(validation).toEqual({
      ok: true,
      result: { principalId: "user-1", policyDocument: good.policyDocument, context: good.context },
    });
  });

  it.each<[string, unknown, RegExp]>([
    ["nested object in context", { ...good, context: { tenant: { id: "t-1" } } }, /context\.tenant is object/],
    ["array in context", { ...good, context: { groups: ["admin"] } }, /context\.groups is an array/],
    ["null in context", { ...good, context: { tenantId: null } }, /context\.tenantId is null/],
    ["context not an object", { ...good, context: "tenant=t-1" }, /context must be an object/],
    ["missing policyDocument", { principalId: "user-1" }, /policyDocument is missing/],
    ["empty principalId", { ...good, principalId: "" }, /principalId/],
    ["missing principalId", { policyDocument: good.policyDocument }, /principalId/],
    ["numeric principalId", { ...good, principalId: 42 }, /principalId/],
    ["missing Version", { ...good, policyDocument: { Statement: [allow("*")] } }, /Version/],
    ["missing Statement", { ...good, policyDocument: { Version: "2012-10-17" } }, /Statement is missing or empty/],
    ["empty Statement", { ...good, policyDocument: doc([]) }, /Statement is missing or empty/],
    [
      "statement without Effect",
      { ...good, policyDocument: doc({ Action: "*", Resource: "*" }) },
      /Statement\[0\]: Effect/,
    ],
    ["lower-case Effect", { ...good, policyDocument: doc({ Effect: "allow", Action: "*", Resource: "*" }) }, /Effect/],
    ["statement without Action", { ...good, policyDocument: doc({ Effect: "Allow", Resource: "*" }) }, /Action/],
    [
      "statement without Resource",
      { ...good, policyDocument: doc([allow("*"), { Effect: "Allow", Action: "*" }]) },
      /Statement\[1\]: .*Resource/,
    ],
    ["empty Resource array", { ...good, policyDocument: doc(allow([])) }, /Resource must be/],
    ["non-string Action", { ...good, policyDocument: doc(allow("*", 7)) }, /Action must be/],
    ["not an object at all", "allow", /not an object/],
    ["null", null, /not an object/],
  ])("rejects %s", (_name, value, reason) => {
    const validation = validateAuthorizerResult(value);
    expect(validation.ok).toBe(false);
    if (!validation.ok) expect(validation.reason).toMatch(reason);
  });
});
