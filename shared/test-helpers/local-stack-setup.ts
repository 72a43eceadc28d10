/** Vitest global setup: starts the local stack once and hands its outputs to the tests. */
import type { TestProject } from "vitest/node";
import { startLocalStack } from "../local-stack/local-stack.ts";
import type { StackOutputs } from "../local-stack/outputs-file.ts";

declare module "vitest" {
  export interface ProvidedContext {
    localStack: Required<StackOutputs>;
  }
}

export default async function setup(project: TestProject) {
  const stack = await startLocalStack();
  project.provide("localStack", stack.outputs);
  return () => stack.stop();
}
