/**
 * WorkshopApi's clean-up on a stack it cannot clean: where no purchase can be
 * deleted, the list comes back the same page after page, and cleanup() must
 * stop instead of asking again forever.
 */
import type { APIGatewayProxyEvent } from "aws-lambda";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../local-stack/local-stack.ts";
import { WorkshopApi } from "./workshop-api.ts";

const calls: string[] = [];
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    // A list that always has a next page, and purchases that cannot be deleted.
    createPurchasesHandler: () => async (event: APIGatewayProxyEvent) => {
      calls.push(event.httpMethod);
      if (event.httpMethod === "DELETE") return { statusCode: 403, body: '{"message":"Forbidden"}' };
      return { statusCode: 200, body: JSON.stringify({ purchases: [{ purchaseId: "stuck" }], nextToken: "more" }) };
    },
  });
});
afterAll(() => stack?.stop());

it("stops at a page none of whose purchases it could delete", async () => {
  const api = new WorkshopApi(stack.outputs);
  try {
    await api.user(WorkshopApi.newTenantId("stuck"), "admin");
    await api.cleanup();
    expect(calls).toEqual(["GET", "DELETE"]);
  } finally {
    api.close();
  }
});
