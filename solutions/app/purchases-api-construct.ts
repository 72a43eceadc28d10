/**
 * The CDK construct for everything API Gateway does in the flow (steps 3, 6
 * and 8): the REST API and its stage, the TOKEN authorizer in front of every
 * route (step 08 adds a Cognito user pool authorizer and IAM authorization,
 * each on its own route), one Lambda proxy integration per route, CORS, API
 * Gateway's own error responses, throttling, timeouts and logs.
 *
 * What it serves (ROUTES, AUTHORIZER, CORS, throttling, timeouts) is defined
 * in `shared/runtime/purchases-api.ts`, which the local API Gateway reads too.
 */
import { Annotations, Duration, Fn, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as apigw from "aws-cdk-lib/aws-apigateway";
import type * as cognito from "aws-cdk-lib/aws-cognito";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import {
  AUTHORIZER,
  authorizationOf,
  CORS,
  INTEGRATION_TIMEOUT_MS,
  ROUTES,
  STAGE_NAME,
  STAGE_THROTTLING,
} from "../../shared/runtime/purchases-api.ts";
import type { FunctionName, RouteDefinition } from "../../shared/runtime/purchases-api.ts";
import { responseOriginOf } from "./cors-origins.ts";

export interface PurchasesApiProps {
  /** The TOKEN authorizer's function: verifies the token, returns the policy and the tenant context. */
  readonly authorizerFunction: lambda.IFunction;
  /** The user pool whose ID tokens the Cognito user pool authorizer accepts (`cognito-user-pools` routes). */
  readonly userPool: cognito.IUserPool;
  /** The function serving each route, by the name ROUTES uses for it. */
  readonly functions: Readonly<Record<FunctionName, lambda.IFunction>>;
  /**
   * Browser origins the CORS preflight allows. Actual responses (the
   * function's and API Gateway's own 4XX/5XX) carry only the first.
   */
  readonly corsAllowOrigins: readonly string[];
}

/** The purchases REST API, its authorizer and its routes. */
export class PurchasesApi extends Construct {
  public readonly restApi: apigw.RestApi;
  public readonly authorizer: apigw.TokenAuthorizer;
  /** API Gateway's own check of the pool's tokens, for `cognito-user-pools` routes (no scopes: ID tokens). */
  public readonly userPoolAuthorizer: apigw.CognitoUserPoolsAuthorizer;
  /** One API Gateway method per ROUTES entry, keyed `"GET /purchases"`. */
  public readonly methods: Readonly<Record<string, apigw.Method>>;
  /** Base URL with the stage and no trailing slash, so `curl "$url/purchases"` is the route. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: PurchasesApiProps) {
    super(scope, id);

    const responseOrigin = responseOriginOf(props.corsAllowOrigins);
    if (props.corsAllowOrigins.length > 1) {
      Annotations.of(this).addWarningV2(
        "auth-workshop:cors-single-response-origin",
        `CORS preflight allows ${props.corsAllowOrigins.join(", ")}, ` +
          `but responses carry only Access-Control-Allow-Origin: ${responseOrigin}.`,
      );
    }

    this.restApi = this.restApiWithLoggedStage();

    this.authorizer = new apigw.TokenAuthorizer(this, "TokenAuthorizer", {
      authorizerName: "cognito-id-token",
      handler: props.authorizerFunction,
      identitySource: apigw.IdentitySource.header(AUTHORIZER.identityHeader),
      resultsCacheTtl: Duration.seconds(AUTHORIZER.resultsCacheTtlSeconds),
      // No validationRegex: the local API Gateway has none, and malformed
      // tokens must reach the same authorizer code in both places.
    });

    // No authorization scopes on its methods, so API Gateway accepts the pool's ID tokens, not access tokens.
    // The audience is not configurable here: every app client of the pool is accepted (this pool has one).
    this.userPoolAuthorizer = new apigw.CognitoUserPoolsAuthorizer(this, "UserPoolAuthorizer", {
      authorizerName: "cognito-user-pool",
      cognitoUserPools: [props.userPool],
      identitySource: apigw.IdentitySource.header(AUTHORIZER.identityHeader),
    });

    this.methods = this.addRoutes(props);

    // API Gateway's own errors (401 from the authorizer, 403 from a Deny,
    // 429, 5XX) carry the CORS header too, or a browser hides them behind an
    // opaque CORS failure.
    const responseHeaders = { "Access-Control-Allow-Origin": `'${responseOrigin}'` };
    this.restApi.addGatewayResponse("Default4xx", { type: apigw.ResponseType.DEFAULT_4XX, responseHeaders });
    this.restApi.addGatewayResponse("Default5xx", { type: apigw.ResponseType.DEFAULT_5XX, responseHeaders });

    // RestApi adds its own `Endpoint` output (a generated key); the stack
    // outputs `url` as ApiUrl instead, the key the local stack writes too.
    this.restApi.node.tryRemoveChild("Endpoint");
    const { region, urlSuffix } = Stack.of(this);
    const { restApiId, deploymentStage } = this.restApi;
    const host = ["https://", restApiId, ".execute-api.", region, ".", urlSuffix];
    this.url = Fn.join("", [...host, "/", deploymentStage.stageName]);
  }

  /** The REST API with its stage: throttling, access and execution logs, metrics and tracing. */
  private restApiWithLoggedStage(): apigw.RestApi {
    const accessLogs = new logs.LogGroup(this, "ApiAccessLogs", {
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const restApi = new apigw.RestApi(this, "PurchasesApi", {
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
      logGroupName: Fn.join("", ["API-Gateway-Execution-Logs_", restApi.restApiId, `/${STAGE_NAME}`]),
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    restApi.deploymentStage.node.addDependency(executionLogs);
    return restApi;
  }

  /** One method per ROUTES entry behind its authorizer, and a CORS preflight on each resource. */
  private addRoutes(props: PurchasesApiProps): Record<string, apigw.Method> {
    // Request validation (body shape, field types, sizes) is done by the
    // functions themselves, so a 400 names the offending field and the local
    // stack, which runs the same handlers, validates identically.
    const integration = (fn: lambda.IFunction) =>
      new apigw.LambdaIntegration(fn, {
        proxy: true,
        allowTestInvoke: false,
        timeout: Duration.millis(INTEGRATION_TIMEOUT_MS),
      });
    const integrations = {
      purchases: integration(props.functions.purchases),
      signOut: integration(props.functions.signOut),
      me: integration(props.functions.me),
    } satisfies Record<FunctionName, apigw.LambdaIntegration>;

    const corsOptions: apigw.CorsOptions = {
      allowOrigins: [...props.corsAllowOrigins],
      allowHeaders: [...CORS.allowHeaders],
      allowMethods: [...CORS.allowMethods],
      maxAge: Duration.seconds(CORS.maxAgeSeconds),
    };

    const methods: Record<string, apigw.Method> = {};
    const resourcesWithCors = new Set<apigw.IResource>();
    for (const route of ROUTES) {
      const resource = this.restApi.root.resourceForPath(route.path);
      if (!resourcesWithCors.has(resource)) {
        // Browsers send the preflight without credentials, so OPTIONS is the
        // only method without the authorizer; it returns headers, never data.
        resource.addCorsPreflight(corsOptions);
        resourcesWithCors.add(resource);
      }
      const pathParameters = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
      methods[`${route.method} ${route.path}`] = resource.addMethod(route.method, integrations[route.function], {
        ...this.authorizationFor(route),
        operationName: route.summary,
        requestParameters: Object.fromEntries(pathParameters.map((name) => [`method.request.path.${name}`, true])),
      });
    }
    return methods;
  }

  /** The method's authorization, as the one API definition names it. */
  private authorizationFor(route: RouteDefinition): Pick<apigw.MethodOptions, "authorizationType" | "authorizer"> {
    switch (authorizationOf(route)) {
      case "cognito-user-pools":
        return { authorizationType: apigw.AuthorizationType.COGNITO, authorizer: this.userPoolAuthorizer };
      case "iam":
        return { authorizationType: apigw.AuthorizationType.IAM };
      case "lambda":
        return { authorizationType: apigw.AuthorizationType.CUSTOM, authorizer: this.authorizer };
    }
  }
}
