/**
 * TenantIdentityPool on its own, in a bare stack: what it synthesizes, and
 * what its role's policy decides, evaluated by the local IAM check on the
 * template's own statements.
 */
import { App, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as cognito from "aws-cdk-lib/aws-cognito";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import { beforeAll, describe, expect, it } from "vitest";
import {
  rolePolicyDocuments,
  staticResolver,
  type CloudFormationTemplate,
} from "../../shared/local-stack/iam/cloudformation-policies.ts";
import { evaluatePolicies } from "../../shared/local-stack/iam/policy-evaluation.ts";
import { TenantIdentityPool } from "./identity-pool.ts";

const REGION = "eu-west-1";
const ACCOUNT = "123456789012";
const TABLE = "purchases";
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLE}`;
const METHOD_ARN = `arn:aws:execute-api:${REGION}:${ACCOUNT}:abc123/prod/GET/me/iam`;

let template: Template;
let json: CloudFormationTemplate & { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
let roleId: string;

beforeAll(() => {
  const stack = new Stack(new App(), "Test", { env: { region: REGION, account: ACCOUNT } });
  const userPool = new cognito.UserPool(stack, "Pool");
  const userPoolClient = userPool.addClient("Client");
  const table = new dynamodb.Table(stack, "Table", {
    partitionKey: { name: "tenantId", type: dynamodb.AttributeType.STRING },
    sortKey: { name: "purchaseId", type: dynamodb.AttributeType.STRING },
  });
  const pool = new TenantIdentityPool(stack, "IdentityPool", {
    userPool,
    userPoolClient,
    purchasesTable: table,
    invokableMethodArns: [METHOD_ARN],
  });
  template = Template.fromStack(stack);
  json = template.toJSON() as typeof json;
  roleId = stack.getLogicalId(pool.authenticatedRole.node.defaultChild as iam.CfnRole);
});

function allowed(action: string, resource: string, keys: Record<string, string | string[]>): boolean {
  const tableId = Object.keys(json.Resources).find((id) => json.Resources[id]!.Type === "AWS::DynamoDB::Table")!;
  const resolver = staticResolver(json, { region: REGION, accountId: ACCOUNT, refs: { [tableId]: TABLE } });
  const policies = rolePolicyDocuments(json, roleId, resolver);
  return evaluatePolicies(policies, { action, resource, keys, knownKeys: ["aws:PrincipalTag/*"] }).decision === "allow";
}

describe("TenantIdentityPool", () => {
  it("has the user pool's app client as its only provider and no unauthenticated identities", () => {
    template.resourceCountIs("AWS::Cognito::IdentityPool", 1);
    template.hasResourceProperties("AWS::Cognito::IdentityPool", {
      AllowUnauthenticatedIdentities: false,
      CognitoIdentityProviders: [Match.objectLike({ ClientId: { Ref: Match.stringLikeRegexp("PoolClient") } })],
      SupportedLoginProviders: Match.absent(),
      OpenIdConnectProviderARNs: Match.absent(),
      SamlProviderARNs: Match.absent(),
      DeveloperProviderName: Match.absent(),
    });
  });

  it("attaches one role, the authenticated one; no unauthenticated role exists", () => {
    template.hasResourceProperties("AWS::Cognito::IdentityPoolRoleAttachment", {
      Roles: { authenticated: { "Fn::GetAtt": [roleId, "Arn"] }, unauthenticated: Match.absent() },
    });
    template.resourceCountIs("AWS::IAM::Role", 1);
    // Nothing anywhere trusts or names unauthenticated identities (the amr value "unauthenticated").
    expect(JSON.stringify(json)).not.toMatch(/"unauthenticated"|UnauthenticatedRole/);
  });

  it("maps custom:tenantId to the principal tag tenantId for the user pool provider, no defaults", () => {
    template.hasResourceProperties("AWS::Cognito::IdentityPoolPrincipalTag", {
      IdentityPoolId: { Ref: Match.stringLikeRegexp("^IdentityPool") },
      IdentityProviderName: { "Fn::GetAtt": [Match.stringLikeRegexp("^Pool"), "ProviderName"] },
      PrincipalTags: { tenantId: "custom:tenantId" },
      UseDefaults: false,
    });
  });

  it("lets only this pool's authenticated identities assume the role, and tag the session", () => {
    const poolId = Object.keys(json.Resources).find((id) => json.Resources[id]!.Type === "AWS::Cognito::IdentityPool");
    expect(json.Resources[roleId]!.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Federated: "cognito-identity.amazonaws.com" },
        Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
        Condition: {
          StringEquals: { "cognito-identity.amazonaws.com:aud": { Ref: poolId } },
          "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
        },
      },
    ]);
  });

  it("allows Query and GetItem in the caller's own partition only", () => {
    const acme = { "aws:PrincipalTag/tenantId": "acme" };
    for (const action of ["dynamodb:Query", "dynamodb:GetItem"]) {
      expect(allowed(action, TABLE_ARN, { ...acme, "dynamodb:LeadingKeys": ["acme"] }), action).toBe(true);
      expect(allowed(action, TABLE_ARN, { ...acme, "dynamodb:LeadingKeys": ["globex"] }), action).toBe(false);
      // The idempotency records and tombstones (idempotent-create.ts): StringEquals keeps them out.
      expect(allowed(action, TABLE_ARN, { ...acme, "dynamodb:LeadingKeys": ["acme#idempotency"] })).toBe(false);
      expect(allowed(action, TABLE_ARN, { ...acme, "dynamodb:LeadingKeys": ["acme#deleted"] })).toBe(false);
      // No tag (a user without custom:tenantId): the variable does not resolve, nothing is allowed.
      expect(allowed(action, TABLE_ARN, { "dynamodb:LeadingKeys": ["acme"] })).toBe(false);
    }
  });

  it("allows no other DynamoDB action, on no other table", () => {
    const acme = { "aws:PrincipalTag/tenantId": "acme", "dynamodb:LeadingKeys": ["acme"] };
    for (const action of ["Scan", "PutItem", "UpdateItem", "DeleteItem", "BatchGetItem", "BatchWriteItem"]) {
      expect(allowed(`dynamodb:${action}`, TABLE_ARN, acme), action).toBe(false);
    }
    const revocations = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/revocations`;
    expect(allowed("dynamodb:GetItem", revocations, acme)).toBe(false);
    expect(allowed("dynamodb:Query", `${TABLE_ARN}/index/byUser`, acme)).toBe(false);
  });

  it("may invoke the IAM-authorized method it is given, and no other", () => {
    expect(allowed("execute-api:Invoke", METHOD_ARN, {})).toBe(true);
    expect(allowed("execute-api:Invoke", METHOD_ARN.replace("/GET/me/iam", "/GET/purchases"), {})).toBe(false);
  });
});
