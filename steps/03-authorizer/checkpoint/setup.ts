/**
 * Vitest global setup of step 03's checkpoint: the whole local stack (Cognito
 * emulator, DynamoDB emulator, local API Gateway) with the authorizer under
 * test behind the gateway: yours from `steps/03-authorizer/` or the finished
 * one from `solutions/03-authorizer/`.
 *
 * It imports the starter as the checks do (`../authorizer.ts`, typed by it);
 * under `--solution` the runner's Vite plugin, which transforms global setup
 * files too, redirects the import to the solution's file.
 */
import type { TestProject } from "vitest/node";
import { startLocalStack, type LocalStack } from "../../../shared/local-stack/local-stack.ts";
import type { TokenAuthorizer } from "../authorizer.ts";

export interface AuthorizerCheckpointStack {
  outputs: LocalStack["outputs"];
  /** The emulator's JWKS: the checks build their own copy of the authorizer on it, to call the handler directly. */
  jwksUrl: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    authorizerCheckpoint: AuthorizerCheckpointStack;
  }
}

export default async function setup(project: TestProject) {
  // Imported dynamically, inside a try: a starter that cannot load would stop the whole run here, with
  // no check reported; the stack starts anyway, and the checks' static import reports the file and line.
  const underTest = await import("../authorizer.ts").catch((error: unknown) => ({
    createAuthorizer: async (): Promise<TokenAuthorizer> => {
      throw error;
    },
  }));
  const stack = await startLocalStack({
    // Every request reaches the authorizer under test: no policy served from the gateway's cache.
    authorizerCacheTtlSeconds: 0,
    async createAuthorizer(config) {
      try {
        return await underTest.createAuthorizer(config);
      } catch (error) {
        // A starter cannot build its authorizer yet (a TODO threw). The stack still starts, and the
        // gateway answers 500 (the authorizer fails); the checks call the handler directly first,
        // so each reports the TODO.
        return async () => {
          throw error;
        };
      }
    },
  });
  project.provide("authorizerCheckpoint", { outputs: stack.outputs, jwksUrl: stack.cognito.jwksUrl });
  return () => stack.stop();
}
