/**
 * Step 08's checkpoint, the decision: which authorizer fits which caller
 * (the README's "When to use what", from AWS's documentation).
 */
import { describe, expect } from "vitest";
import { check } from "../../../shared/checkpoint/check.ts";
import { authorizerFor, CALLERS, type Authorizer, type Caller } from "../when-to-use-what.ts";

const FITS: Record<Caller, Authorizer> = {
  "multi-tenant app with per-role routes and a tenant context": "lambda",
  "signed-in users, any route, no custom logic": "cognito-user-pools",
  "caller with AWS credentials": "iam",
  "OIDC tokens with scopes on an HTTP API": "http-api-jwt",
  "decision needing a lookup": "lambda",
};

describe("when to use what", () => {
  for (const caller of CALLERS) {
    check(
      `${caller}: the authorizer that fits, with a reason`,
      {
        todo: "when-to-use-what.ts, TODO 6",
        hint: "Which authorizer gives this caller what it needs with the least of your own code? See the README's comparison.",
      },
      () => {
        const choice = authorizerFor(caller);
        expect(choice.authorizer).toBe(FITS[caller]);
        expect(choice.because.trim().length, "say why in a sentence").toBeGreaterThan(20);
      },
    );
  }
});
