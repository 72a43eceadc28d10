/**
 * The deployed user pool and app client, as CloudFormation receives them: the
 * TenantUserPool construct synthesized in a throw-away stack. The Cognito
 * emulator is seeded from this and enforces it, so the local pool cannot drift
 * from the one `npm run deploy` creates (as the routes come from one source).
 */
import { App, Stack } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { TenantUserPool } from "../../../solutions/02-user-pool/tenant-user-pool.ts";

/** The `AWS::Cognito::UserPool` properties the emulator reads (CloudFormation's names). */
export interface UserPoolProperties {
  UsernameAttributes?: string[];
  AutoVerifiedAttributes?: string[];
  MfaConfiguration?: "OFF" | "ON" | "OPTIONAL";
  EnabledMfas?: string[];
  Policies?: { PasswordPolicy?: PasswordPolicy };
  Schema?: SchemaAttribute[];
  UserAttributeUpdateSettings?: { AttributesRequireVerificationBeforeUpdate?: string[] };
  UsernameConfiguration?: { CaseSensitive?: boolean };
  AccountRecoverySetting?: { RecoveryMechanisms?: { Name: string; Priority: number }[] };
  AdminCreateUserConfig?: { AllowAdminCreateUserOnly?: boolean };
  VerificationMessageTemplate?: Record<string, string>;
  [property: string]: unknown;
}

export interface PasswordPolicy {
  MinimumLength?: number;
  RequireLowercase?: boolean;
  RequireUppercase?: boolean;
  RequireNumbers?: boolean;
  RequireSymbols?: boolean;
  TemporaryPasswordValidityDays?: number;
}

export interface SchemaAttribute {
  Name: string;
  AttributeDataType?: string;
  Mutable?: boolean;
  Required?: boolean;
  DeveloperOnlyAttribute?: boolean;
  StringAttributeConstraints?: { MinLength?: string; MaxLength?: string };
}

/** The `AWS::Cognito::UserPoolClient` properties: the same names as the CreateUserPoolClient API's. */
export interface UserPoolClientProperties {
  ClientName?: string;
  GenerateSecret?: boolean;
  ExplicitAuthFlows?: string[];
  IdTokenValidity?: number;
  AccessTokenValidity?: number;
  /** Minutes a sign-in may wait for a challenge's answer (Cognito: 3 to 15, default 3). */
  AuthSessionValidity?: number;
  RefreshTokenValidity?: number;
  TokenValidityUnits?: { IdToken?: TimeUnit; AccessToken?: TimeUnit; RefreshToken?: TimeUnit };
  ReadAttributes?: string[];
  WriteAttributes?: string[];
  PreventUserExistenceErrors?: "ENABLED" | "LEGACY";
  EnableTokenRevocation?: boolean;
  AllowedOAuthFlowsUserPoolClient?: boolean;
  SupportedIdentityProviders?: string[];
  [property: string]: unknown;
}

export type TimeUnit = "seconds" | "minutes" | "hours" | "days";

export interface UserPoolGroup {
  GroupName: string;
  Precedence?: number;
  Description?: string;
}

export interface UserPoolDefinition {
  pool: UserPoolProperties;
  client: UserPoolClientProperties;
  groups: UserPoolGroup[];
}

/** Any construct shaped like TenantUserPool: one pool, one app client, its groups. */
export type UserPoolConstruct = new (scope: Construct, id: string) => unknown;

/**
 * Synthesizes the construct on its own and returns its pool, client and
 * groups. CloudFormation's own validation is skipped: it costs seconds at
 * every start, and `npm run synth` and the stack tests run it.
 */
export function synthesizeUserPool(construct: UserPoolConstruct = TenantUserPool): UserPoolDefinition {
  const app = new App({ builtinCloudFormationValidation: false, treeMetadata: false, analyticsReporting: false });
  const stack = new Stack(app, "LocalUserPool");
  new construct(stack, "Identity");
  const { Resources } = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
  const ofType = (type: string) =>
    Object.values(Resources)
      .filter((r) => r.Type === type)
      .map((r) => r.Properties ?? {});

  const pools = ofType("AWS::Cognito::UserPool");
  const clients = ofType("AWS::Cognito::UserPoolClient");
  if (pools.length !== 1 || clients.length !== 1) {
    throw new Error(
      `The user pool construct must define one user pool and one app client; it has ${pools.length} and ${clients.length}.`,
    );
  }
  return {
    pool: pools[0] as UserPoolProperties,
    client: clients[0] as UserPoolClientProperties,
    groups: ofType("AWS::Cognito::UserPoolGroup").map(({ GroupName, Precedence, Description }) => ({
      GroupName: String(GroupName),
      Precedence: Precedence as number | undefined,
      Description: Description as string | undefined,
    })),
  };
}
