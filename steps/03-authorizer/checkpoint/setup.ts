/**
 * Vitest global setup of step 03's checkpoint: the whole local stack (Cognito
 * emulator, DynamoDB emulator, local API Gateway) with the authorizer under
 * test behind the gateway: yours from `steps/03-authorizer/` or the finished
 * one from `solutions/03-authorizer/`.
 *
 * The setup does not load the authorizer itself: the checks' worker does, as
 * the checks import it, afresh at every run, and serves its instance to the
 * gateway (gateway-authorizer.ts). So the stack starts once and stays up
 * under `npm run check -- 3 --watch`, and every save is checked on your
 * latest code, behind the gateway as well as when called directly.
 */
import type { TestProject } from "vitest/node";
import { startEmulatorHost } from "../../../shared/local-stack/emulator-host.ts";
import type { LocalStack } from "../../../shared/local-stack/local-stack.ts";
import { startAuthorizerRelay } from "./gateway-authorizer.ts";

export interface AuthorizerCheckpointStack {
  outputs: LocalStack["outputs"];
  /** The emulator's JWKS: the checks build their copies of the authorizer on it. */
  jwksUrl: string;
  /** Where the checks' worker registers the authorizer the gateway calls (serveToGateway). */
  relayUrl: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    authorizerCheckpoint: AuthorizerCheckpointStack;
  }
}

export default async function setup(project: TestProject) {
  // cognito-local's process loads (half a second) while the stack's modules do: they are imported only now.
  const emulators = startEmulatorHost();
  const relay = await startAuthorizerRelay();
  const stack = await import("../../../shared/local-stack/local-stack.ts")
    .then(({ startLocalStack }) =>
      startLocalStack({
        // Every request reaches the authorizer under test: no policy served from the gateway's cache.
        authorizerCacheTtlSeconds: 0,
        createAuthorizer: () => relay.authorize,
        emulators,
      }),
    )
    .catch(async (error: unknown) => {
      await Promise.all([relay.close(), emulators.close()]);
      throw error;
    });
  project.provide("authorizerCheckpoint", {
    outputs: stack.outputs,
    jwksUrl: stack.cognito.jwksUrl,
    relayUrl: relay.url,
  });
  return async () => {
    await stack.stop();
    await Promise.all([relay.close(), emulators.close()]);
  };
}
