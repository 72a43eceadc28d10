import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as cognito from "aws-cdk-lib/aws-cognito";
import { Construct } from "constructs";
import { ROLES } from "../../shared/runtime/purchases-api.ts";
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
  return {
    // Sign-in: the username *is* the email address.
    signInAliases: { email: true },
    // Self sign-up, confirmed with a code sent to the address.
    selfSignUpEnabled: true,
    autoVerify: { email: true },
    passwordPolicy: {
      minLength: 12,
      requireLowercase: true,
      requireUppercase: true,
      requireDigits: true,
      requireSymbols: true,
      tempPasswordValidity: Duration.days(3),
    },
    // Optional TOTP (authenticator app) MFA; SMS would need an SNS role,
    // costs money per message and is weaker against SIM swapping.
    mfa: cognito.Mfa.OPTIONAL,
    mfaSecondFactor: { otp: true, sms: false },
  };
}

/** The tenant binding: `custom:tenantId` in every token. */
function tenantAttribute(): Record<string, cognito.ICustomAttribute> {
  return {
    // Immutable: once set (by an operator, at user creation) nobody can
    // move a user to another tenant, not even through the admin API.
    tenantId: new cognito.StringAttribute({ minLen: 1, maxLen: 64, mutable: false }),
  };
}

/** The web app's client: public (no secret), password and refresh flows, 1 h / 1 h / 30 d tokens. */
function appClient(): AppClientSettings {
  return {
    // A browser or CLI cannot keep a secret, so the client has none.
    generateSecret: false,
    authFlows: {
      // USER_PASSWORD_AUTH only: the workshop's clients send the password
      // over TLS to Cognito (simple to follow on the wire), and a flow no
      // client uses is one more way in. SRP stays off until a client needs
      // it (the local emulator has no SRP either).
      // ALLOW_REFRESH_TOKEN_AUTH is always added by the CDK.
      userPassword: true,
    },
    idTokenValidity: Duration.hours(1),
    accessTokenValidity: Duration.hours(1),
    refreshTokenValidity: Duration.days(30),
    readAttributes: new cognito.ClientAttributes()
      .withStandardAttributes({ email: true, emailVerified: true })
      .withCustomAttributes("tenantId"),
    // Only what sign-up needs. Never custom:tenantId: a user who could write
    // it could read another tenant's data.
    writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true }),
  };
}
