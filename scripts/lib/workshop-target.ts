/**
 * What a script talks to: a fresh local stack, or the deployed stack named in
 * `.workshop/outputs.aws.json`. Either way the same outputs and clients.
 */
import { AuthClient } from "../../solutions/02-user-pool/auth-client.ts";
import { authClientConfig, cognitoUrl } from "../../shared/auth-client-config.ts";
import { startLocalStack, type LocalStackOptions } from "../../shared/local-stack/local-stack.ts";
import { readOutputsFile, type StackOutputs, type Target } from "../../shared/outputs-file.ts";

export interface WorkshopTarget {
  target: Target;
  outputs: StackOutputs;
  /** Cognito's public API: where the app's sign-in call goes. */
  cognitoUrl: string;
  auth: AuthClient;
  close(): Promise<void>;
}

/**
 * `aws`: the deployed stack. `local`: a fresh local stack started for this
 * script (with `stackOptions`, e.g. the learner's pieces), or, with
 * `useRunning`, the one `npm run local` keeps running.
 */
export async function openTarget(
  target: Target,
  options: { log?: (line: string) => void; useRunning?: boolean; stackOptions?: LocalStackOptions } = {},
): Promise<WorkshopTarget> {
  const local = target === "local" && !options.useRunning;
  const stack = local ? await startLocalStack({ ...options.stackOptions, log: options.log }) : undefined;
  const outputs = stack?.outputs ?? (await readOutputsFile(target));
  const auth = new AuthClient(authClientConfig(outputs));
  return {
    target,
    outputs,
    cognitoUrl: cognitoUrl(outputs),
    auth,
    close: async () => {
      auth.destroy();
      await stack?.stop();
    },
  };
}
