import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as cognito from "aws-cdk-lib/aws-cognito";
import { Construct } from "constructs";
import { ROLES } from "../../shared/runtime/purchases-api.ts";
import { todo } from "../../shared/checkpoint/todo.ts";
import type { Role } from "../../shared/runtime/purchases-api.ts";

export interface TenantUserPoolProps {
  /**
   * What happens to the pool (and every user in it) when the construct leaves
   * the stack. The workshop stack passes DESTROY: a demo must not leave
   * personal data behind.
   *
   * @default RemovalPolicy.RETAIN (a user pool holds people's identities)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The custom attribute that binds a user to a tenant, as it appears in tokens. */
export const TENANT_ID_ATTRIBUTE = "custom:tenantId";

/**
 * Precedence of each group (lower wins when Cognito has to pick one role, e.g.
 * for `cognito:preferred_role`); the authorizer reads `cognito:groups` itself.
 */
const GROUP_PRECEDENCE: Record<Role, number> = { admin: 1, member: 2, viewer: 3 };

/**
 * The workshop's Cognito user pool and its app client.
 *
 * - Users sign in with their email address, sign themselves up and confirm
 *   the address with a code.
 * - Every user belongs to exactly one tenant, held in `custom:tenantId`. The
 *   attribute is immutable and the app client may read it but never write it:
 *   tenants are assigned by an operator when they create the user through the
 *   admin API (`AdminCreateUser`, with IAM credentials), never chosen by the
 *   user. Immutable means for good: not even the admin API can change it later.
 * - Roles are the groups `viewer`, `member` and `admin`; the ID token carries
 *   them in `cognito:groups`.
 */
export class TenantUserPool extends Construct {
  public readonly userPool: cognito.UserPool;
  public readonly userPoolClient: cognito.UserPoolClient;
  /** One group per role, keyed by role name. */
  public readonly groups: Readonly<Record<Role, cognito.CfnUserPoolGroup>>;

  constructor(scope: Construct, id: string, props: TenantUserPoolProps = {}) {
    super(scope, id);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.userPool = new cognito.UserPool(this, "UserPool", {
      ...signInAndSignUp(),
      signInCaseSensitive: false,
      userVerification: {
        emailStyle: cognito.VerificationEmailStyle.CODE,
        emailSubject: "Your auth workshop verification code",
        emailBody: "Your verification code is {####}",
      },
      // A changed address only replaces the old one once it is verified, so an
      // attacker with a stolen session cannot redirect account recovery.
      keepOriginal: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
      },
      customAttributes: tenantAttribute(),
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,

      // The default tier for new pools, stated explicitly. Production would
      // consider FeaturePlan.PLUS with
      // `standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION`
      // (the former "advanced security": compromised-credential detection,
      // adaptive authentication, risk-based MFA, and user-activity logs
      // exported to CloudWatch/S3/Firehose). Plus is billed per monthly active
      // user with no free tier, which a workshop account should not carry.
      // Production would also send email through SES
      // (`email: UserPoolEmail.withSES(...)`) instead of Cognito's default
      // sender, which is limited to a handful of messages a day.
      featurePlan: cognito.FeaturePlan.ESSENTIALS,

      deletionProtection: false,
      removalPolicy,
    });

    this.userPoolClient = this.userPool.addClient("AppClient", {
      ...appClient(),
      // No hosted UI / OAuth flows: the workshop talks to the Cognito API directly.
      disableOAuth: true,
      // "User does not exist" and "wrong password" look the same to a caller.
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
    });

    const groups = {} as Record<Role, cognito.CfnUserPoolGroup>;
    for (const role of ROLES) {
      groups[role] = new cognito.CfnUserPoolGroup(this, `Group-${role}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        precedence: GROUP_PRECEDENCE[role],
        description: `Workshop role "${role}" (read by the authorizer from cognito:groups)`,
      });
    }
    this.groups = groups;
  }
}

type SignInAndSignUp = Pick<
  cognito.UserPoolProps,
  "signInAliases" | "selfSignUpEnabled" | "autoVerify" | "passwordPolicy" | "mfa" | "mfaSecondFactor"
>;

type AppClientSettings = Pick<
  cognito.UserPoolClientOptions,
  | "generateSecret"
  | "authFlows"
  | "idTokenValidity"
  | "accessTokenValidity"
  | "refreshTokenValidity"
  | "readAttributes"
  | "writeAttributes"
>;

/** How people get in: email sign-in, self sign-up confirmed by a code, a password policy, optional MFA. */
function signInAndSignUp(): SignInAndSignUp {
  // TODO 1: return how people get in, so that the synthesized pool:
  // - makes the email address the username (no separate user name to forget or to guess);
  // - lets people sign themselves up, and proves they own the address with a code before they sign in;
  // - refuses short or one-kind passwords (the check says the minimum), and gives a password an operator sets
  //   a short life;
  // - offers MFA to whoever wants it, with an authenticator app only: SMS costs per message, needs an SNS role,
  //   and SIM swapping defeats it.
  return todo("1: email sign-in, verified self sign-up, a strong password policy, optional TOTP MFA");
}

/** The tenant binding: `custom:tenantId` in every token. */
function tenantAttribute(): Record<string, cognito.ICustomAttribute> {
  // TODO 2: return the custom attribute that binds a user to a tenant, named so that tokens carry
  // `custom:tenantId` (TENANT_ID_ATTRIBUTE). Every later step trusts it, so nobody may move a user to another
  // tenant once an operator has set it: not the user, not even the admin API. Keep it a short, non-empty string.
  return todo("2: a tenantId attribute that can never change once set");
}

/** The web app's client: public (no secret), password and refresh flows, 1 h / 1 h / 30 d tokens. */
function appClient(): AppClientSettings {
  // TODO 3: return the web app's client settings, so that the synthesized app client:
  // - holds no secret (a browser or a CLI cannot keep one);
  // - allows the password sign-in flow this workshop's clients use, and refresh, and no other flow;
  // - issues ID and access tokens that live an hour and refresh tokens that live 30 days;
  // - lets the ID token carry the email, whether it is verified, and the tenant.
  // - Decide which attributes the client may WRITE. Sign-up writes what the user sends through this client, so
  //   it must be writable; anything writable is something a user can change about themselves with their own
  //   access token. List them explicitly (the checkpoint reads the list from the template).
  return todo("3: a public app client with the flows, token lifetimes and attribute rights it needs");
}
