/** The Lambda entry: configuration from the environment, the verifier built at cold start. */
import { createAuthorizer } from "./authorizer.ts";
import { requiredEnv } from "../../shared/runtime/env.ts";

export const handler = await createAuthorizer({
  userPoolId: requiredEnv("USER_POOL_ID"),
  clientId: requiredEnv("USER_POOL_CLIENT_ID"),
});
