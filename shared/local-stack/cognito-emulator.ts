/**
 * The Cognito stand-in: `cognito-local` in a child process, on a free port,
 * with a throw-away data directory. The pool is seeded with an AWS-shaped id
 * and Cognito's real issuer domain, so the tokens it issues pass
 * `CognitoJwtVerifier` unchanged: the production verification code path.
 *
 * Its signing key is the public one shipped with cognito-local: this stack is
 * for learning only, never for anything real.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { generateKeyPairSync, randomUUID, type JsonWebKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AddCustomAttributesCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { ROLES } from "../api/purchases-api.ts";
import { findFreePort } from "./free-port.ts";
import { LOCAL_CREDENTIALS } from "./local-credentials.ts";

const require = createRequire(import.meta.url);

export interface CognitoEmulator {
  /** Where the Cognito API answers (the SDK's `endpoint`). */
  endpoint: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  /** The pool's JWKS as the emulator serves it (Cognito serves it at the issuer + this path). */
  jwksUrl: string;
  /** The confirmation code last sent to this user (cognito-local "sends" it to its log). */
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
  port?: number;
}

export async function startCognitoEmulator(options: CognitoEmulatorOptions = {}): Promise<CognitoEmulator> {
  const region = options.region ?? "us-east-1";
  const port = options.port ?? (await findFreePort());
  const endpoint = `http://127.0.0.1:${port}`;
  // An AWS-shaped id: CognitoJwtVerifier refuses cognito-local's own `local_...` ids.
  const userPoolId = `${region}_${randomIdSuffix()}`;

  const dataDir = await mkdtemp(join(tmpdir(), "workshop-cognito-"));
  const dbDir = join(dataDir, ".cognito", "db");
  await mkdir(dbDir, { recursive: true });
  await writeFile(
    join(dataDir, ".cognito", "config.json"),
    JSON.stringify({
      TokenConfig: { IssuerDomain: `https://cognito-idp.${region}.amazonaws.com` },
      ServerConfig: { hostname: "127.0.0.1", port },
      UserPoolDefaults: { UsernameAttributes: ["email"] },
    }),
  );
  await writeFile(
    join(dbDir, `${userPoolId}.json`),
    JSON.stringify({
      Users: {},
      Options: {
        Id: userPoolId,
        Name: "workshop-local",
        UsernameAttributes: ["email"],
        AutoVerifiedAttributes: ["email"],
        MfaConfiguration: "OPTIONAL",
      },
    }),
  );

  const keysFile = join(dataDir, "signing-keys.json");
  await writeFile(keysFile, JSON.stringify(initialSigningKeys()));

  const child = spawn(process.execPath, [fileURLToPath(new URL("./cognito-local-child.cjs", import.meta.url))], {
    cwd: dataDir,
    // cognito-local still loads the AWS SDK v2, which warns on start: not our learners' concern.
    env: { ...process.env, NODE_NO_WARNINGS: "1", PORT: String(port) },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));

  const stop = async () => {
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await waitUntilListening(endpoint, child, output);
    const userPoolClientId = await seedPool({ endpoint, region, userPoolId });
    return {
      endpoint,
      region,
      userPoolId,
      userPoolClientId,
      jwksUrl: `${endpoint}/${userPoolId}/.well-known/jwks.json`,
      async confirmationCode(email) {
        const db = JSON.parse(await readFile(join(dbDir, `${userPoolId}.json`), "utf8")) as {
          Users: Record<string, { Attributes?: { Name: string; Value: string }[]; ConfirmationCode?: string }>;
        };
        const user = Object.values(db.Users).find((u) => u.Attributes?.some((a) => a.Name === "email" && a.Value === email));
        if (!user?.ConfirmationCode) throw new Error(`No confirmation code was sent to ${email}.`);
        return user.ConfirmationCode;
      },
      async rotateSigningKey() {
        const keys = JSON.parse(await readFile(keysFile, "utf8")) as SigningKeysFile;
        const next = newSigningKey(`rotated-${keys.published.length}-${randomUUID().slice(0, 8)}`);
        await writeFile(keysFile, JSON.stringify({ current: next.current, published: [...keys.published, next.jwk] }));
        return { kid: next.current.kid };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Creates the app client, the tenant attribute and the role groups through the Cognito API itself. */
async function seedPool({ endpoint, region, userPoolId }: { endpoint: string; region: string; userPoolId: string }) {
  const cognito = new CognitoIdentityProviderClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
  try {
    await cognito.send(
      new AddCustomAttributesCommand({
        UserPoolId: userPoolId,
        CustomAttributes: [{ Name: "tenantId", AttributeDataType: "String", Mutable: false }],
      }),
    );
    const { UserPoolClient } = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: "workshop-web",
        ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        IdTokenValidity: 1,
        AccessTokenValidity: 1,
        RefreshTokenValidity: 30,
        TokenValidityUnits: { IdToken: "hours", AccessToken: "hours", RefreshToken: "days" },
        ReadAttributes: ["email", "email_verified", "custom:tenantId"],
        WriteAttributes: ["email"],
      }),
    );
    for (const role of ROLES) {
      await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: role }));
    }
    if (!UserPoolClient?.ClientId) throw new Error("cognito-local created no app client.");
    return UserPoolClient.ClientId;
  } finally {
    cognito.destroy();
  }
}

async function waitUntilListening(endpoint: string, child: ChildProcess, output: string[]) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`cognito-local exited during start-up:\n${output.join("")}`);
    }
    try {
      await fetch(`${endpoint}/health`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`cognito-local did not start within 15 s:\n${output.join("")}`);
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

interface SigningKeysFile {
  current: { kid: string; privateKeyPem: string };
  published: JsonWebKey[];
}

/** cognito-local's own key (public, shipped in its package) under its own kid. */
function initialSigningKeys(): SigningKeysFile {
  const pkg = dirname(require.resolve("cognito-local/package.json"));
  const { pem } = JSON.parse(readFileSync(join(pkg, "lib", "keys", "cognitoLocal.private.json"), "utf8")) as { pem: string };
  const { jwk } = JSON.parse(readFileSync(join(pkg, "lib", "keys", "cognitoLocal.public.json"), "utf8")) as { jwk: JsonWebKey };
  return { current: { kid: "CognitoLocal", privateKeyPem: pem }, published: [jwk] };
}

function newSigningKey(kid: string): { current: SigningKeysFile["current"]; jwk: JsonWebKey } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    current: { kid, privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }).toString() },
    jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" } as JsonWebKey,
  };
}

function randomIdSuffix(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  return Array.from({ length: 9 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("");
}
