/**
 * The Cognito stand-in: `cognito-local` in a child process (its own, or one
 * an emulator host shares between stacks: emulator-host.ts), behind a strict
 * front (strict-cognito.ts) that enforces the deployed pool's settings. Both
 * are seeded from the TenantUserPool construct itself (user-pool-definition.ts),
 * with an AWS-shaped pool id and Cognito's real issuer domain, so the tokens
 * pass `CognitoJwtVerifier` unchanged: the production verification code path.
 *
 * Its first signing key is public (shipped with cognito-local): this stack is
 * for learning only, never for anything real.
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  type CreateUserPoolClientCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import type { AuthClientConfig } from "../../../solutions/02-user-pool/auth-client.ts";
import { spawnCognitoLocal, type EmulatorHost } from "../emulator-host.ts";
import { LOCAL_CREDENTIALS } from "../local-credentials.ts";
import { SigningKeys } from "./signing-keys.ts";
import { startStrictCognito } from "./strict-cognito.ts";
// Types only: the synthesis (and the CDK it loads) is imported once cognito-local is starting.
import type { SchemaAttribute, UserPoolConstruct, UserPoolDefinition } from "./user-pool-definition.ts";

const require = createRequire(import.meta.url);

/** A code the pool "sent": where it went, and the code. */
export interface Mail {
  to: string;
  code: string;
}

export interface CognitoEmulator {
  /** Where the Cognito API answers (the SDK's `endpoint`): the strict front. */
  endpoint: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  /** The pool's JWKS as the emulator serves it (Cognito serves it at the issuer + this path). */
  jwksUrl: string;
  /** The pool and client it enforces, as synthesized from the construct. */
  definition: UserPoolDefinition;
  /** The auth client's settings for this pool (operator calls with the local credentials). */
  authClientConfig: AuthClientConfig;
  /** The code last mailed to this address (sign-up, password reset, a changed email). */
  confirmationCode(email: string): Promise<string>;
  /**
   * Rotates the signing key as Cognito can: new tokens are signed with a new
   * key and kid; the JWKS publishes it beside the old ones.
   */
  rotateSigningKey(): Promise<{ kid: string }>;
  stop(): Promise<void>;
}

export interface CognitoEmulatorOptions {
  region?: string;
  /** The construct whose pool and client to serve (default: the reference TenantUserPool). */
  userPoolConstruct?: UserPoolConstruct;
  /** Called with every code the pool mails, as it goes out. */
  onMail?: (mail: Mail) => void;
  /**
   * Run this pool's cognito-local in the host's process (a fresh instance of
   * its own there) instead of a process of its own: see emulator-host.ts.
   */
  host?: EmulatorHost;
}

export async function startCognitoEmulator(options: CognitoEmulatorOptions = {}): Promise<CognitoEmulator> {
  const region = options.region ?? "us-east-1";
  const issuerDomain = `https://cognito-idp.${region}.amazonaws.com`;
  // An AWS-shaped id: CognitoJwtVerifier refuses cognito-local's own `local_...` ids.
  const userPoolId = `${region}_${randomIdSuffix()}`;

  const dataDir = await mkdtemp(join(tmpdir(), "workshop-cognito-"));
  const dbDir = join(dataDir, ".cognito", "db");
  await mkdir(dbDir, { recursive: true });
  await writeFile(
    join(dataDir, ".cognito", "config.json"),
    // Port 0: the instance listens on a free port and says which.
    JSON.stringify({ TokenConfig: { IssuerDomain: issuerDomain }, ServerConfig: { hostname: "127.0.0.1", port: 0 } }),
  );

  // A process of its own, unless a host shares one (emulator-host.ts). It loads cognito-local (half a
  // second) while this process synthesizes the pool; it starts this pool's instance, which reads the
  // pool's file, only once the file is written.
  const cognitoLocal = options.host?.cognitoLocal ?? spawnCognitoLocal();
  const mailbox = new Map<string, string>();
  const onMail = (to: string, code: string) => {
    mailbox.set(to.toLowerCase(), code);
    options.onMail?.({ to, code });
  };

  const stops: (() => Promise<void>)[] = [
    ...(options.host ? [] : [() => cognitoLocal.close()]),
    () => rm(dataDir, { recursive: true, force: true }),
  ];
  const stop = async () => {
    for (const stopOne of stops.splice(0)) await stopOne();
  };

  try {
    const { synthesizeUserPool } = await import("./user-pool-definition.ts");
    const definition = synthesizeUserPool(options.userPoolConstruct);
    await writeFile(
      join(dbDir, `${userPoolId}.json`),
      JSON.stringify({ Users: {}, Options: cognitoLocalPool(userPoolId, definition) }),
    );
    const instance = await cognitoLocal.startInstance(dataDir, onMail);
    stops.unshift(instance.stop);
    const upstream = instance.endpoint;
    const userPoolClientId = await seedPool(upstream, region, userPoolId, definition);
    const keys = new SigningKeys();
    const front = await startStrictCognito({
      upstream,
      definition,
      userPoolId,
      issuer: `${issuerDomain}/${userPoolId}`,
      keys,
    });
    stops.unshift(front.close);
    return {
      endpoint: front.endpoint,
      region,
      userPoolId,
      userPoolClientId,
      jwksUrl: `${front.endpoint}/${userPoolId}/.well-known/jwks.json`,
      definition,
      authClientConfig: {
        region,
        userPoolId,
        clientId: userPoolClientId,
        endpoint: front.endpoint,
        credentials: LOCAL_CREDENTIALS,
      },
      confirmationCode: (email) => waitForMail(mailbox, email),
      rotateSigningKey: async () => keys.rotate(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** cognito-local's pool options: CloudFormation's properties, the schema with Cognito's standard attributes. */
function cognitoLocalPool(id: string, { pool }: UserPoolDefinition): Record<string, unknown> {
  const { Schema = [], ...settings } = pool;
  const { USER_POOL_AWS_DEFAULTS } = require("cognito-local/lib/services/cognitoService.js") as {
    USER_POOL_AWS_DEFAULTS: { SchemaAttributes: SchemaAttribute[] };
  };
  const standard = USER_POOL_AWS_DEFAULTS.SchemaAttributes;
  const isStandard = (name: string) => standard.some((a) => a.Name === name);
  const custom = Schema.filter((a) => !isStandard(a.Name)).map((a) => ({
    DeveloperOnlyAttribute: false,
    Required: false,
    ...a,
    Name: `custom:${a.Name}`,
  }));
  const schema = standard.map((a) => ({ ...a, ...Schema.find((s) => s.Name === a.Name) }));
  return { ...settings, Id: id, Name: "workshop-local", SchemaAttributes: [...schema, ...custom] };
}

/** The app client and the role groups, through the Cognito API itself. */
async function seedPool(endpoint: string, region: string, userPoolId: string, { client, groups }: UserPoolDefinition) {
  const cognito = new CognitoIdentityProviderClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
  try {
    // CloudFormation's client properties are CreateUserPoolClient's parameters; UserPoolId is a Ref there.
    const { UserPoolId: _ref, ...settings } = client;
    const { UserPoolClient } = await cognito.send(
      new CreateUserPoolClientCommand({
        ClientName: "workshop-web",
        ...(settings as Partial<CreateUserPoolClientCommandInput>),
        UserPoolId: userPoolId,
      }),
    );
    for (const group of groups) await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, ...group }));
    if (!UserPoolClient?.ClientId) throw new Error("cognito-local created no app client.");
    return UserPoolClient.ClientId;
  } finally {
    cognito.destroy();
  }
}

/** The mail crosses a process boundary: it may land a moment after the call that sent it returns. */
async function waitForMail(mailbox: Map<string, string>, email: string): Promise<string> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const code = mailbox.get(email.toLowerCase());
    if (code) return code;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`No code was mailed to ${email}.`);
}

function randomIdSuffix(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  return Array.from({ length: 9 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("");
}
