/**
 * The local stack runs the learner's code, not the reference's: a learner's
 * step 04 policy that allows every route to every role lets a viewer record a
 * purchase on the stack `npm run local` starts, where the reference refuses.
 * The learner's step is a copy of the solution with that one bug, in a temp
 * "steps" root: the real steps/ is never touched.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectPieces } from "./learner-pieces.ts";
import { allowEveryRouteToEveryRole, tempStepsRoot, type StepsRoot } from "./learner-pieces.fixtures.ts";
import { startLocalStack, type LocalStack } from "./local-stack.ts";
import { WorkshopApi, aPurchase } from "../test-helpers/workshop-api.ts";

let steps: StepsRoot;
const opened: { stack: LocalStack; api: WorkshopApi }[] = [];

beforeAll(async () => {
  steps = await tempStepsRoot();
  await steps.copySolution("04-policy-and-context/tenant-policy.ts", allowEveryRouteToEveryRole);
});

afterAll(async () => {
  for (const { stack, api } of opened) {
    api.close();
    await stack.stop();
  }
  await steps?.remove();
});

async function viewerPosts(reference: boolean) {
  const pieces = await selectPieces({ stepsRoot: steps.root, reference });
  const stack = await startLocalStack(pieces.stackOptions);
  const api = new WorkshopApi(stack.outputs);
  opened.push({ stack, api });
  const viewer = await api.user(WorkshopApi.newTenantId("pieces"), "viewer");
  return { pieces, response: await api.call("POST", "/purchases", { token: viewer.idToken, body: aPurchase() }) };
}

describe("npm run local serves the learner's step 04 policy", () => {
  it("the learner's policy that allows every route to every role lets a viewer POST /purchases: 201", async () => {
    const { pieces, response } = await viewerPosts(false);
    expect(pieces.summary).toContain("policy: yours");
    expect(response.status).toBe(201);
  });

  it("the reference stack (--reference) refuses the same call: 403", async () => {
    const { pieces, response } = await viewerPosts(true);
    expect(pieces.summary).toContain("policy: reference");
    expect(response.status).toBe(403);
    // API Gateway's answer to the reference policy, before the handler runs.
    expect(response.text).toBe('{"Message":"User is not authorized to access this resource"}');
  });
});
