/**
 * What a script talks to: a fresh local stack, or the deployed stack named in
 * `.workshop/outputs.aws.json`. Either way the same outputs and clients.
 */
import { AuthClient } from "../../solutions/02-user-pool/auth-client.ts";
import { LOCAL_CREDENTIALS } from "../../shared/local-stack/local-credentials.ts";
import { startLocalStack } from "../../shared/local-stack/local-stack.ts";
import { readOutputsFile, type StackOutputs, type Target } from "../../shared/local-stack/outputs-file.ts";

export interface WorkshopTarget {
  target: Target;
  outputs: StackOutputs;
  /** Cognito's public API: where the app's sign-in call goes. */
  cognitoUrl: string;
  auth: AuthClient;
  /** Fetches a local user's sign-up confirmation code (only the emulator can). */
  confirmationCode?: (email: string) => Promise<string>;
  close(): Promise<void>;
}

/**
 * `aws`: the deployed stack. `local`: a fresh local stack started for this
 * script, or, with `useRunning`, the one `npm run local` keeps running.
 */
export async function openTarget(
  target: Target,
  options: { log?: (line: string) => void; useRunning?: boolean } = {},
): Promise<WorkshopTarget> {
  if (target === "aws" || options.useRunning) {
    const outputs = await readOutputsFile(target);
    const auth = new AuthClient({
      region: outputs.Region,
      userPoolId: outputs.UserPoolId,
      clientId: outputs.UserPoolClientId,
      ...(outputs.CognitoEndpoint ? { endpoint: outputs.CognitoEndpoint, credentials: LOCAL_CREDENTIALS } : {}),
    });
    return {
      target,
      outputs,
      cognitoUrl: outputs.CognitoEndpoint ? `${outputs.CognitoEndpoint}/` : `https://cognito-idp.${outputs.Region}.amazonaws.com/`,
      auth,
      close: async () => auth.destroy(),
    };
  }
  const stack = await startLocalStack({ log: options.log });
  const { outputs } = stack;
  const auth = new AuthClient({
    region: outputs.Region,
    userPoolId: outputs.UserPoolId,
    clientId: outputs.UserPoolClientId,
    endpoint: outputs.CognitoEndpoint,
    credentials: LOCAL_CREDENTIALS,
  });
  return {
    target,
    outputs,
    cognitoUrl: `${outputs.CognitoEndpoint}/`,
    auth,
    confirmationCode: (email) => stack.cognito.confirmationCode(email),
    close: async () => {
      auth.destroy();
      await stack.stop();
    },
  };
}
