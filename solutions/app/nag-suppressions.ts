/**
 * The AwsSolutions (cdk-nag) findings the workshop accepts, each with the
 * reason a reviewer reads. Every other finding is fixed in the stack; an
 * unsuppressed error fails `cdk synth`.
 */
import { NagSuppressions } from "cdk-nag";
import { authorizationOf, ROUTES, STAGE_THROTTLING } from "../../shared/runtime/purchases-api.ts";
import type { TenantUserPool } from "../02-user-pool/tenant-user-pool.ts";
import type { PurchasesApi } from "./purchases-api-construct.ts";

export interface WorkshopNagSuppressionsProps {
  readonly identity: TenantUserPool;
  readonly api: PurchasesApi;
}

/** Adds the accepted findings' suppressions to the user pool and the API's resources. */
export function suppressAcceptedNagFindings({ identity, api }: WorkshopNagSuppressionsProps): void {
  suppressUserPoolFindings(identity);
  suppressApiFindings(api);
}

function suppressUserPoolFindings(identity: TenantUserPool): void {
  NagSuppressions.addResourceSuppressions(identity.userPool, [
    {
      id: "AwsSolutions-COG2",
      reason:
        "MFA is OPTIONAL by design: learners sign up throwaway users in scripts and tests, and enrolling TOTP is " +
        "one of the workshop's exercises. TOTP (software token) is enabled and SMS disabled. " +
        "A production pool would set Mfa.REQUIRED.",
    },
    {
      id: "AwsSolutions-COG8",
      reason:
        "The Plus feature plan (threat protection: compromised credentials, adaptive authentication) is billed per " +
        "monthly active user with no free tier; a short-lived workshop stack on learners' own accounts uses " +
        "Essentials. Production would enable Plus with standardThreatProtectionMode FULL_FUNCTION " +
        "(see TenantUserPool).",
    },
  ]);
}

/** The AWS managed policy of API Gateway's account-level CloudWatch role. */
const PUSH_TO_CLOUDWATCH_LOGS = "AmazonAPIGatewayPushToCloudWatchLogs";

function suppressApiFindings(api: PurchasesApi): void {
  for (const [key, method] of Object.entries(api.methods)) {
    const route = ROUTES.find((candidate) => `${candidate.method} ${candidate.path}` === key);
    const kind = route ? authorizationOf(route) : "lambda";
    // A COGNITO_USER_POOLS method (GET /me/cognito) is what COG4 asks for: nothing to suppress.
    if (kind === "cognito-user-pools") continue;
    if (kind === "iam") {
      NagSuppressions.addResourceSuppressions(method, [
        {
          id: "AwsSolutions-COG4",
          reason:
            "The method is AWS_IAM by design (step 08, Flow B): callers sign it with SigV4 using temporary " +
            "credentials the identity pool issues only for a verified ID token of this user pool and app client " +
            "(authenticated identities only), and IAM allows execute-api:Invoke on this one method to the identity " +
            "pool's authenticated role alone. It shows what API Gateway says about an IAM caller; a Cognito user " +
            "pool authorizer is the next route's lesson.",
        },
      ]);
      continue;
    }
    NagSuppressions.addResourceSuppressions(method, [
      {
        id: "AwsSolutions-COG4",
        reason:
          "The method is protected by a Lambda TOKEN authorizer that verifies the Cognito user pool ID token " +
          "(signature against the pool's JWKS, issuer, audience = this app client, token_use = id, expiry) " +
          "with aws-jwt-verify, and refuses a signed-out session (step 07's revocation records). " +
          "A COGNITO_USER_POOLS authorizer cannot do what the workshop needs: require custom:tenantId, " +
          "map cognito:groups to a per-role IAM policy (viewer read-only, admin-only DELETE), pass a flat " +
          "tenant context to the integration and check the session against the revocation records.",
      },
    ]);
  }

  NagSuppressions.addResourceSuppressions(api.restApi, [
    {
      id: "AwsSolutions-APIG2",
      reason:
        "Requests are validated by the purchases function: a body over 16 KiB is refused with a 413 before it is " +
        "parsed, any other body is validated strictly (unknown fields, types, sizes) and answered with a 400 naming " +
        "at most five fields, the rest counted and echoed names cut to 64 characters, as the API contract requires; " +
        "the local stack runs the same code. POST /sign-out's function validates its body as strictly (a JSON object " +
        "with a non-empty refreshToken and an optional boolean everywhere, nothing else) and names the field in its " +
        "400. An API Gateway model would duplicate the schemas and answer with a generic message; API Gateway's own " +
        "10 MB payload limit stays in front.",
    },
  ]);

  NagSuppressions.addResourceSuppressions(api.restApi.deploymentStage, [
    {
      id: "AwsSolutions-APIG3",
      reason:
        "No AWS WAF web ACL: it costs a monthly fee per ACL and rule for a stack that lives for a workshop. " +
        `Abuse is bounded by stage throttling (${STAGE_THROTTLING.rateLimit} rps, ` +
        `burst ${STAGE_THROTTLING.burstLimit}) and every data method requires a valid Cognito token. ` +
        "Production would attach a web ACL with the AWS managed common and IP-reputation rule groups " +
        "and rate-based rules.",
    },
  ]);

  const cloudWatchRole = api.restApi.node.tryFindChild("CloudWatchRole");
  if (cloudWatchRole) {
    NagSuppressions.addResourceSuppressions(
      cloudWatchRole,
      [
        {
          id: "AwsSolutions-IAM4",
          reason:
            "AmazonAPIGatewayPushToCloudWatchLogs is the AWS-documented policy for the account-level role " +
            "API Gateway uses to write execution and access logs of every REST API in the Region. It cannot be " +
            "narrowed to this stack's log groups without breaking logging for other APIs that share the role; " +
            "only apigateway.amazonaws.com can assume it.",
          appliesTo: [`Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${PUSH_TO_CLOUDWATCH_LOGS}`],
        },
      ],
      true, // applyToChildren: the finding is on the role's CfnRole, a child.
    );
  }
}
