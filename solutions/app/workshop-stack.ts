/**
 * The deployed system: Cognito user pool -> API Gateway REST API with a TOKEN
 * Lambda authorizer -> purchases Lambda -> DynamoDB.
 *
 * Routes, the function serving each, the stage name, the authorizer's
 * settings, CORS, throttling and timeouts come from `shared/api/purchases-api.ts`,
 * which the local API Gateway reads too, so the local stack cannot drift from this one.
 */
import { Annotations, CfnOutput, Duration, Fn, RemovalPolicy, Stack } from "aws-cdk-lib";
import type { StackProps } from "aws-cdk-lib";
import * as apigw from "aws-cdk-lib/aws-apigateway";
import type * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import { NagSuppressions } from "cdk-nag";
import type { Construct } from "constructs";
import {
  AUTHORIZER,
  CORS,
  FUNCTION_TIMEOUT_SECONDS,
  INTEGRATION_TIMEOUT_MS,
  ROUTES,
  STAGE_NAME,
  STAGE_THROTTLING,
} from "../../shared/api/purchases-api.ts";
import type { FunctionName } from "../../shared/api/purchases-api.ts";
import { TenantUserPool } from "../02-user-pool/tenant-user-pool.ts";
import { TenantPurchasesTable } from "../05-tenant-scoped-lambda/purchases-table.ts";
import { CORS_ORIGINS_CONTEXT_KEY, corsOriginsFromContext, responseOriginOf } from "./cors-origins.ts";
import { LAMBDA_ENTRIES, workshopFunction } from "./workshop-function.ts";

/** The stack's construct id and CloudFormation stack name. */
export const STACK_NAME = "AuthWorkshop";

/** The stack's CloudFormation outputs; `cdk deploy --outputs-file` writes these keys. */
export const OUTPUT_KEYS = ["ApiUrl", "UserPoolId", "UserPoolClientId", "Region", "TableName"] as const;

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
  /** The API's functions by the name ROUTES uses for them. */
  public readonly functions: Readonly<Record<FunctionName, nodejs.NodejsFunction>>;
  public readonly authorizerFunction: nodejs.NodejsFunction;
  public readonly authorizer: apigw.TokenAuthorizer;
  public readonly api: apigw.RestApi;
  /** One API Gateway method per ROUTES entry, keyed `"GET /purchases"`. */
  public readonly methods: Readonly<Record<string, apigw.Method>>;
  public readonly corsAllowOrigins: readonly string[];

  constructor(scope: Construct, id: string = STACK_NAME, props: AuthWorkshopStackProps = {}) {
    super(scope, id, { description: "Auth workshop: Cognito, API Gateway TOKEN authorizer, tenant-scoped Lambda and DynamoDB", ...props });

    this.corsAllowOrigins = props.corsAllowOrigins ?? corsOriginsFromContext(this.node.tryGetContext(CORS_ORIGINS_CONTEXT_KEY));
    const responseOrigin = responseOriginOf(this.corsAllowOrigins);
    if (this.corsAllowOrigins.length > 1) {
      Annotations.of(this).addWarningV2(
        "auth-workshop:cors-single-response-origin",
        `CORS preflight allows ${this.corsAllowOrigins.join(", ")}, but responses carry only Access-Control-Allow-Origin: ${responseOrigin}.`,
      );
    }

    // ---- Identity and data -------------------------------------------------
    this.identity = new TenantUserPool(this, "Identity", { removalPolicy: RemovalPolicy.DESTROY });
    this.purchasesTable = new TenantPurchasesTable(this, "Purchases", { removalPolicy: RemovalPolicy.DESTROY });
    const { userPool, userPoolClient } = this.identity;

    // ---- Functions ---------------------------------------------------------
    const purchasesFunction = workshopFunction(this, "PurchasesFunction", {
      entry: LAMBDA_ENTRIES.purchases,
      timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.purchases,
      description: "Purchases API: serves the caller's tenant only (tenant from the authorizer context)",
      environment: {
        TABLE_NAME: this.purchasesTable.table.tableName,
        CORS_ALLOW_ORIGIN: responseOrigin,
      },
    });
    this.purchasesTable.grantTenantDataAccess(purchasesFunction);
    this.functions = { purchases: purchasesFunction };

    this.authorizerFunction = workshopFunction(this, "AuthorizerFunction", {
      entry: LAMBDA_ENTRIES.authorizer,
      timeoutSeconds: FUNCTION_TIMEOUT_SECONDS.authorizer,
      description: "TOKEN authorizer: verifies the Cognito ID token, returns the role's policy and the tenant context",
      environment: {
        USER_POOL_ID: userPool.userPoolId,
        USER_POOL_CLIENT_ID: userPoolClient.userPoolClientId,
      },
    });

    // ---- API ---------------------------------------------------------------
    const accessLogs = new logs.LogGroup(this, "ApiAccessLogs", {
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.api = new apigw.RestApi(this, "PurchasesApi", {
      restApiName: "auth-workshop-purchases",
      description: "Multi-tenant purchases API of the auth workshop",
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Stage logging needs the account-level API Gateway CloudWatch role.
      // There is one per account and Region, shared by every REST API, so the
      // role is retained on `cdk destroy` (the CDK default): deleting it would
      // silently break logging for any other API in the account. It holds no
      // data and costs nothing.
      cloudWatchRole: true,
      deployOptions: {
        stageName: STAGE_NAME,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
        // Execution logs show each authorizer decision and cache hit. Never
        // dataTrace: it would log full requests, bearer tokens included.
        loggingLevel: apigw.MethodLoggingLevel.INFO,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: STAGE_THROTTLING.rateLimit,
        throttlingBurstLimit: STAGE_THROTTLING.burstLimit,
      },
    });

    // API Gateway creates the execution log group on first use, with no
    // retention and outside the stack. Creating it here, before the stage,
    // gives it a retention and lets `cdk destroy` remove it.
    const executionLogs = new logs.LogGroup(this, "ApiExecutionLogs", {
      logGroupName: Fn.join("", ["API-Gateway-Execution-Logs_", this.api.restApiId, `/${STAGE_NAME}`]),
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api.deploymentStage.node.addDependency(executionLogs);

    this.authorizer = new apigw.TokenAuthorizer(this, "TokenAuthorizer", {
      authorizerName: "cognito-id-token",
      handler: this.authorizerFunction,
      identitySource: apigw.IdentitySource.header(AUTHORIZER.identityHeader),
      resultsCacheTtl: Duration.seconds(AUTHORIZER.resultsCacheTtlSeconds),
      // No validationRegex: the local API Gateway has none, and malformed
      // tokens must reach the same authorizer code in both places.
    });

    // Request validation (body shape, field types, sizes) is done by the
    // purchases function, so a 400 names the offending field and the local
    // stack, which runs the same handler, validates identically.
    const integrations = {
      purchases: new apigw.LambdaIntegration(purchasesFunction, {
        proxy: true,
        allowTestInvoke: false,
        timeout: Duration.millis(INTEGRATION_TIMEOUT_MS),
      }),
    } satisfies Record<FunctionName, apigw.LambdaIntegration>;

    const corsOptions: apigw.CorsOptions = {
      allowOrigins: [...this.corsAllowOrigins],
      allowHeaders: [...CORS.allowHeaders],
      allowMethods: [...CORS.allowMethods],
      maxAge: Duration.seconds(CORS.maxAgeSeconds),
    };

    const methods: Record<string, apigw.Method> = {};
    const resourcesWithCors = new Set<apigw.IResource>();
    for (const route of ROUTES) {
      const resource = this.api.root.resourceForPath(route.path);
      if (!resourcesWithCors.has(resource)) {
        // Browsers send the preflight without credentials, so OPTIONS is the
        // only method without the authorizer; it returns headers, never data.
        resource.addCorsPreflight(corsOptions);
        resourcesWithCors.add(resource);
      }
      const pathParameters = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
      const method = resource.addMethod(route.method, integrations[route.function], {
        authorizationType: apigw.AuthorizationType.CUSTOM,
        authorizer: this.authorizer,
        operationName: route.summary,
        requestParameters: Object.fromEntries(pathParameters.map((name) => [`method.request.path.${name}`, true])),
      });
      NagSuppressions.addResourceSuppressions(method, [
        {
          id: "AwsSolutions-COG4",
          reason:
            "The method is protected by a Lambda TOKEN authorizer that verifies the Cognito user pool ID token " +
            "(signature against the pool's JWKS, issuer, audience = this app client, token_use = id, expiry) with aws-jwt-verify. " +
            "A COGNITO_USER_POOLS authorizer cannot do what the workshop needs: require custom:tenantId, map cognito:groups " +
            "to a per-role IAM policy (viewer read-only, admin-only DELETE) and pass a flat tenant context to the integration.",
        },
      ]);
      methods[`${route.method} ${route.path}`] = method;
    }
    this.methods = methods;

    // API Gateway's own errors (401 from the authorizer, 403 from a Deny,
    // 429, 5XX) carry the CORS header too, or a browser hides them behind an
    // opaque CORS failure.
    const corsResponseHeaders = { "Access-Control-Allow-Origin": `'${responseOrigin}'` };
    this.api.addGatewayResponse("Default4xx", { type: apigw.ResponseType.DEFAULT_4XX, responseHeaders: corsResponseHeaders });
    this.api.addGatewayResponse("Default5xx", { type: apigw.ResponseType.DEFAULT_5XX, responseHeaders: corsResponseHeaders });

    // ---- Outputs (the keys of `cdk deploy --outputs-file`) -----------------
    // RestApi adds its own `Endpoint` output (a generated key); ApiUrl replaces
    // it so the outputs file has exactly the keys the local stack writes.
    this.api.node.tryRemoveChild("Endpoint");
    // No trailing slash (api.url has one), so `curl "$ApiUrl/purchases"` is the route.
    const apiUrl = Fn.join("", ["https://", this.api.restApiId, ".execute-api.", this.region, ".", this.urlSuffix, "/", this.api.deploymentStage.stageName]);
    new CfnOutput(this, "ApiUrl", { value: apiUrl, description: "Base URL of the purchases API (stage included, no trailing slash)" });
    new CfnOutput(this, "UserPoolId", { value: userPool.userPoolId });
    new CfnOutput(this, "UserPoolClientId", { value: userPoolClient.userPoolClientId });
    new CfnOutput(this, "Region", { value: this.region });
    new CfnOutput(this, "TableName", { value: this.purchasesTable.table.tableName });

    this.addNagSuppressions();
  }

  private addNagSuppressions(): void {
    const pool = this.identity.userPool;
    NagSuppressions.addResourceSuppressions(pool, [
      {
        id: "AwsSolutions-COG2",
        reason:
          "MFA is OPTIONAL by design: learners sign up throwaway users in scripts and tests, and enrolling TOTP is " +
          "one of the workshop's exercises. TOTP (software token) is enabled and SMS disabled. A production pool would set Mfa.REQUIRED.",
      },
      {
        id: "AwsSolutions-COG8",
        reason:
          "The Plus feature plan (threat protection: compromised credentials, adaptive authentication) is billed per " +
          "monthly active user with no free tier; a short-lived workshop stack on learners' own accounts uses Essentials. " +
          "Production would enable Plus with standardThreatProtectionMode FULL_FUNCTION (see TenantUserPool).",
      },
    ]);

    NagSuppressions.addResourceSuppressions(this.api, [
      {
        id: "AwsSolutions-APIG2",
        reason:
          "Requests are validated by the purchases function: a body over 16 KiB is refused with a 413 before it is " +
          "parsed, any other body is validated strictly (unknown fields, types, sizes) and answered with a 400 naming " +
          "at most five fields, the rest counted and echoed names cut to 64 characters, as the API contract requires; " +
          "the local stack runs the same code. An API Gateway model would duplicate the schema and answer with a " +
          "generic message; API Gateway's own 10 MB payload limit stays in front.",
      },
    ]);

    NagSuppressions.addResourceSuppressions(this.api.deploymentStage, [
      {
        id: "AwsSolutions-APIG3",
        reason:
          "No AWS WAF web ACL: it costs a monthly fee per ACL and rule for a stack that lives for a workshop. Abuse is " +
          `bounded by stage throttling (${STAGE_THROTTLING.rateLimit} rps, burst ${STAGE_THROTTLING.burstLimit}) and every data method requires a valid Cognito token. ` +
          "Production would attach a web ACL with the AWS managed common and IP-reputation rule groups and rate-based rules.",
      },
    ]);

    const cloudWatchRole = this.api.node.tryFindChild("CloudWatchRole");
    if (cloudWatchRole) {
      NagSuppressions.addResourceSuppressions(
        cloudWatchRole,
        [
          {
            id: "AwsSolutions-IAM4",
            reason:
              "AmazonAPIGatewayPushToCloudWatchLogs is the AWS-documented policy for the account-level role API Gateway " +
              "uses to write execution and access logs of every REST API in the Region. It cannot be narrowed to this " +
              "stack's log groups without breaking logging for other APIs that share the role; only apigateway.amazonaws.com can assume it.",
            appliesTo: ["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"],
          },
        ],
        true,
      );
    }
  }
}
