/**
 * The deployed system, in the order a request meets it (README, "The flow you
 * build"): the Cognito user pool (steps 1-2), API Gateway and its TOKEN
 * authorizer (3-6), the purchases function (6-8) and its DynamoDB table (7).
 * Step 07 adds POST /sign-out and the revocation records the authorizer
 * checks (4), so a signed-out session's tokens are refused.
 *
 * Each part is a construct of its own; this file only wires them together.
 * Routes, roles, CORS, throttling and timeouts come from
 * `shared/runtime/purchases-api.ts`, which the local API Gateway reads too, so
 * the local stack cannot drift from this one.
 */
import { CfnOutput, RemovalPolicy, Stack } from "aws-cdk-lib";
import type { StackProps } from "aws-cdk-lib";
import type * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import type { Construct } from "constructs";
import { FUNCTION_TIMEOUT_SECONDS, ROUTES, authorizationOf } from "../../shared/runtime/purchases-api.ts";
import { STACK_NAME, type DeployedOutputs } from "../../shared/outputs-file.ts";
import type { FunctionName } from "../../shared/runtime/purchases-api.ts";
import { TenantUserPool } from "../02-user-pool/tenant-user-pool.ts";
import { TenantPurchasesTable } from "../05-tenant-scoped-lambda/purchases-table.ts";
import { SessionRevocationsTable } from "../07-sessions/revocations-table.ts";
import { TenantIdentityPool } from "../08-identity-pools/identity-pool.ts";
import { revocationRecordLifetimeSeconds } from "../../shared/runtime/token-lifetimes.ts";
import { deployedTokenValidities } from "./client-token-lifetimes.ts";
import { CORS_ORIGINS_CONTEXT_KEY, corsOriginsFromContext, responseOriginOf } from "./cors-origins.ts";
import { suppressAcceptedNagFindings } from "./nag-suppressions.ts";
import { PurchasesApi } from "./purchases-api-construct.ts";
import { LAMBDA_ENTRIES, workshopFunction } from "./workshop-function.ts";

const OUTPUT_DESCRIPTIONS: Partial<Record<keyof DeployedOutputs, string>> = {
  ApiUrl: "Base URL of the purchases API (stage included, no trailing slash)",
};

export interface AuthWorkshopStackProps extends StackProps {
  /**
   * Browser origins allowed to call the API (CORS). When absent, the context
   * value `corsAllowOrigins` is used (`cdk deploy -c corsAllowOrigins=https://app.example.com`,
   * a comma-separated list or a JSON array), and when that is absent too,
   * `DEFAULT_CORS_ALLOW_ORIGINS` (cors-origins.ts).
   *
   * The preflight answers every listed origin; the `Access-Control-Allow-Origin`
   * header on actual responses (the function's and API Gateway's own 4XX/5XX)
   * is a single static value, the first origin listed.
   */
  readonly corsAllowOrigins?: readonly string[];
}

/**
 * Everything the workshop deploys, in one stack. Every stateful resource is
 * created with RemovalPolicy.DESTROY: `cdk destroy` must leave nothing
 * billable or personal behind.
 */
export class AuthWorkshopStack extends Stack {
  public readonly identity: TenantUserPool;
  public readonly purchasesTable: TenantPurchasesTable;
  /** Signed-out sessions and users (step 07): the authorizer reads them, sign-out writes them. */
  public readonly revocations: SessionRevocationsTable;
  /** The API's functions by the name ROUTES uses for them. */
  public readonly functions: Readonly<Record<FunctionName, nodejs.NodejsFunction>>;
  public readonly authorizerFunction: nodejs.NodejsFunction;
  public readonly api: PurchasesApi;
  /** Flow B (step 08): ID tokens traded for credentials that reach the caller's own tenant only. */
  public readonly identityPool: TenantIdentityPool;
  public readonly corsAllowOrigins: readonly string[];

  constructor(scope: Construct, id: string = STACK_NAME, props: AuthWorkshopStackProps = {}) {
    super(scope, id, {
      description: "Auth workshop: Cognito, API Gateway TOKEN authorizer, tenant-scoped Lambda and DynamoDB",
      ...props,
    });
    this.corsAllowOrigins =
      props.corsAllowOrigins ?? corsOriginsFromContext(this.node.tryGetContext(CORS_ORIGINS_CONTEXT_KEY));

    // 1-2. Users sign in to the pool and get their tokens; the tenant is an attribute only an operator sets.
    this.identity = new TenantUserPool(this, "Identity", { removalPolicy: RemovalPolicy.DESTROY });
    const { userPool, userPoolClient } = this.identity;

    // 7. Every tenant's purchases, each tenant in a partition of its own.
    this.purchasesTable = new TenantPurchasesTable(this, "Purchases", { removalPolicy: RemovalPolicy.DESTROY });

    // 6-8. The purchases function serves the caller's tenant and may touch no other tenant's partition.
    const purchasesFunction = workshopFunction(this, "PurchasesFunction", {
      entry: LAMBDA_ENTRIES.purchases,
      timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.purchases,
      description: "Purchases API: serves the caller's tenant only (tenant from the authorizer context)",
      environment: {
        TABLE_NAME: this.purchasesTable.table.tableName,
        CORS_ALLOW_ORIGIN: responseOriginOf(this.corsAllowOrigins),
      },
    });
    this.purchasesTable.grantTenantDataAccess(purchasesFunction);

    // 4. Signed-out sessions (origin_jti) and users (a cut-off), each record kept as long as a token it refuses
    // could be presented, then deleted by DynamoDB's TTL.
    this.revocations = new SessionRevocationsTable(this, "Revocations", { removalPolicy: RemovalPolicy.DESTROY });

    // 6-8. POST /sign-out records the caller's session (or, everywhere, the user) as revoked, then ends it
    // at Cognito: RevokeToken for this device (a public API, no IAM), AdminUserGlobalSignOut for every device.
    // The records' lifetime comes from this stack's own app client, as deployed (client-token-lifetimes.ts).
    const signOutFunction = workshopFunction(this, "SignOutFunction", {
      entry: LAMBDA_ENTRIES.signOut,
      timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.signOut,
      description: "POST /sign-out: revokes the caller's session (or all their sessions) at Cognito and for the API",
      environment: {
        REVOCATIONS_TABLE_NAME: this.revocations.table.tableName,
        USER_POOL_ID: userPool.userPoolId,
        USER_POOL_CLIENT_ID: userPoolClient.userPoolClientId,
        REVOCATION_RECORD_LIFETIME_SECONDS: String(
          revocationRecordLifetimeSeconds(deployedTokenValidities(userPoolClient)),
        ),
        CORS_ALLOW_ORIGIN: responseOriginOf(this.corsAllowOrigins),
      },
    });
    this.revocations.grantRevocationWrites(signOutFunction);
    userPool.grant(signOutFunction, "cognito-idp:AdminUserGlobalSignOut");
    // 8. GET /me, /me/cognito, /me/iam (step 08): echoes what each authorizer type says about the caller; no grants.
    const meFunction = workshopFunction(this, "MeFunction", {
      entry: LAMBDA_ENTRIES.me,
      timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.me,
      description: "GET /me, /me/cognito, /me/iam: who API Gateway says the caller is, per authorizer type",
      environment: { CORS_ALLOW_ORIGIN: responseOriginOf(this.corsAllowOrigins) },
    });
    this.functions = { purchases: purchasesFunction, signOut: signOutFunction, me: meFunction };

    // 4-5. The authorizer verifies the ID token against this pool and app client, refuses a revoked session,
    // returns policy and context. It may only read the revocation records, one by one.
    this.authorizerFunction = workshopFunction(this, "AuthorizerFunction", {
      entry: LAMBDA_ENTRIES.authorizer,
      timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.authorizer,
      description:
        "TOKEN authorizer: verifies the Cognito ID token and its session, returns the role's policy and the tenant context",
      environment: {
        USER_POOL_ID: userPool.userPoolId,
        USER_POOL_CLIENT_ID: userPoolClient.userPoolClientId,
        REVOCATIONS_TABLE_NAME: this.revocations.table.tableName,
      },
    });
    this.revocations.grantRevocationReads(this.authorizerFunction);

    // 3, 6, 8. API Gateway sends the token to the authorizer, enforces its policy and calls the function.
    // The CDK leaves the id "Default" out of logical IDs: the API's resources keep the IDs they had before
    // this construct existed, so a deploy updates them in place. Only the Deployment, a snapshot the CDK
    // renames whenever the API's definition (construct paths included) changes, is created anew.
    this.api = new PurchasesApi(this, "Default", {
      authorizerFunction: this.authorizerFunction,
      userPool,
      functions: this.functions,
      corsAllowOrigins: this.corsAllowOrigins,
    });

    // Flow B (step 08): the identity pool trades a user's ID token for temporary credentials; IAM keeps them
    // in the tenant's partition (LeadingKeys) and lets them call the one IAM-authorized route.
    this.identityPool = new TenantIdentityPool(this, "IdentityPool", {
      userPool,
      userPoolClient,
      purchasesTable: this.purchasesTable.table,
      // The AWS_IAM routes of the one API definition: GET /me/iam.
      invokableMethodArns: ROUTES.filter((route) => authorizationOf(route) === "iam").map(
        (route) => this.api.methods[`${route.method} ${route.path}`]!.methodArn,
      ),
    });

    // The keys of `cdk deploy --outputs-file`, the same the local stack writes.
    // Typed by the outputs file's keys, so the deployed outputs and what the scripts read cannot drift apart.
    const outputs: DeployedOutputs = {
      ApiUrl: this.api.url,
      UserPoolId: userPool.userPoolId,
      UserPoolClientId: userPoolClient.userPoolClientId,
      Region: this.region,
      TableName: this.purchasesTable.table.tableName,
      IdentityPoolId: this.identityPool.identityPool.identityPoolId,
    };
    for (const [key, value] of Object.entries(outputs)) {
      new CfnOutput(this, key, { value, description: OUTPUT_DESCRIPTIONS[key as keyof DeployedOutputs] });
    }

    suppressAcceptedNagFindings({ identity: this.identity, api: this.api });
  }
}
