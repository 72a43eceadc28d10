import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildTenantPolicy } from "../../solutions/04-policy-and-context/tenant-policy.ts";
import { describeChoice, openTodosIn, pieceFiles, selectPieces } from "./learner-pieces.ts";
import { allowEveryRouteToEveryRole, tempStepsRoot, type StepsRoot } from "./learner-pieces.fixtures.ts";

let steps: StepsRoot;
beforeEach(async () => {
  steps = await tempStepsRoot();
});
afterEach(async () => {
  await steps.remove();
});

const METHOD_ARN = "arn:aws:execute-api:us-east-1:000000000000:local/prod/POST/purchases";
const VIEWER = { sub: "u-1", email: "vera@acme.test", "custom:tenantId": "acme", "cognito:groups": ["viewer"] };

describe("open TODOs", () => {
  it("counts todo() calls with their numbers, not comments, strings' neighbours or other names", async () => {
    const file = await steps.write(
      "04-policy-and-context/tenant-policy.ts",
      [
        'import { todo } from "../../shared/checkpoint/todo.ts";',
        '// TODO 1: a comment naming todo("1: …") does not count',
        '/* nor todo("9: in a block comment") */',
        'export const a = () => todo("3: the third");',
        'export const b = () => todo( "2: spaced");',
        'export const c = () => mytodo("7: another function");',
        "export const d = () => todo(`4: a template`);",
        "declare function mytodo(what: string): never;",
      ].join("\n"),
    );
    expect(openTodosIn(file)).toEqual([3, 2, 4]);
  });

  it("a file that does not parse still has its todo() calls counted", async () => {
    const file = await steps.write("03-authorizer/authorizer.ts", 'const x = todo("2: half done";\nexport {');
    expect(openTodosIn(file)).toEqual([2]);
  });
});

describe("a piece's files", () => {
  it("are the entry and what it imports at run time from its own folder, transitively", async () => {
    const entry = await steps.write(
      "05-tenant-scoped-lambda/purchases-handler.ts",
      [
        'import { a } from "./a.ts";',
        'import type { T } from "./types-only.ts";',
        'import { ROUTES } from "../../shared/runtime/purchases-api.ts";',
        'import { other } from "../04-policy-and-context/tenant-policy.ts";',
        "export const h: T = [a, ROUTES, other];",
      ].join("\n"),
    );
    const a = await steps.write("05-tenant-scoped-lambda/a.ts", 'export { b as a } from "./b.ts";');
    const b = await steps.write("05-tenant-scoped-lambda/b.ts", "export const b = 1;");
    await steps.write("05-tenant-scoped-lambda/types-only.ts", 'export type T = unknown; todo("9: never runs");');
    expect(pieceFiles(entry)).toEqual([entry, a, b]);
  });
});

describe("selectPieces", () => {
  it("serves the reference for a starter with open TODOs, and says which", async () => {
    await steps.write(
      "04-policy-and-context/tenant-policy.ts",
      'import { todo } from "../../shared/checkpoint/todo.ts";\nexport const buildTenantPolicy = () => todo("3: x");\nexport const y = () => todo("1: y");',
    );
    const { choices, stackOptions } = await selectPieces({ stepsRoot: steps.root });
    const policy = choices.find((c) => c.id === "policy")!;
    expect(policy).toMatchObject({ owner: "reference", openTodos: [1, 3] });
    expect(describeChoice(policy)).toMatch(/^policy: reference, .*04-policy-and-context has open TODOs \(1, 3\)$/);
    expect(stackOptions.createPurchasesHandler).toBeTypeOf("function");
  });

  it("serves a piece with no todo() left as yours, and the reference for the steps it lacks", async () => {
    await steps.copySolution("04-policy-and-context/tenant-policy.ts", allowEveryRouteToEveryRole);
    const { choices, summary, warnings } = await selectPieces({ stepsRoot: steps.root });
    expect(choices.map((c) => [c.id, c.owner])).toEqual([
      ["userPool", "reference"],
      ["authorizer", "reference"],
      ["policy", "yours"],
      ["purchasesHandler", "reference"],
      ["sessionCheck", "reference"],
      ["signOutHandler", "reference"],
    ]);
    expect(summary).toContain(`policy: yours (${steps.root}/04-policy-and-context)`);
    expect(summary).toContain(`authorizer: reference, ${steps.root}/03-authorizer/authorizer.ts not found`);
    expect(summary.split(" · ")).toHaveLength(6);
    expect(warnings).toEqual([]);
  });

  it("serves the real steps/ folder by default, naming it relative to the repository", async () => {
    const { choices } = await selectPieces();
    expect(choices.map((c) => c.folder)).toEqual([
      "steps/02-user-pool",
      "steps/03-authorizer",
      "steps/04-policy-and-context",
      "steps/05-tenant-scoped-lambda",
      "steps/07-sessions",
      "steps/07-sessions",
    ]);
  });

  it("--reference serves the reference everywhere, even for finished pieces", async () => {
    await steps.copySolution("04-policy-and-context/tenant-policy.ts", allowEveryRouteToEveryRole);
    const { choices, summary } = await selectPieces({ stepsRoot: steps.root, reference: true });
    expect(choices.every((c) => c.owner === "reference")).toBe(true);
    expect(summary).toBe(
      "user pool: reference · authorizer: reference · policy: reference · purchases handler: reference · session check: reference · sign-out: reference",
    );
  });

  it("a finished piece that does not parse falls back to the reference, with one line naming file:line", async () => {
    await steps.write(
      "04-policy-and-context/tenant-policy.ts",
      "export function buildTenantPolicy() {\n  return { principalId: 'x' ;\n}\n",
    );
    const { choices, warnings } = await selectPieces({ stepsRoot: steps.root });
    expect(choices.find((c) => c.id === "policy")).toMatchObject({ owner: "reference", reason: "yours does not load" });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      new RegExp(
        `^policy: yours does not load, serving the reference: ${steps.root}/04-policy-and-context/tenant-policy.ts:2: \\S`,
      ),
    );
    expect(warnings[0]).not.toContain("\n");
  });

  it("a finished piece without the export the stack needs falls back, saying so", async () => {
    await steps.write("03-authorizer/authorizer.ts", "export const createAuthoriser = () => undefined;\n");
    const { warnings } = await selectPieces({ stepsRoot: steps.root });
    expect(warnings).toEqual([
      `authorizer: yours does not load, serving the reference: ${steps.root}/03-authorizer/authorizer.ts: it does not export a function createAuthorizer`,
    ]);
  });

  it("hands the picked policy builder to whichever authorizer is served", async () => {
    await steps.write(
      "03-authorizer/authorizer.ts",
      [
        "export async function createAuthorizer(config: { buildPolicy?: (claims: object, arn: string) => unknown }) {",
        "  return async (event: { methodArn: string }) => config.buildPolicy!({ sub: 'u-1', 'custom:tenantId': 'acme', 'cognito:groups': ['viewer'] }, event.methodArn);",
        "}",
      ].join("\n"),
    );
    await steps.copySolution("04-policy-and-context/tenant-policy.ts", allowEveryRouteToEveryRole);
    const { stackOptions, choices } = await selectPieces({ stepsRoot: steps.root });
    expect(choices.filter((c) => c.owner === "yours").map((c) => c.id)).toEqual(["authorizer", "policy"]);
    const authorizer = await stackOptions.createAuthorizer({ userPoolId: "us-east-1_x", clientId: "c" });
    const answer = await authorizer({ type: "TOKEN", authorizationToken: "t", methodArn: METHOD_ARN });
    const reference = buildTenantPolicy(VIEWER, METHOD_ARN);
    // The learner's builder: a viewer gets every route, DELETE included; the reference's does not.
    expect(JSON.stringify(answer.policyDocument)).toContain("DELETE");
    expect(JSON.stringify(reference.policyDocument)).not.toContain("DELETE");
  });

  it("says whose piece failed when a learner's authorizer throws at cold start", async () => {
    await steps.write(
      "03-authorizer/authorizer.ts",
      'export async function createAuthorizer() { throw new Error("no verifier"); }',
    );
    const { stackOptions } = await selectPieces({ stepsRoot: steps.root });
    await expect(stackOptions.createAuthorizer({ userPoolId: "us-east-1_x", clientId: "c" })).rejects.toThrow(
      `Your authorizer (${steps.root}/03-authorizer) failed at cold start: no verifier (\`--reference\` serves the reference).`,
    );
  });
});
