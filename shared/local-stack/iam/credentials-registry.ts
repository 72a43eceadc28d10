/**
 * The temporary credentials the local stack has issued, by access key id:
 * what AWS STS would remember about them. The Cognito Identity endpoint
 * registers the credentials it gives a signed-in user; the local stack can
 * register credentials for each function's role; the IAM gates look callers up
 * here to verify their signature and to find whose policies apply.
 */
import { randomBytes } from "node:crypto";

/** Who a set of credentials speaks for: an assumed role's session. */
export interface AssumedRoleSession {
  /** `arn:aws:iam::<account>:role/<name>`. */
  roleArn: string;
  /** The role session name, e.g. `CognitoIdentityCredentials`. */
  sessionName: string;
  /** Session tags, the `aws:PrincipalTag/<key>` condition keys. */
  principalTags: Readonly<Record<string, string>>;
  /** The Cognito identity, for credentials issued by an identity pool (`cognito-identity.amazonaws.com:sub`). */
  identityId?: string;
  /** The identity pool that issued them (`cognito-identity.amazonaws.com:aud`). */
  identityPoolId?: string;
}

export interface RegisteredCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** After this the credentials are refused with ExpiredTokenException. */
  expiration?: Date;
  session: AssumedRoleSession;
}

export interface IssueOptions {
  session: AssumedRoleSession;
  /** How long the credentials last; AWS's default for Cognito Identity is one hour. */
  durationSeconds?: number;
  /** Milliseconds since the epoch. */
  now?: number;
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export class CredentialsRegistry {
  readonly #byAccessKey = new Map<string, RegisteredCredentials>();

  /** New temporary credentials for a session: an `ASIA…` key, a secret and a session token. */
  issue({ session, durationSeconds = 3600, now = Date.now() }: IssueOptions): RegisteredCredentials {
    const credentials: RegisteredCredentials = {
      accessKeyId: `ASIA${randomString(16)}`,
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: randomBytes(96).toString("base64"),
      expiration: new Date(now + durationSeconds * 1000),
      session,
    };
    this.register(credentials);
    return credentials;
  }

  /** Registers credentials made elsewhere (e.g. fixed ones for a local function's role). */
  register(credentials: RegisteredCredentials): void {
    this.#byAccessKey.set(credentials.accessKeyId, credentials);
  }

  lookup(accessKeyId: string): RegisteredCredentials | undefined {
    return this.#byAccessKey.get(accessKeyId);
  }
}

/** `arn:aws:sts::<account>:assumed-role/<role name>/<session name>`, the ARN AWS names the caller by. */
export function assumedRoleArn(session: AssumedRoleSession): string {
  const match = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(session.roleArn);
  if (!match) throw new Error(`not a role ARN: ${session.roleArn}`);
  const [, partition, account, roleName] = match;
  return `arn:${partition}:sts::${account}:assumed-role/${roleName}/${session.sessionName}`;
}

function randomString(length: number): string {
  return [...randomBytes(length)].map((byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join("");
}
