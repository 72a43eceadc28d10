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
  // TODO 1: return the settings for how people get in:
  // - sign-in with the email address as the username: `signInAliases: { email: true }`
  // - self sign-up, the address confirmed with a code: `selfSignUpEnabled`, `autoVerify: { email: true }`
  // - `passwordPolicy`: at least 12 characters with lower case, upper case, digits and symbols
  //   (and `tempPasswordValidity: Duration.days(3)` for passwords an operator sets)
  // - optional MFA with an authenticator app (TOTP), no SMS: `mfa: cognito.Mfa.OPTIONAL`, `mfaSecondFactor`
  return todo("1: email sign-in, self sign-up with email verification, a password policy and optional TOTP MFA");
}

/** The tenant binding: `custom:tenantId` in every token. */
function tenantAttribute(): Record<string, cognito.ICustomAttribute> {
  // TODO 2: return `{ tenantId: ... }`, a `new cognito.StringAttribute({ ... })` of 1 to 64
  // characters that can never change once set (`mutable: false`). Cognito names it
  // `custom:tenantId` in the tokens; an operator writes it once, at user creation.
  return todo("2: the immutable custom attribute tenantId");
}

/** The web app's client: public (no secret), password and refresh flows, 1 h / 1 h / 30 d tokens. */
function appClient(): AppClientSettings {
  // TODO 3: return the web app's client settings:
  // - no client secret: a browser cannot keep one (`generateSecret`)
  // - `authFlows`: `userPassword` (USER_PASSWORD_AUTH) only, no flow the clients don't use; the CDK adds refresh itself
  // - ID and access tokens valid 1 hour, refresh tokens 30 days (`Duration.hours`, `Duration.days`)
  // - `readAttributes`: email, email_verified and the custom tenantId
  //   (`new cognito.ClientAttributes().withStandardAttributes({ ... }).withCustomAttributes("tenantId")`)
  // - `writeAttributes`: email only. Never tenantId: a user who could write it could read another tenant's data.
  return todo("3: the app client: no secret, auth flows, token lifetimes, read and write attributes");
}
