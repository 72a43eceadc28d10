/**
 * Step 04's checkpoint: your policy and context, judged the way API Gateway
 * judges them. Every answer goes through the local API Gateway's own rules:
 * `validateAuthorizerResult` (would API Gateway accept it?), `evaluatePolicy`
 * (does it allow `execute-api:Invoke` on this method ARN?) and its
 * `AuthorizerCache` (the policy is re-used, per token, for the next routes).
 */
import { describe, expect } from "vitest";
import type { APIGatewayAuthorizerResult } from "aws-lambda";
import {
  AUTHORIZER,
  ROLES,
  ROUTES,
  STAGE_NAME,
  type Role,
  type RouteDefinition,
} from "../../../shared/runtime/purchases-api.ts";
import { check } from "../../../shared/checkpoint/check.ts";
import { isTodoError } from "../../../shared/checkpoint/todo.ts";
import {
  AuthorizerCache,
  evaluatePolicy,
  gatewayResponses,
  methodArn,
  validateAuthorizerResult,
  type PolicyDecision,
  type ValidAuthorizerResult,
} from "../../../shared/local-stack/api-gateway/index.ts";
import { cognitoIdTokenClaims } from "../../../shared/test-helpers/token-factory.ts";
import { buildTenantPolicy, roleFromGroups, stageArnOf } from "../tenant-policy.ts";

type Claims = Parameters<typeof buildTenantPolicy>[0];
type Builder = (claims: Claims, methodArn: string) => APIGatewayAuthorizerResult;

// ---------------------------------------------------------------------------
// The API the requests are for, and the requests.

const API = { region: "eu-west-1", accountId: "123456789012", apiId: "a1b2c3d4e5", stage: STAGE_NAME };
const STAGE_ARN = `arn:aws:execute-api:${API.region}:${API.accountId}:${API.apiId}/${API.stage}`;
const arnOf = (method: string, path: string, api: Partial<typeof API> = {}) =>
  methodArn({ ...API, ...api, method, path });

/** Concrete requests per route: the method ARN names the real path, never `{purchaseId}`. */
const SAMPLE_IDS = ["01J9Z8Y7X6W5V4T3S2R1Q0P9N8", "01HXABCDEFGHJKMNPQRSTVWXYZ", "tenant-b"];
function requestsFor(route: RouteDefinition): { label: string; arn: string }[] {
  const paths = route.path.includes("{") ? SAMPLE_IDS.map((id) => route.path.replace(/\{[^}]+\}/, id)) : [route.path];
  return paths.map((path) => ({ label: `${route.method} ${path}`, arn: arnOf(route.method, path) }));
}
const ALL_REQUESTS = ROUTES.flatMap((route) => requestsFor(route).map((request) => ({ ...request, route })));
/** Methods the API has no route for: no policy of ours may allow them. */
const UNLISTED = [
  { label: "PUT /purchases/01HXABCDEFGHJKMNPQRSTVWXYZ", arn: arnOf("PUT", "/purchases/01HXABCDEFGHJKMNPQRSTVWXYZ") },
  {
    label: "PATCH /purchases/01HXABCDEFGHJKMNPQRSTVWXYZ",
    arn: arnOf("PATCH", "/purchases/01HXABCDEFGHJKMNPQRSTVWXYZ"),
  },
  { label: "DELETE /purchases", arn: arnOf("DELETE", "/purchases") },
];

/** A user's verified ID-token claims, as Cognito issues them. */
function claimsOf(options: { tenantId?: string; groups?: string[]; sub?: string; email?: string } = {}): Claims {
  return cognitoIdTokenClaims({
    region: API.region,
    userPoolId: `${API.region}_AbCdEf123`,
    clientId: "client-id",
    tenantId: "tenant-a",
    ...options,
  }) as unknown as Claims;
}
/** The groups that make each role (a member may also be in no group at all). */
const GROUPS_OF: Record<Role, string[]> = { viewer: ["viewer"], member: ["member"], admin: ["admin"] };

// ---------------------------------------------------------------------------
// API Gateway's side.

/** The answer as API Gateway receives it: JSON over the wire, then validated. */
function overTheWire(answer: unknown): ValidAuthorizerResult {
  const validation = validateAuthorizerResult(JSON.parse(JSON.stringify(answer ?? null)));
  if (!validation.ok) throw new Error(`API Gateway would refuse this answer (a 500): ${validation.reason}`);
  return validation.result;
}

/** What the caller gets: the request reaches the function, or API Gateway's 403. */
function outcome(decision: PolicyDecision): "reaches the function" | 403 {
  if (decision === "allow") return "reaches the function";
  return (decision === "explicit-deny" ? gatewayResponses.EXPLICIT_DENY : gatewayResponses.IMPLICIT_DENY)
    .statusCode as 403;
}

/** A gateway in miniature: the authorizer runs on a cache miss; every request evaluates the (cached) policy against its own ARN. */
function gatewayWith(authorizer: Builder) {
  const cache = new AuthorizerCache({ ttlSeconds: AUTHORIZER.resultsCacheTtlSeconds });
  let invocations = 0;
  return {
    get invocations() {
      return invocations;
    },
    request(token: string, claims: Claims, arn: string): PolicyDecision {
      let result = cache.get(token);
      if (!result) {
        invocations += 1;
        result = overTheWire(authorizer(claims, arn));
        cache.set(token, result);
      }
      return evaluatePolicy(result.policyDocument, arn);
    },
  };
}

/** Lines like `viewer POST /purchases: reaches the function, ROUTES says 403`, one per wrong answer. */
function mismatches(role: Role, decide: (arn: string) => PolicyDecision): string[] {
  const wrong: string[] = [];
  for (const { label, arn, route } of ALL_REQUESTS) {
    const expected = route.roles.includes(role) ? "reaches the function" : 403;
    const actual = outcome(decide(arn));
    if (actual !== expected) wrong.push(`${role} ${label}: ${actual}, ROUTES says ${expected}`);
  }
  for (const { label, arn } of UNLISTED) {
    const actual = outcome(decide(arn));
    if (actual !== 403) wrong.push(`${role} ${label}: ${actual}, but no route allows it`);
  }
  return wrong;
}

// ---------------------------------------------------------------------------

describe("roles from cognito:groups", () => {
  check(
    "no group, a claim that is not a list, or only unknown groups: a member",
    {
      hint: "a missing claim, a claim that is not a list, and groups that are no role all make a member",
      todo: "tenant-policy.ts, TODO 1",
    },
    () => {
      const cases: [unknown, Role][] = [
        [undefined, "member"],
        [null, "member"],
        [[], "member"],
        ["admin", "member"],
        [{ 0: "admin", length: 1 }, "member"],
        [[1, { admin: true }, null, ["admin"]], "member"],
        [["Admin", "ADMIN", "admins", "staff"], "member"],
      ];
      for (const [groups, role] of cases) expect(roleFromGroups(groups), `groups ${JSON.stringify(groups)}`).toBe(role);
    },
  );

  check(
    "the most privileged known group wins: viewer < member < admin, unknown groups ignored",
    {
      hint: "among several roles' groups the most privileged wins, in the order of ROLES; unknown groups count for nothing",
      todo: "tenant-policy.ts, TODO 1",
    },
    () => {
      const cases: [string[], Role][] = [
        [["viewer"], "viewer"],
        [["member"], "member"],
        [["admin"], "admin"],
        [["staff", "viewer", "everyone"], "viewer"],
        [["viewer", "member"], "member"],
        [["admin", "viewer"], "admin"],
        [["member", "admin", "viewer"], "admin"],
        // A stray non-string costs the user nothing and gains them nothing: a viewer stays a viewer, not a member.
        [["viewer", 5] as unknown as string[], "viewer"],
      ];
      for (const [groups, role] of cases) expect(roleFromGroups(groups), `groups ${JSON.stringify(groups)}`).toBe(role);
    },
  );
});

describe("the stage ARN", () => {
  check(
    "stageArnOf keeps region, account, API id and stage, and drops /{METHOD}/{path}",
    {
      hint: "the stage ARN is the method ARN without /{METHOD}/{path}: partition, region, account, API id and stage kept as they are",
      todo: "tenant-policy.ts, TODO 2",
    },
    () => {
      expect(stageArnOf(arnOf("GET", "/purchases"))).toBe(STAGE_ARN);
      expect(stageArnOf(arnOf("DELETE", "/purchases/01HXABCDEFGHJKMNPQRSTVWXYZ"))).toBe(STAGE_ARN);
      expect(stageArnOf(`${STAGE_ARN}/GET/`)).toBe(STAGE_ARN);
      expect(stageArnOf(arnOf("POST", "/purchases", { stage: "dev", region: "us-east-1" }))).toBe(
        `arn:aws:execute-api:us-east-1:${API.accountId}:${API.apiId}/dev`,
      );
      // Partitions other than aws exist: China's regions, GovCloud.
      for (const [partition, region] of [
        ["aws-cn", "cn-north-1"],
        ["aws-us-gov", "us-gov-west-1"],
      ]) {
        const stageArn = `arn:${partition}:execute-api:${region}:${API.accountId}:${API.apiId}/${API.stage}`;
        expect(stageArnOf(`${stageArn}/GET/purchases`)).toBe(stageArn);
      }
    },
  );

  check(
    "stageArnOf, and so buildTenantPolicy, throw on what is not a method ARN (never a policy built on garbage)",
    {
      hint: "what is not a method ARN with an API and a stage must throw an Error, in stageArnOf and so in buildTenantPolicy",
      todo: "tenant-policy.ts, TODO 2",
    },
    () => {
      const garbage = [
        "",
        "not-an-arn",
        `arn:aws:execute-api:${API.region}:${API.accountId}:${API.apiId}`,
        `arn:aws:execute-api:${API.region}:${API.accountId}:${API.apiId}/`,
        `/${API.apiId}/prod/GET/purchases`,
        `${API.apiId}/prod/GET/purchases`,
        "s3://bucket/prod/GET/purchases",
      ];
      const admin = claimsOf({ groups: ["admin"] });
      for (const arn of garbage) {
        for (const [label, call] of [
          ["stageArnOf", () => stageArnOf(arn)],
          ["buildTenantPolicy", () => buildTenantPolicy(admin, arn)],
        ] as const) {
          let threw = false;
          try {
            call();
          } catch (error) {
            if (isTodoError(error)) throw error;
            threw = true;
          }
          expect(threw, `${label}(${JSON.stringify(arn)}) should throw`).toBe(true);
        }
      }
    },
  );
});

describe("the policy, judged as API Gateway judges it", () => {
  check(
    "every role × every route (concrete ids too): allowed or refused (403) exactly as ROUTES says",
    {
      hint: "each role must reach exactly the routes ROUTES gives it, whatever the purchase id, and no method the API lacks",
      todo: "tenant-policy.ts, TODO 3",
    },
    () => {
      const wrong: string[] = [];
      for (const role of ROLES) {
        for (const groups of role === "member" ? [GROUPS_OF.member, []] : [GROUPS_OF[role]]) {
          const claims = claimsOf({ groups });
          // Each request asks the authorizer afresh (no cache): the policy for that very request.
          wrong.push(
            ...mismatches(role, (arn) =>
              evaluatePolicy(overTheWire(buildTenantPolicy(claims, arn)).policyDocument, arn),
            ),
          );
        }
      }
      if (wrong.length > 0)
        throw new Error(`${wrong.length} wrong: ${wrong.slice(0, 3).join("; ")}${wrong.length > 3 ? "; …" : ""}`);
    },
  );

  check(
    "a policy cached for the token's first route, whichever it is, is right for every other route (one authorizer call per token)",
    {
      hint: "the policy answered for a token's first request must be right for every later request of that token, to any route",
      todo: "tenant-policy.ts, TODO 3",
    },
    () => {
      const gateway = gatewayWith(buildTenantPolicy);
      const wrong: string[] = [];
      let tokens = 0;
      for (const role of ROLES) {
        const claims = claimsOf({ groups: GROUPS_OF[role] });
        for (const first of ALL_REQUESTS.filter(({ route }) => route.roles.includes(role))) {
          const token = `token-${(tokens += 1)}-of-a-${role}`;
          // The first request of the token fills the cache...
          expect(gateway.request(token, claims, first.arn), `${role} ${first.label}`).toBe("allow");
          // ...and every later one is judged by that cached policy.
          wrong.push(
            ...mismatches(role, (arn) => gateway.request(token, claims, arn)).map(
              (line) => `after ${first.label}: ${line}`,
            ),
          );
        }
      }
      if (wrong.length > 0)
        throw new Error(`${wrong.length} wrong: ${wrong.slice(0, 3).join("; ")}${wrong.length > 3 ? "; …" : ""}`);
      expect(gateway.invocations).toBe(tokens);
    },
  );

  check(
    "the pitfall, shown: a policy naming only the request's methodArn is refused (403) on the next route",
    {
      hint: "this check shows a narrow policy failing: API Gateway re-uses the first policy for the token's next requests",
      todo: "tenant-policy.ts, TODO 3",
    },
    () => {
      // A deliberately narrow authorizer: it allows exactly the ARN it was asked about.
      const narrow: Builder = (claims, arn) => ({
        principalId: claims.sub,
        policyDocument: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: [arn] }],
        },
      });
      const gateway = gatewayWith(narrow);
      const member = claimsOf({ groups: ["member"] });
      expect(outcome(gateway.request("members-token", member, arnOf("GET", "/purchases")))).toBe(
        "reaches the function",
      );
      // Same token, a route a member may call: the cached policy does not name it.
      expect(outcome(gateway.request("members-token", member, arnOf("POST", "/purchases")))).toBe(403);
      expect(
        outcome(gateway.request("members-token", member, arnOf("GET", "/purchases/01HXABCDEFGHJKMNPQRSTVWXYZ"))),
      ).toBe(403);
      expect(gateway.invocations).toBe(1);
      // Worse, in the other order: a cached policy for one id refuses the same user every other id for 300 s.
    },
  );

  check(
    "the policy covers this API and stage only: not another stage, API, account or region",
    {
      hint: "the policy must allow nothing on another stage, API, account or region than the request's",
      todo: "tenant-policy.ts, TODO 3",
    },
    () => {
      const { policyDocument } = overTheWire(
        buildTenantPolicy(claimsOf({ groups: ["admin"] }), arnOf("GET", "/purchases")),
      );
      const elsewhere = [
        { stage: "dev" },
        { apiId: "zz9y8x7w6v" },
        { accountId: "999999999999" },
        { region: "us-west-2" },
      ];
      for (const api of elsewhere) {
        expect(
          evaluatePolicy(policyDocument, arnOf("GET", "/purchases", api)),
          `GET /purchases on ${JSON.stringify(api)}`,
        ).not.toBe("allow");
      }
    },
  );
});

describe("no tenant: authenticated, not authorized", () => {
  check(
    "a token without custom:tenantId gets an explicit Deny on every route (403), even an admin's",
    {
      hint: "a token without a usable custom:tenantId must get an explicit Deny (403) on every route, cached or not, and no context",
      todo: "tenant-policy.ts, TODO 5",
    },
    () => {
      const noTenant: [string, Claims][] = [
        ["missing", claimsOf({ tenantId: undefined, groups: ["admin"] })],
        ["empty", { ...claimsOf({ groups: ["admin"] }), "custom:tenantId": "" }],
        ["a number", { ...claimsOf({ groups: ["admin"] }), "custom:tenantId": 42 }],
        ["a list", { ...claimsOf({ groups: ["member"] }), "custom:tenantId": ["tenant-a"] }],
      ];
      for (const [label, claims] of noTenant) {
        const gateway = gatewayWith(buildTenantPolicy);
        for (const { label: request, arn } of [...ALL_REQUESTS, ...UNLISTED]) {
          const decision = gateway.request(`token-${label}`, claims, arn);
          expect(decision, `custom:tenantId ${label}, ${request}`).toBe("explicit-deny");
          expect(outcome(decision)).toBe(403);
        }
        const answer = overTheWire(buildTenantPolicy(claims, arnOf("GET", "/purchases")));
        expect(answer.principalId, "principalId is still the sub").toBe(claims.sub);
        expect(answer.context, `custom:tenantId ${label}: no context`).toEqual({});
      }
    },
  );
});

describe("the context the purchases function receives", () => {
  check(
    "API Gateway accepts the answer, and the context is flat: tenantId, userId, email, role as strings",
    {
      hint: "the context must hold exactly tenantId, userId (the sub), email and role, all strings, and no other claim",
      todo: "tenant-policy.ts, TODO 4",
    },
    () => {
      for (const role of ROLES) {
        // A claim the context must not copy, beside the four it must.
        const claims = {
          ...claimsOf({
            sub: `sub-of-${role}`,
            email: `${role}@tenant-a.test`,
            tenantId: "tenant-a",
            groups: GROUPS_OF[role],
          }),
          "custom:plan": "gold",
        };
        const answer = buildTenantPolicy(claims, arnOf("GET", "/purchases"));
        const validation = validateAuthorizerResult(JSON.parse(JSON.stringify(answer)));
        expect(validation.ok ? "accepted" : `refused: ${validation.reason}`).toBe("accepted");
        expect(answer.context).toEqual({
          tenantId: "tenant-a",
          userId: `sub-of-${role}`,
          email: `${role}@tenant-a.test`,
          role,
        });
        for (const value of Object.values(answer.context ?? {})) expect(typeof value).toBe("string");
      }
    },
  );

  check(
    'an email claim that is not a string becomes "", never an object in the context',
    {
      hint: "an email claim that is not a string must give an empty email, never an object",
      todo: "tenant-policy.ts, TODO 4",
    },
    () => {
      for (const email of [{ nested: true }, ["a@b.test"], 42, undefined]) {
        const answer = overTheWire(buildTenantPolicy({ ...claimsOf(), email }, arnOf("GET", "/purchases")));
        expect(answer.context.email, `email claim ${JSON.stringify(email)}`).toBe("");
        expect(Object.keys(answer.context).sort()).toEqual(["email", "role", "tenantId", "userId"]);
      }
    },
  );

  check(
    "the tenant is the token's custom:tenantId: another tenant's id in the request path is ignored",
    {
      hint: "the context's tenant is the token's custom:tenantId, whatever the request path names",
      todo: "tenant-policy.ts, TODO 4",
    },
    () => {
      const claims = claimsOf({ tenantId: "tenant-a", groups: ["admin"] });
      // A request that names another tenant where a purchase id goes.
      const answer = overTheWire(buildTenantPolicy(claims, arnOf("DELETE", "/purchases/tenant-b")));
      expect(answer.context.tenantId).toBe("tenant-a");
      expect(JSON.stringify(answer), "nothing from the request path is in the answer").not.toContain("tenant-b");
      expect(buildTenantPolicy.length, "the builder takes the claims and the methodArn, nothing else").toBe(2);
    },
  );

  check(
    "principalId is the user's sub",
    {
      hint: "principalId must be the user's sub (API Gateway logs it and passes it on as requestContext.authorizer.principalId)",
      todo: "tenant-policy.ts, TODO 4",
    },
    () => {
      const claims = claimsOf({ sub: "5f1c2d3e-aaaa-bbbb-cccc-0123456789ab", groups: ["viewer"] });
      expect(overTheWire(buildTenantPolicy(claims, arnOf("GET", "/purchases"))).principalId).toBe(
        "5f1c2d3e-aaaa-bbbb-cccc-0123456789ab",
      );
    },
  );
});
