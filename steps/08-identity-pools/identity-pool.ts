/**
 * Flow B's identity pool (step 08): a signed-in user trades the user pool's ID
 * token for temporary AWS credentials, and IAM itself keeps them in their
 * tenant's partition.
 *
 * Given:
 * - the user pool and its app client are the pool's only provider; there are
 *   no unauthenticated (guest) identities and no unauthenticated role;
 * - the authenticated role trusts only this identity pool
 *   (`cognito-identity.amazonaws.com:aud`) and only authenticated identities
 *   (`amr` has `authenticated`), and lets Cognito tag the session
 *   (`sts:TagSession`);
 * - the role may `execute-api:Invoke` the IAM-authorized methods it is given.
 *
 * Yours: the tag that carries the tenant (TODO 1) and what the role may do in
 * the purchases table (TODO 2).
 */
import { Lazy } from "aws-cdk-lib";
import * as cognito from "aws-cdk-lib/aws-cognito";
import { IdentityPool, UserPoolAuthenticationProvider } from "aws-cdk-lib/aws-cognito-identitypool";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { todo } from "../../shared/checkpoint/todo.ts";

export interface TenantIdentityPoolProps {
  readonly userPool: cognito.IUserPool;
  /** The app client whose ID tokens are accepted (the token's `aud`). */
  readonly userPoolClient: cognito.IUserPoolClient;
  /** The purchases table, one partition per tenant. */
  readonly purchasesTable: dynamodb.ITable;
  /** `execute-api` ARNs of the IAM-authorized methods the role may invoke (GET /me/iam). */
  readonly invokableMethodArns: readonly string[];
}

export class TenantIdentityPool extends Construct {
  public readonly identityPool: IdentityPool;
  /** The role of every authenticated identity; its sessions carry the `tenantId` principal tag. */
  public readonly authenticatedRole: iam.Role;
  public readonly principalTags: cognito.CfnIdentityPoolPrincipalTag;

  constructor(scope: Construct, id: string, props: TenantIdentityPoolProps) {
    super(scope, id);

    // The role's trust names the pool, which does not exist yet: Lazy resolves it at synthesis.
    let identityPoolId: (() => string) | undefined;
    const trustedPoolId = Lazy.string({ produce: () => identityPoolId?.() });
    const federated = new iam.FederatedPrincipal(
      "cognito-identity.amazonaws.com",
      {
        StringEquals: { "cognito-identity.amazonaws.com:aud": trustedPoolId },
        "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
      },
      "sts:AssumeRoleWithWebIdentity",
    );
    this.authenticatedRole = new iam.Role(this, "AuthenticatedRole", {
      // sts:TagSession beside AssumeRoleWithWebIdentity: Cognito sets the principal tags on the session.
      assumedBy: federated.withSessionTags(),
      description: "Authenticated identities of the tenant identity pool: their own tenant's partition only",
    });

    this.identityPool = new IdentityPool(this, "Pool", {
      allowUnauthenticatedIdentities: false,
      authenticatedRole: this.authenticatedRole,
      authenticationProviders: {
        // The server-side token check stays on (the default): a signed-out user gets no credentials.
        userPools: [
          new UserPoolAuthenticationProvider({ userPool: props.userPool, userPoolClient: props.userPoolClient }),
        ],
      },
    });
    identityPoolId = () => this.identityPool.identityPoolId;

    // The L2 construct always makes a default unauthenticated role and attaches it, even with
    // allowUnauthenticatedIdentities false. No guest may ever get credentials: no such role exists.
    this.identityPool.node.tryRemoveChild("UnauthenticatedRole");
    this.identityPool.roleAttachment.roles = { authenticated: this.authenticatedRole.roleArn };

    // TODO 1: The session of every identity carries the caller's tenant as the principal tag `tenantId`,
    // taken from the ID token of this user pool (a cognito.CfnIdentityPoolPrincipalTag), so that a
    // policy can say `${aws:PrincipalTag/tenantId}`. Yours to decide: which claim, and whether
    // Cognito's default mappings (sub, aud) come along; only what a policy reads should.
    this.principalTags = todo("1: map the ID token's tenant to the principal tag tenantId");

    // TODO 2: The role's DynamoDB permission: a signed-in user may list their own tenant's purchases
    // and read one of them, straight from the table, and nothing else of it: no other tenant's
    // partition, no Scan, no batch call, no write, not the idempotency records
    // (steps/05-tenant-scoped-lambda/idempotent-create.ts: how are they keyed?). Yours to decide:
    // the actions, the resource, and the condition with its operator and policy variable (a
    // condition on `dynamodb:LeadingKeys`). Add it with this.authenticatedRole.addToPolicy.
    todo("2: the role's own-tenant-only DynamoDB statement");

    this.authenticatedRole.addToPolicy(
      new iam.PolicyStatement({
        sid: "InvokeIamAuthorizedRoutes",
        actions: ["execute-api:Invoke"],
        resources: [...props.invokableMethodArns],
      }),
    );
  }
}
