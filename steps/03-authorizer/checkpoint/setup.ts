/**
 * Vitest global setup of step 03's checkpoint: the whole local stack (Cognito
 * emulator, DynamoDB emulator, local API Gateway) with the authorizer under
 * test behind the gateway: yours from `steps/03-authorizer/` or the finished
 * one from `solutions/03-authorizer/`.
 *
 * This runs in vitest's main process, so it finds the code under test itself
 * (`pathUnderTest` reads `WORKSHOP_CHECK_TARGET`, set by the check runner).
 */
import { pathToFileURL } from "node:url";
import type { TestProject } from "vitest/node";
import { pathUnderTest } from "../../../shared/checkpoint/check.ts";
import { startLocalStack, type LocalStack } from "../../../shared/local-stack/local-stack.ts";

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

type AuthorizerModule = typeof import("../../../solutions/03-authorizer/authorizer.ts");

export default async function setup(project: TestProject) {
  const underTest = (await import(pathToFileURL(pathUnderTest(import.meta.url, "authorizer.ts")).href)) as AuthorizerModule;
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
