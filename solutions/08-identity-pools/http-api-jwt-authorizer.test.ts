import { readFileSync } from "node:fs";
import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import * as cognito from "aws-cdk-lib/aws-cognito";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { describe, expect, it } from "vitest";
import { purchasesHttpApi } from "./http-api-jwt-authorizer.ts";

describe("the HTTP API JWT authorizer snippet of step 08's README", () => {
  it("synthesizes a JWT authorizer on the pool's issuer and app client, guarding GET /purchases", () => {
    const stack = new Stack(new App(), "Snippet", { env: { region: "eu-west-1", account: "123456789012" } });
    const userPool = new cognito.UserPool(stack, "Pool");
    const userPoolClient = userPool.addClient("Client");
    const handler = new lambda.Function(stack, "Fn", {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: "index.handler",
      code: lambda.Code.fromInline("export const handler = async () => ({ statusCode: 200 });"),
    });
    purchasesHttpApi(stack, { userPool, userPoolClient, handler });
    const template = Template.fromStack(stack);
    template.hasResourceProperties("AWS::ApiGatewayV2::Authorizer", {
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
      JwtConfiguration: {
        Audience: [{ Ref: stack.getLogicalId(userPoolClient.node.defaultChild as cognito.CfnUserPoolClient) }],
        Issuer: {
          "Fn::Join": [
            "",
            [
              "https://cognito-idp.eu-west-1.amazonaws.com/",
              { Ref: stack.getLogicalId(userPool.node.defaultChild as cognito.CfnUserPool) },
            ],
          ],
        },
      },
    });
    template.hasResourceProperties("AWS::ApiGatewayV2::Route", {
      RouteKey: "GET /purchases",
      AuthorizationType: "JWT",
    });
  });

  it("is in the README word for word", () => {
    const source = readFileSync(new URL("./http-api-jwt-authorizer.ts", import.meta.url), "utf8");
    const snippet = /\/\/ README snippet start\n([\s\S]*?)\/\/ README snippet end/.exec(source)?.[1];
    const readme = readFileSync(new URL("../../steps/08-identity-pools/README.md", import.meta.url), "utf8");
    expect(snippet).toBeTruthy();
    expect(readme).toContain(snippet!.trim());
  });
});
