/**
 * Vitest global setup of step 01's checkpoint: real tokens from the Cognito
 * emulator. Starts it, has an operator create a user in a tenant, signs in as
 * that user, fetches the pool's JWKS, and hands all of it to the checks. The
 * emulator is stopped straight away: the checks only read what it issued.
 */
import type { TestProject } from "vitest/node";
import { startCognitoEmulator } from "../../../shared/local-stack/cognito/cognito-emulator.ts";
import type { Jwks } from "../../../shared/test-helpers/token-factory.ts";
import { AuthClient } from "../../../solutions/02-user-pool/auth-client.ts";

export interface EmulatorSignIn {
  idToken: string;
  accessToken: string;
  refreshToken: string;
  /** The pool's public keys, as served at its `/.well-known/jwks.json`. */
  jwks: Jwks;
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`, as the emulator writes it in `iss`. */
  issuer: string;
  clientId: string;
  email: string;
  tenantId: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    jwtBasicsSignIn: EmulatorSignIn;
  }
}

const EMAIL = "ada@acme.example";
const PASSWORD = "Correct-Horse-Battery-9";
const TENANT_ID = "acme";

export default async function setup(project: TestProject) {
  const emulator = await startCognitoEmulator();
  const auth = new AuthClient(emulator.authClientConfig);
  try {
    await auth.addUserToTenant({ email: EMAIL, password: PASSWORD, tenantId: TENANT_ID, role: "member" });
    const tokens = await auth.signIn(EMAIL, PASSWORD);
    const response = await fetch(emulator.jwksUrl);
    if (!response.ok)
      throw new Error(`The emulator's JWKS could not be fetched: HTTP ${response.status} from ${emulator.jwksUrl}`);
    project.provide("jwtBasicsSignIn", {
      idToken: tokens.idToken,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      jwks: (await response.json()) as Jwks,
      issuer: `https://cognito-idp.${emulator.region}.amazonaws.com/${emulator.userPoolId}`,
      clientId: emulator.userPoolClientId,
      email: EMAIL,
      tenantId: TENANT_ID,
    });
  } finally {
    auth.destroy();
    await emulator.stop();
  }
}
