/**
 * Account recovery: a forgotten password is reset with a code mailed to the
 * address (the pool recovers by email only: step 02). Two calls, and two
 * promises: the answer never tells whether an account exists, and the new
 * password meets the pool's policy.
 */
import {
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  type CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { todo } from "../../shared/checkpoint/todo.ts";

export interface ResetClient {
  cognito: CognitoIdentityProviderClient;
  clientId: string;
}

/** What the person reads, whether or not the address has an account. */
export const RESET_REQUESTED = "If an account exists for this address, a reset code is on its way.";

/** A refusal a person can act on; `code` is Cognito's exception name. */
export class ResetError extends Error {
  override name = "ResetError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Asks Cognito to mail a code. With PreventUserExistenceErrors on (step 02),
 * Cognito itself answers an unknown address as a known one; this answer says
 * the same sentence either way and never echoes where the code went.
 */
export async function requestPasswordReset({ cognito, clientId }: ResetClient, email: string): Promise<string> {
  await cognito.send(new ForgotPasswordCommand({ ClientId: clientId, Username: email }));
  return RESET_REQUESTED;
}

/**
 * Sets the new password with the mailed code. A wrong code and an unknown
 * address read the same; a password the policy refuses says so.
 */
export async function confirmPasswordReset(
  { cognito, clientId }: ResetClient,
  email: string,
  code: string,
  newPassword: string,
): Promise<void> {
  // TODO 8: Set the new password with the mailed code (ConfirmForgotPassword), and turn Cognito's
  // refusals into a ResetError a person can act on. A password the policy refuses says so (Cognito
  // checks a very short password itself, before the policy, under another exception name). Yours
  // to decide: what a wrong code, an expired code and an address with no account tell the caller;
  // whatever you choose, nobody may learn from it whether an account exists.
  return todo("8: the reset, and its refusals without revealing who has an account");
}
