/**
 * The auth client's settings for a stack, derived from its outputs: Cognito in
 * AWS, or the emulator (its endpoint, and the fixed credentials it accepts for
 * the operator's admin calls) when the outputs name one.
 */
import type { AuthClientConfig } from "../solutions/02-user-pool/auth-client.ts";
import { LOCAL_CREDENTIALS } from "./local-stack/local-credentials.ts";
import type { StackOutputs } from "./outputs-file.ts";

type PoolOutputs = Pick<StackOutputs, "Region" | "UserPoolId" | "UserPoolClientId" | "CognitoEndpoint">;

export function authClientConfig(outputs: PoolOutputs, clientId = outputs.UserPoolClientId): AuthClientConfig {
  return {
    region: outputs.Region,
    userPoolId: outputs.UserPoolId,
    clientId,
    ...(outputs.CognitoEndpoint ? { endpoint: outputs.CognitoEndpoint, credentials: LOCAL_CREDENTIALS } : {}),
  };
}

/** Where the app's sign-in call goes: Cognito's public endpoint for the Region, or the emulator. */
export function cognitoUrl(outputs: PoolOutputs): string {
  return outputs.CognitoEndpoint
    ? `${outputs.CognitoEndpoint}/`
    : `https://cognito-idp.${outputs.Region}.amazonaws.com/`;
}
