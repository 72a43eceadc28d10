/**
 * The fourth way, for comparison (step 08's README): an HTTP API (API Gateway
 * v2) with a JWT authorizer. API Gateway checks the token's issuer, audience,
 * expiry and, if a route asks for them, scopes; no code of yours runs. Not
 * part of the deployed stack: the test synthesizes it.
 */
import { Stack } from "aws-cdk-lib";
import { HttpApi, HttpMethod } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type * as cognito from "aws-cdk-lib/aws-cognito";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";

// README snippet start
export function purchasesHttpApi(
  scope: Construct,
  props: { userPool: cognito.IUserPool; userPoolClient: cognito.IUserPoolClient; handler: lambda.IFunction },
): HttpApi {
  const issuer = `https://cognito-idp.${Stack.of(scope).region}.amazonaws.com/${props.userPool.userPoolId}`;
  const authorizer = new HttpJwtAuthorizer("CognitoJwt", issuer, {
    // An ID token's aud, or an access token's client_id, must be this app client.
    jwtAudience: [props.userPoolClient.userPoolClientId],
  });
  const api = new HttpApi(scope, "PurchasesHttpApi");
  api.addRoutes({
    path: "/purchases",
    methods: [HttpMethod.GET],
    integration: new HttpLambdaIntegration("ListPurchases", props.handler),
    authorizer,
  });
  return api;
}
// README snippet end
