/**
 * Step 08's checkpoint, the decision: which authorizer fits which caller
 * (the README's "When to use what", from AWS's documentation).
 */
import { describe, expect } from "vitest";
import { check } from "../../../shared/checkpoint/check.ts";
import { authorizerFor, CALLERS, type Authorizer, type Caller } from "../when-to-use-what.ts";

const FITS: Record<Caller, Authorizer> = {
  "the purchases web app: roles decide the routes, and the backend needs the caller's tenant": "lambda",
  "a partner's mobile app whose users sign in to our pool and may all call one read-only route; we want no code of ours in the path":
    "cognito-user-pools",
  "a nightly report job on ECS that calls the API with its task role": "iam",
  "a second API, an HTTP API, for a customer whose users sign in with their own OIDC provider, its routes guarded by scopes":
    "http-api-jwt",
  "an admin console whose every call must be refused the moment an operator revokes the session": "lambda",
};

/** What a reason must speak of: what that authorizer gives this caller. */
const REASON: Record<Authorizer, RegExp> = {
  lambda: /context|code|function|table|look|record|polic/i,
  "cognito-user-pools": /token|pool|no code|without code|no function|itself/i,
  iam: /sign|credential|role|IAM|SigV4|polic/i,
  "http-api-jwt": /OIDC|issuer|scope|JWT/i,
};

describe("when to use what", () => {
  for (const caller of CALLERS) {
    check(
      `${caller}: the authorizer that fits, with a reason`,
      {
        todo: "when-to-use-what.ts, TODO 6",
        hint: "What does this caller hold, and what must the decision know? See the README's comparison of the four authorizers.",
      },
      () => {
        const choice = authorizerFor(caller);
        // Says whether the choice fits, never which one does.
        expect(choice.authorizer === FITS[caller], `${choice.authorizer} is not the best fit for this caller`).toBe(
          true,
        );
        expect(choice.because, "say why, in words about what this authorizer gives the caller").toMatch(
          REASON[choice.authorizer],
        );
      },
    );
  }
});
