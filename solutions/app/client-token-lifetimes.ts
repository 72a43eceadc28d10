/**
 * The app client's token validities as this stack deploys them: the
 * properties of its `AWS::Cognito::UserPoolClient`, read from the
 * CfnUserPoolClient and resolved, in the CloudFormation shape that
 * `shared/runtime/token-lifetimes.ts` reads. The local stack hands that module
 * the same properties, synthesized from the same TenantUserPool, so the
 * deployed sign-out function and the local one keep revocation records for
 * the same time.
 */
import { Stack, Token } from "aws-cdk-lib";
import type * as cognito from "aws-cdk-lib/aws-cognito";
import type { TimeUnit, UserPoolClientProperties } from "../../shared/local-stack/cognito/user-pool-definition.ts";

const TIME_UNITS: readonly TimeUnit[] = ["seconds", "minutes", "hours", "days"];

export type ClientTokenValidities = Pick<
  UserPoolClientProperties,
  "IdTokenValidity" | "AccessTokenValidity" | "RefreshTokenValidity" | "TokenValidityUnits"
>;

/**
 * The validities of `client` as CloudFormation will receive them. Throws if
 * one is not known at synthesis time (a token, a parameter): a revocation
 * record's lifetime must be a number in the function's environment.
 */
export function deployedTokenValidities(client: cognito.UserPoolClient): ClientTokenValidities {
  const cfn = client.node.defaultChild as cognito.CfnUserPoolClient;
  const stack = Stack.of(client);
  const where = `the app client ${client.node.path}`;

  const validity = (name: string, value: unknown): number | undefined => {
    const resolved: unknown = stack.resolve(value);
    if (resolved === undefined) return undefined;
    if (typeof resolved !== "number" || Token.isUnresolved(resolved)) {
      throw new Error(`${where}: ${name} must be a number known at synthesis, not ${JSON.stringify(resolved)}`);
    }
    return resolved;
  };
  const unit = (name: string, value: unknown): TimeUnit | undefined => {
    if (value === undefined) return undefined;
    if (!TIME_UNITS.includes(value as TimeUnit)) {
      throw new Error(
        `${where}: TokenValidityUnits.${name} must be one of ${TIME_UNITS.join(", ")}, not ${String(value)}`,
      );
    }
    return value as TimeUnit;
  };

  const units = stack.resolve(cfn.tokenValidityUnits) as
    cognito.CfnUserPoolClient.TokenValidityUnitsProperty | undefined;
  return {
    IdTokenValidity: validity("IdTokenValidity", cfn.idTokenValidity),
    AccessTokenValidity: validity("AccessTokenValidity", cfn.accessTokenValidity),
    RefreshTokenValidity: validity("RefreshTokenValidity", cfn.refreshTokenValidity),
    TokenValidityUnits: units && {
      IdToken: unit("IdToken", units.idToken),
      AccessToken: unit("AccessToken", units.accessToken),
      RefreshToken: unit("RefreshToken", units.refreshToken),
    },
  };
}
