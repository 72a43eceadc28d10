/**
 * Flow B in the AuthWorkshop stack (step 08): the identity pool, its one role
 * and what that role may do, as CloudFormation receives them, with the
 * AwsSolutions cdk-nag pack. Bundling is off (context
 * `aws:cdk:bundling-stacks` = []): nothing here reads the functions' code.
 */
import { readFileSync } from "node:fs";
import { App, Aspects } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { STACK_NAME } from "../../shared/outputs-file.ts";
import { AuthWorkshopStack } from "./workshop-stack.ts";

type CfnResource = { Type: string; Properties?: Record<string, any> };

const CDK_JSON = new URL("../../cdk.json", import.meta.url);

let stack: AuthWorkshopStack;
let template: Template;
let resources: Record<string, CfnResource>;
let roleId: string;
let poolId: string;

beforeAll(() => {
  const { context } = JSON.parse(readFileSync(CDK_JSON, "utf8")) as { context: Record<string, unknown> };
  const app = new App({ context: { ...context, "aws:cdk:bundling-stacks": [] } });
  stack = new AuthWorkshopStack(app, STACK_NAME, { env: { account: "123456789012", region: "eu-west-1" } });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, CfnResource>;
  roleId = stack.getLogicalId(stack.identityPool.authenticatedRole.node.defaultChild as never);
  poolId = stack.getLogicalId(stack.identityPool.identityPool.node.defaultChild as never);
}, 120_000);

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const logicalIdOf = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

/** Every statement of every AWS::IAM::Policy attached to the identity pool's role. */
function roleStatements(): Record<string, any>[] {
  return ofType("AWS::IAM::Policy")
    .filter(([, policy]) =>
      (policy.Properties?.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })),
    )
    .flatMap(([, policy]) => policy.Properties!.PolicyDocument.Statement as Record<string, any>[]);
}

describe("the identity pool (step 08)", () => {
  it("has the stack's user pool and app client as its only provider, with the server-side token check", () => {
    expect(ofType("AWS::Cognito::IdentityPool")).toHaveLength(1);
    template.hasResourceProperties("AWS::Cognito::IdentityPool", {
      AllowUnauthenticatedIdentities: false,
      AllowClassicFlow: Match.absent(),
      CognitoIdentityProviders: [
        {
          ClientId: { Ref: logicalIdOf(stack.identity.userPoolClient) },
          ProviderName: Match.anyValue(),
          ServerSideTokenCheck: true,
        },
      ],
      SupportedLoginProviders: Match.absent(),
      OpenIdConnectProviderARNs: Match.absent(),
      SamlProviderARNs: Match.absent(),
      DeveloperProviderName: Match.absent(),
    });
  });

  it("has no unauthenticated role: the attachment names the authenticated role only", () => {
    const attachments = ofType("AWS::Cognito::IdentityPoolRoleAttachment");
    expect(attachments).toHaveLength(1);
    expect(attachments[0]![1].Properties).toEqual({
      IdentityPoolId: { Ref: poolId },
      Roles: { authenticated: { "Fn::GetAtt": [roleId, "Arn"] } },
    });
    const trustingCognito = ofType("AWS::IAM::Role").filter(([, role]) =>
      JSON.stringify(role.Properties?.AssumeRolePolicyDocument).includes("cognito-identity.amazonaws.com"),
    );
    expect(trustingCognito.map(([id]) => id)).toEqual([roleId]);
  });

  it("binds the role's trust to this identity pool's authenticated identities, with sts:TagSession", () => {
    expect(resources[roleId]!.Properties!.AssumeRolePolicyDocument.Statement).toEqual([
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

  it("tags each session with tenantId from the ID token's custom:tenantId, for the user pool provider", () => {
    const tags = ofType("AWS::Cognito::IdentityPoolPrincipalTag");
    expect(tags).toHaveLength(1);
    expect(tags[0]![1].Properties).toEqual({
      IdentityPoolId: { Ref: poolId },
      IdentityProviderName: { "Fn::GetAtt": [logicalIdOf(stack.identity.userPool), "ProviderName"] },
      PrincipalTags: { tenantId: "custom:tenantId" },
      UseDefaults: false,
    });
  });

  it("reads the purchases table only in the caller's own partition (LeadingKeys = the principal tag)", () => {
    const dynamo = roleStatements().filter((statement) => JSON.stringify(statement.Action).includes("dynamodb:"));
    expect(dynamo).toEqual([
      {
        Sid: "OwnTenantPartitionOnly",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:Query"],
        Resource: { "Fn::GetAtt": [logicalIdOf(stack.purchasesTable.table), "Arn"] },
        Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["${aws:PrincipalTag/tenantId}"] } },
      },
    ]);
  });

  it("allows no Scan, batch, write or delete, and nothing on the revocation records", () => {
    const statements = roleStatements();
    const actions = statements.flatMap((statement) => [statement.Action].flat() as string[]);
    for (const action of actions) {
      expect(action).not.toMatch(/\*|Scan|Batch|Put|Update|Delete|Transact|PartiQL/);
    }
    const revocations = logicalIdOf(stack.revocations.table);
    expect(JSON.stringify(statements)).not.toContain(revocations);
    expect(statements.every((statement) => statement.Effect === "Allow" && !statement.NotAction)).toBe(true);
  });

  it("may invoke GET /me/iam on this API's stage, and no other method", () => {
    const invoke = roleStatements().filter((statement) => JSON.stringify(statement.Action).includes("execute-api:"));
    expect(invoke).toHaveLength(1);
    expect(invoke[0]!.Action).toBe("execute-api:Invoke");
    const resource = JSON.stringify(invoke[0]!.Resource);
    expect(resource).toContain(`{"Ref":"${logicalIdOf(stack.api.restApi)}"}`);
    expect(resource).toContain(`{"Ref":"${logicalIdOf(stack.api.restApi.deploymentStage)}"}`);
    expect(resource).toMatch(/"\/GET\/me\/iam"\]\]\}$/);
  });

  it("outputs IdentityPoolId", () => {
    template.hasOutput("IdentityPoolId", { Value: { Ref: poolId } });
  });

  it("passes cdk-nag's AwsSolutions pack with no suppression of its own", () => {
    const path = stack.identityPool.node.path;
    const findings = [
      ...Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-")),
      ...Annotations.fromStack(stack).findWarning("*", Match.stringLikeRegexp("AwsSolutions-")),
    ].filter((finding) => finding.id.startsWith(`/${path}`));
    expect(findings).toEqual([]);
    const suppressed = Object.entries(template.toJSON().Resources as Record<string, { Metadata?: unknown }>)
      .filter(([id]) => [roleId, poolId].includes(id) || id.startsWith("IdentityPool"))
      .filter(([, resource]) => JSON.stringify(resource.Metadata ?? {}).includes("cdk_nag"));
    expect(suppressed).toEqual([]);
  });
});
