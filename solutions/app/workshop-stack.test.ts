/**
 * The synthesized AuthWorkshop stack, as CloudFormation will see it. The stack
 * is synthesized once (bundling both functions takes a while) with the same
 * context as `cdk synth` (cdk.json) and the AwsSolutions cdk-nag pack.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Aspects, type CfnElement } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AUTHORIZER,
  authorizationOf,
  CORS,
  FUNCTION_TIMEOUT_SECONDS,
  INTEGRATION_TIMEOUT_MS,
  ROLES,
  ROUTES,
  STAGE_NAME,
  STAGE_THROTTLING,
} from "../../shared/runtime/purchases-api.ts";
import type { FunctionName } from "../../shared/runtime/purchases-api.ts";
import { DEFAULT_CORS_ALLOW_ORIGINS } from "./cors-origins.ts";
import { OUTPUT_KEYS, STACK_NAME } from "../../shared/outputs-file.ts";
import { synthesizeUserPool } from "../../shared/local-stack/cognito/user-pool-definition.ts";
import { revocationRecordLifetimeSeconds } from "../../shared/runtime/token-lifetimes.ts";
import { REVOCATION_KEY, REVOCATION_TTL_ATTRIBUTE } from "../07-sessions/revocations.ts";
import { AuthWorkshopStack } from "./workshop-stack.ts";

type CfnResource = { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string; DependsOn?: string[] };

const CDK_JSON = new URL("../../cdk.json", import.meta.url);

let outdir: string;
let stack: AuthWorkshopStack;
let template: Template;
let annotations: Annotations;
let resources: Record<string, CfnResource>;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), "auth-workshop-synth-"));
  const { context } = JSON.parse(readFileSync(CDK_JSON, "utf8")) as { context: Record<string, unknown> };
  // Any deprecated CDK API the stack uses throws instead of printing a warning.
  const deprecated = process.env.JSII_DEPRECATED;
  process.env.JSII_DEPRECATED = "fail";
  try {
    const app = new App({ outdir, context });
    stack = new AuthWorkshopStack(app, STACK_NAME, { env: { account: "123456789012", region: "eu-west-1" } });
    Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
    template = Template.fromStack(stack);
    annotations = Annotations.fromStack(stack);
  } finally {
    if (deprecated === undefined) delete process.env.JSII_DEPRECATED;
    else process.env.JSII_DEPRECATED = deprecated;
  }
  resources = template.toJSON().Resources as Record<string, CfnResource>;
}, 120_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

// ---- helpers ----------------------------------------------------------------

function ofType(type: string): [string, CfnResource][] {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

function onlyOne(type: string): [string, CfnResource] {
  const found = ofType(type);
  expect(found, `exactly one ${type}`).toHaveLength(1);
  return found[0]!;
}

/** The full path (`/purchases/{purchaseId}`) of an AWS::ApiGateway::Resource, from the template alone. */
function resourcePath(logicalId: string): string {
  const resource = resources[logicalId];
  if (!resource || resource.Type !== "AWS::ApiGateway::Resource")
    throw new Error(`${logicalId} is not an API resource`);
  const parent = resource.Properties!.ParentId;
  const parentPath = parent.Ref ? resourcePath(parent.Ref) : "";
  return `${parentPath}/${resource.Properties!.PathPart}`;
}

function methodRoute(method: CfnResource): string {
  const resourceId = method.Properties!.ResourceId;
  const path = resourceId.Ref ? resourcePath(resourceId.Ref) : "/";
  return `${method.Properties!.HttpMethod} ${path}`;
}

/** The Lambda function whose environment has the variable `name`. */
function functionWithEnv(name: string): [string, CfnResource] {
  const found = ofType("AWS::Lambda::Function").filter(
    ([, fn]) => fn.Properties?.Environment?.Variables?.[name] !== undefined,
  );
  expect(found, `one function with ${name}`).toHaveLength(1);
  return found[0]!;
}

/** The logical ID and template resource of one of the stack's constructs (its CloudFormation resource). */
function resourceOf(construct: IConstruct): [string, CfnResource] {
  const logicalId = stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
  const resource = resources[logicalId];
  expect(resource, `${construct.node.path} is in the template as ${logicalId}`).toBeDefined();
  return [logicalId, resource!];
}

const authorizerFunction = () => resourceOf(stack.authorizerFunction);
const meFunction = () => resourceOf(stack.functions.me);
/** The one AWS::ApiGateway::Authorizer of a type: `TOKEN` (the Lambda authorizer) or `COGNITO_USER_POOLS`. */
function authorizerOfType(type: "TOKEN" | "COGNITO_USER_POOLS"): [string, CfnResource] {
  const found = ofType("AWS::ApiGateway::Authorizer").filter(([, authorizer]) => authorizer.Properties!.Type === type);
  expect(found, `exactly one ${type} authorizer`).toHaveLength(1);
  return found[0]!;
}
const signOutFunction = () => resourceOf(stack.functions.signOut);
const purchasesTable = () => resourceOf(stack.purchasesTable.table);
const revocationsTable = () => resourceOf(stack.revocations.table);

function roleOf(fn: CfnResource): string {
  return fn.Properties!.Role["Fn::GetAtt"][0];
}

function statementsOfRole(roleId: string): any[] {
  const role = resources[roleId]!;
  const inline = (role.Properties?.Policies ?? []).flatMap((policy: any) => policy.PolicyDocument.Statement);
  const attached = ofType("AWS::IAM::Policy")
    .filter(([, policy]) => (policy.Properties!.Roles ?? []).some((ref: any) => ref.Ref === roleId))
    .flatMap(([, policy]) => policy.Properties!.PolicyDocument.Statement);
  return [...inline, ...attached];
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The staged bundle of a function: cdk.out/asset.<hash>/index.mjs. */
function bundleOf(fn: CfnResource): { path: string; code: string; bytes: number } {
  const key: string = fn.Properties!.Code.S3Key;
  const path = join(outdir, `asset.${key.replace(/\.zip$/, "")}`, "index.mjs");
  expect(existsSync(path), `${path} exists`).toBe(true);
  return { path, code: readFileSync(path, "utf8"), bytes: statSync(path).size };
}

/** Every module the bundle still imports at run time (static, dynamic and require). */
function runtimeImports(code: string): Set<string> {
  const specifiers = new Set<string>();
  for (const pattern of [
    /\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
  ]) {
    for (const match of code.matchAll(pattern)) specifiers.add(match[1]!);
  }
  return specifiers;
}

const isNodeBuiltin = (specifier: string) => specifier.startsWith("node:") || builtinModules.includes(specifier);

// ---- identity ---------------------------------------------------------------

describe("user pool", () => {
  it("signs in with email, self sign-up confirmed by email, is destroyed with the stack", () => {
    const [, pool] = onlyOne("AWS::Cognito::UserPool");
    expect(pool.Properties!.UsernameAttributes).toEqual(["email"]);
    expect(pool.Properties!.AutoVerifiedAttributes).toEqual(["email"]);
    expect(pool.Properties!.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(false);
    expect(pool.Properties!.AccountRecoverySetting.RecoveryMechanisms).toEqual([
      { Name: "verified_email", Priority: 1 },
    ]);
    expect(pool.DeletionPolicy).toBe("Delete");
  });

  it("has a strong password policy", () => {
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: Match.anyValue(),
        },
      },
    });
  });

  it("offers optional TOTP MFA and no SMS", () => {
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      MfaConfiguration: "OPTIONAL",
      EnabledMfas: ["SOFTWARE_TOKEN_MFA"],
    });
  });

  it("requires email and has an immutable custom tenantId", () => {
    const [, pool] = onlyOne("AWS::Cognito::UserPool");
    const schema: any[] = pool.Properties!.Schema;
    expect(schema).toContainEqual(expect.objectContaining({ Name: "email", Required: true }));
    const tenantId = schema.find((attribute) => attribute.Name === "tenantId");
    expect(tenantId).toMatchObject({ AttributeDataType: "String", Mutable: false });
    expect(Number(tenantId.StringAttributeConstraints.MinLength)).toBeGreaterThanOrEqual(1);
    expect(Number(tenantId.StringAttributeConstraints.MaxLength)).toBeLessThanOrEqual(256);
  });

  it("has one group per role", () => {
    const names = ofType("AWS::Cognito::UserPoolGroup").map(([, group]) => group.Properties!.GroupName);
    expect(names.sort()).toEqual([...ROLES].sort());
  });
});

describe("app client", () => {
  it("has no secret and allows USER_PASSWORD_AUTH and refresh", () => {
    const [, client] = onlyOne("AWS::Cognito::UserPoolClient");
    expect(client.Properties!.GenerateSecret ?? false).toBe(false);
    expect(client.Properties!.ExplicitAuthFlows).toEqual(
      expect.arrayContaining(["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]),
    );
    expect(client.Properties!.PreventUserExistenceErrors).toBe("ENABLED");
  });

  it("issues ID and access tokens for 1 hour and refresh tokens for 30 days", () => {
    const [, client] = onlyOne("AWS::Cognito::UserPoolClient");
    const minutes = { minutes: 1, hours: 60, days: 24 * 60 } as Record<string, number>;
    const units = client.Properties!.TokenValidityUnits;
    const lifetime = (value: string, unit: string) => Number(client.Properties![value]) * minutes[units[unit]]!;
    expect(lifetime("IdTokenValidity", "IdToken")).toBe(60);
    expect(lifetime("AccessTokenValidity", "AccessToken")).toBe(60);
    expect(lifetime("RefreshTokenValidity", "RefreshToken")).toBe(30 * 24 * 60);
  });

  it("can read custom:tenantId but never write it", () => {
    const [, client] = onlyOne("AWS::Cognito::UserPoolClient");
    expect(client.Properties!.ReadAttributes).toEqual(expect.arrayContaining(["custom:tenantId", "email"]));
    expect(client.Properties!.WriteAttributes).toBeDefined();
    expect(client.Properties!.WriteAttributes).not.toContain("custom:tenantId");
    expect((client.Properties!.WriteAttributes as string[]).filter((name) => name.startsWith("custom:"))).toEqual([]);
  });
});

// ---- data -------------------------------------------------------------------

describe("purchases table", () => {
  it("is keyed by tenant, on demand, with PITR and encryption, destroyed with the stack", () => {
    const [, table] = purchasesTable();
    expect(table.Properties!.KeySchema).toEqual([
      { AttributeName: "tenantId", KeyType: "HASH" },
      { AttributeName: "purchaseId", KeyType: "RANGE" },
    ]);
    expect(table.Properties!.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: "tenantId", AttributeType: "S" },
        { AttributeName: "purchaseId", AttributeType: "S" },
      ]),
    );
    expect(table.Properties!.BillingMode).toBe("PAY_PER_REQUEST");
    expect(table.Properties!.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties!.SSESpecification?.SSEEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe("Delete");
  });

  it("the purchases function may touch only the table, with the five item actions and never Scan", () => {
    const [tableId] = purchasesTable();
    const [, fn] = functionWithEnv("TABLE_NAME");
    expect(fn.Properties!.Environment.Variables.TABLE_NAME).toEqual({ Ref: tableId });

    const roleId = roleOf(fn);
    expect(resources[roleId]!.Properties!.ManagedPolicyArns ?? []).toEqual([]);
    const statements = statementsOfRole(roleId);
    const dynamo = statements.filter((statement) =>
      asArray(statement.Action).some((action: string) => action.startsWith("dynamodb:")),
    );
    const actions = dynamo.flatMap((statement) => asArray(statement.Action));
    expect(new Set(actions)).toEqual(
      new Set(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"]),
    );
    expect(actions).not.toContain("dynamodb:Scan");
    expect(actions.filter((action) => action.includes("*"))).toEqual([]);
    for (const statement of dynamo) {
      expect(statement.Effect).toBe("Allow");
      expect(statement.Condition).toBeUndefined();
      expect(asArray(statement.Resource)).toEqual([{ "Fn::GetAtt": [tableId, "Arn"] }]);
    }
  });

  it("no identity in the stack can Scan or use dynamodb:*", () => {
    const everyStatement = [...ofType("AWS::IAM::Policy"), ...ofType("AWS::IAM::Role")].flatMap(([, resource]) => [
      ...(resource.Properties?.PolicyDocument?.Statement ?? []),
      ...(resource.Properties?.Policies ?? []).flatMap((policy: any) => policy.PolicyDocument.Statement),
    ]);
    const actions = everyStatement.flatMap((statement) => asArray(statement.Action ?? []));
    expect(actions).not.toContain("dynamodb:Scan");
    expect(actions.filter((action: string) => /^dynamodb:.*\*/.test(action) || action === "*")).toEqual([]);
  });
});

describe("session revocations (step 07)", () => {
  /** Every statement of a function's role but its log group's (each function's logs are tested below). */
  const nonLogStatements = (fn: CfnResource) =>
    statementsOfRole(roleOf(fn)).filter(
      (statement) => !asArray(statement.Action).every((action: string) => action.startsWith("logs:")),
    );

  it("the stack has two tables: the purchases and the revocation records", () => {
    expect(
      ofType("AWS::DynamoDB::Table")
        .map(([id]) => id)
        .sort(),
    ).toEqual([purchasesTable()[0], revocationsTable()[0]].sort());
  });

  it("the revocations table is keyed by pk alone, expires records on expiresAt, on demand, PITR, encrypted, destroyed with the stack", () => {
    // The names revocations.ts reads and writes (the construct takes them from there).
    expect([REVOCATION_KEY, REVOCATION_TTL_ATTRIBUTE]).toEqual(["pk", "expiresAt"]);
    const [, table] = revocationsTable();
    expect(table.Properties!.KeySchema).toEqual([{ AttributeName: "pk", KeyType: "HASH" }]);
    expect(table.Properties!.AttributeDefinitions).toEqual([{ AttributeName: "pk", AttributeType: "S" }]);
    expect(table.Properties!.TimeToLiveSpecification).toEqual({ AttributeName: "expiresAt", Enabled: true });
    expect(table.Properties!.BillingMode).toBe("PAY_PER_REQUEST");
    expect(table.Properties!.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties!.SSESpecification?.SSEEnabled).toBe(true);
    expect(table.Properties!.GlobalSecondaryIndexes).toBeUndefined();
    expect(table.DeletionPolicy).toBe("Delete");
  });

  it("the authorizer may only GetItem on the revocations table: no PutItem, no Scan, nothing else", () => {
    const [revocationsId] = revocationsTable();
    const statements = nonLogStatements(authorizerFunction()[1]);
    expect(statements).toEqual([
      { Action: "dynamodb:GetItem", Effect: "Allow", Resource: { "Fn::GetAtt": [revocationsId, "Arn"] } },
    ]);
    const actions = statements.flatMap((statement) => asArray(statement.Action));
    expect(actions).not.toContain("dynamodb:PutItem");
    expect(actions).not.toContain("dynamodb:Scan");
    expect(resources[roleOf(authorizerFunction()[1])]!.Properties!.ManagedPolicyArns ?? []).toEqual([]);
  });

  it("the sign-out function may PutItem on the revocations table and AdminUserGlobalSignOut on this pool, nothing more", () => {
    const [revocationsId] = revocationsTable();
    const [poolId] = onlyOne("AWS::Cognito::UserPool");
    const statements = nonLogStatements(signOutFunction()[1]);
    expect(statements).toEqual(
      expect.arrayContaining([
        { Action: "dynamodb:PutItem", Effect: "Allow", Resource: { "Fn::GetAtt": [revocationsId, "Arn"] } },
        { Action: "cognito-idp:AdminUserGlobalSignOut", Effect: "Allow", Resource: { "Fn::GetAtt": [poolId, "Arn"] } },
      ]),
    );
    expect(statements).toHaveLength(2);
    for (const statement of statements) {
      expect(statement.Condition).toBeUndefined();
      expect(asArray(statement.Resource)).not.toContain("*");
      for (const action of asArray(statement.Action)) {
        expect(action).not.toMatch(/\*/);
        expect(action).not.toBe("cognito-idp:*");
      }
    }
    expect(resources[roleOf(signOutFunction()[1])]!.Properties!.ManagedPolicyArns ?? []).toEqual([]);
  });

  it("no other role may touch the revocations table or sign users out", () => {
    const [revocationsId] = revocationsTable();
    const allowed = new Set([roleOf(authorizerFunction()[1]), roleOf(signOutFunction()[1])]);
    for (const [roleId] of ofType("AWS::IAM::Role").filter(([id]) => !allowed.has(id))) {
      const json = JSON.stringify(statementsOfRole(roleId));
      expect(json, roleId).not.toContain(`"${revocationsId}"`);
      expect(json, roleId).not.toContain("cognito-idp:");
    }
  });
});

// ---- functions --------------------------------------------------------------

describe("functions", () => {
  it("run on the latest Node.js on arm64, with 256 MB, the shared timeouts and source maps", () => {
    const functions = ofType("AWS::Lambda::Function");
    // The API's functions (purchases, sign-out, me) and the authorizer.
    expect(functions).toHaveLength(Object.keys(stack.functions).length + 1);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        MemorySize: 256,
        Handler: "index.handler",
      });
      expect(fn.Properties!.Environment.Variables.NODE_OPTIONS).toBe("--enable-source-maps");
    }
  });

  it("time out after the shared settings' seconds (the local gateway enforces the same)", () => {
    expect(functionWithEnv("TABLE_NAME")[1].Properties!.Timeout).toBe(FUNCTION_TIMEOUT_SECONDS.purchases);
    expect(authorizerFunction()[1].Properties!.Timeout).toBe(FUNCTION_TIMEOUT_SECONDS.authorizer);
    expect(signOutFunction()[1].Properties!.Timeout).toBe(FUNCTION_TIMEOUT_SECONDS.signOut);
    expect(meFunction()[1].Properties!.Timeout).toBe(FUNCTION_TIMEOUT_SECONDS.me);
  });

  it("each logs to its own log group and may write to it only", () => {
    for (const [, fn] of ofType("AWS::Lambda::Function")) {
      const logGroupId: string = fn.Properties!.LoggingConfig.LogGroup.Ref;
      expect(resources[logGroupId]!.Type).toBe("AWS::Logs::LogGroup");
      const logs = statementsOfRole(roleOf(fn)).filter((statement) =>
        asArray(statement.Action).some((action: string) => action.startsWith("logs:")),
      );
      for (const statement of logs)
        expect(asArray(statement.Resource)).toEqual([{ "Fn::GetAtt": [logGroupId, "Arn"] }]);
      expect(resources[roleOf(fn)]!.Properties!.ManagedPolicyArns ?? []).toEqual([]);
    }
  });

  it("the authorizer knows the user pool, the app client and the revocations table", () => {
    const [poolId] = onlyOne("AWS::Cognito::UserPool");
    const [clientId] = onlyOne("AWS::Cognito::UserPoolClient");
    const [revocationsId] = revocationsTable();
    const [, fn] = authorizerFunction();
    expect(fn.Properties!.Environment.Variables).toEqual({
      USER_POOL_ID: { Ref: poolId },
      USER_POOL_CLIENT_ID: { Ref: clientId },
      REVOCATIONS_TABLE_NAME: { Ref: revocationsId },
      NODE_OPTIONS: "--enable-source-maps",
    });
  });

  it("the sign-out function knows the revocations table, the pool, the client, the records' lifetime and CORS", () => {
    const [poolId] = onlyOne("AWS::Cognito::UserPool");
    const [clientId] = onlyOne("AWS::Cognito::UserPoolClient");
    const [revocationsId] = revocationsTable();
    const [, fn] = signOutFunction();
    expect(fn.Properties!.Environment.Variables).toEqual({
      REVOCATIONS_TABLE_NAME: { Ref: revocationsId },
      USER_POOL_ID: { Ref: poolId },
      USER_POOL_CLIENT_ID: { Ref: clientId },
      REVOCATION_RECORD_LIFETIME_SECONDS: expect.any(String),
      CORS_ALLOW_ORIGIN: DEFAULT_CORS_ALLOW_ORIGINS[0],
      NODE_OPTIONS: "--enable-source-maps",
    });
  });

  it("revocation records live as long as a token can: 30 days of refresh token plus an hour of ID token, as locally", () => {
    const lifetime = Number(signOutFunction()[1].Properties!.Environment.Variables.REVOCATION_RECORD_LIFETIME_SECONDS);
    expect(lifetime).toBe(30 * 86_400 + 3_600);
    // The local stack computes it from the synthesized TenantUserPool: the two cannot disagree.
    expect(lifetime).toBe(revocationRecordLifetimeSeconds(synthesizeUserPool().client));
  });

  it("every log group has a retention and goes with the stack", () => {
    const groups = ofType("AWS::Logs::LogGroup");
    // three functions, access logs, execution logs
    expect(groups.length).toBeGreaterThanOrEqual(5);
    for (const [, group] of groups) {
      expect(group.Properties!.RetentionInDays).toBeGreaterThan(0);
      expect(group.DeletionPolicy).toBe("Delete");
    }
  });
});

describe("bundles", () => {
  it("the authorizer is a small ES module that takes only the DynamoDB clients from the runtime's AWS SDK", () => {
    const [, fn] = authorizerFunction();
    const bundle = bundleOf(fn);
    console.info(`authorizer bundle: ${(bundle.bytes / 1024).toFixed(1)} KiB minified (${bundle.path})`);
    expect(bundle.code).toMatch(/^import\s*\{\s*createRequire\s*\}\s*from\s*["']module["']/);
    expect(bundle.code).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
    // Step 07's session check reads the revocation records: the SDK's DynamoDB clients come from the
    // Lambda runtime, imported, never embedded (the size limit below would catch an embedded SDK).
    const sdk = new Set(["@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb"]);
    for (const specifier of runtimeImports(bundle.code))
      expect(isNodeBuiltin(specifier) || sdk.has(specifier), `imports ${specifier}`).toBe(true);
    expect(bundle.code).not.toMatch(/["']aws-sdk["']/);
    expect(bundle.bytes).toBeLessThan(100 * 1024);
  });

  it("the sign-out function bundles everything but the runtime's AWS SDK", () => {
    const [, fn] = signOutFunction();
    const bundle = bundleOf(fn);
    console.info(`sign-out bundle: ${(bundle.bytes / 1024).toFixed(1)} KiB minified (${bundle.path})`);
    expect(bundle.code).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
    const imports = runtimeImports(bundle.code);
    expect(imports).toContain("@aws-sdk/lib-dynamodb");
    expect(imports).toContain("@aws-sdk/client-cognito-identity-provider");
    for (const specifier of imports) {
      expect(isNodeBuiltin(specifier) || specifier.startsWith("@aws-sdk/"), `imports ${specifier}`).toBe(true);
    }
  });

  it("the purchases function bundles everything but the runtime's AWS SDK", () => {
    const [, fn] = functionWithEnv("TABLE_NAME");
    const bundle = bundleOf(fn);
    console.info(`purchases bundle: ${(bundle.bytes / 1024).toFixed(1)} KiB minified (${bundle.path})`);
    expect(bundle.code).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
    // The SDK comes from the Lambda runtime, so it is imported, not embedded.
    expect(runtimeImports(bundle.code)).toContain("@aws-sdk/lib-dynamodb");
    for (const specifier of runtimeImports(bundle.code)) {
      expect(isNodeBuiltin(specifier) || specifier.startsWith("@aws-sdk/"), `imports ${specifier}`).toBe(true);
    }
  });
});

// ---- API --------------------------------------------------------------------

describe("REST API", () => {
  it("has one method per route, each behind the authorizer ROUTES names (the TOKEN authorizer by default)", () => {
    const [tokenAuthorizerId] = authorizerOfType("TOKEN");
    const [userPoolAuthorizerId] = authorizerOfType("COGNITO_USER_POOLS");
    expect(ofType("AWS::ApiGateway::Authorizer")).toHaveLength(2);
    const methods = ofType("AWS::ApiGateway::Method").filter(
      ([, method]) => method.Properties!.HttpMethod !== "OPTIONS",
    );
    expect(methods.map(([, method]) => methodRoute(method)).sort()).toEqual(
      ROUTES.map((route) => `${route.method} ${route.path}`).sort(),
    );
    const expected = {
      lambda: { AuthorizationType: "CUSTOM", AuthorizerId: { Ref: tokenAuthorizerId } },
      "cognito-user-pools": { AuthorizationType: "COGNITO_USER_POOLS", AuthorizerId: { Ref: userPoolAuthorizerId } },
      iam: { AuthorizationType: "AWS_IAM", AuthorizerId: undefined },
    };
    for (const [, method] of methods) {
      const route = ROUTES.find((r) => `${r.method} ${r.path}` === methodRoute(method))!;
      const { AuthorizationType, AuthorizerId } = method.Properties!;
      expect({ AuthorizationType, AuthorizerId }, methodRoute(method)).toEqual(expected[authorizationOf(route)]);
      expect(method.Properties!.Integration.Type).toBe("AWS_PROXY");
      expect(method.Properties!.Integration.TimeoutInMillis).toBe(INTEGRATION_TIMEOUT_MS);
    }
  });

  it("routes each method to the function ROUTES names", () => {
    const functionIds = Object.fromEntries(
      Object.entries(stack.functions).map(([name, fn]) => [name, resourceOf(fn)[0]]),
    ) as Record<FunctionName, string>;
    expect(functionIds.purchases).toBe(functionWithEnv("TABLE_NAME")[0]);
    for (const [, method] of ofType("AWS::ApiGateway::Method").filter(
      ([, m]) => m.Properties!.HttpMethod !== "OPTIONS",
    )) {
      const route = ROUTES.find((r) => `${r.method} ${r.path}` === methodRoute(method))!;
      const uri = JSON.stringify(method.Properties!.Integration.Uri);
      expect(uri).toContain(`"${functionIds[route.function]}"`);
      for (const [name, id] of Object.entries(functionIds))
        if (name !== route.function) expect(uri, `${methodRoute(method)} is not ${name}`).not.toContain(`"${id}"`);
    }
  });

  it("POST /sign-out is behind the TOKEN authorizer and calls the sign-out function", () => {
    const [authorizerId] = authorizerOfType("TOKEN");
    const [signOutId] = signOutFunction();
    const signOut = ofType("AWS::ApiGateway::Method").filter(([, m]) => methodRoute(m) === "POST /sign-out");
    expect(signOut).toHaveLength(1);
    const [, method] = signOut[0]!;
    expect(method.Properties).toMatchObject({ AuthorizationType: "CUSTOM", AuthorizerId: { Ref: authorizerId } });
    expect(method.Properties!.Integration.Type).toBe("AWS_PROXY");
    expect(JSON.stringify(method.Properties!.Integration.Uri)).toContain(`"${signOutId}"`);
  });

  it("authorizer: TOKEN on the Authorization header, results cached 300 s", () => {
    const [, authorizer] = authorizerOfType("TOKEN");
    expect(authorizer.Properties).toMatchObject({
      Type: "TOKEN",
      IdentitySource: `method.request.header.${AUTHORIZER.identityHeader}`,
      AuthorizerResultTtlInSeconds: AUTHORIZER.resultsCacheTtlSeconds,
    });
    expect(AUTHORIZER.resultsCacheTtlSeconds).toBe(300);
    const [authorizerFunctionId] = authorizerFunction();
    expect(JSON.stringify(authorizer.Properties!.AuthorizerUri)).toContain(`"${authorizerFunctionId}"`);
  });

  it("step 08: GET /me behind the TOKEN authorizer, /me/cognito behind the user pool's authorizer, /me/iam AWS_IAM; all call the me function", () => {
    const [tokenAuthorizerId] = authorizerOfType("TOKEN");
    const [userPoolAuthorizerId, userPoolAuthorizer] = authorizerOfType("COGNITO_USER_POOLS");
    const [meId] = meFunction();
    const method = (route: string) => {
      const found = ofType("AWS::ApiGateway::Method").filter(([, m]) => methodRoute(m) === route);
      expect(found, route).toHaveLength(1);
      expect(JSON.stringify(found[0]![1].Properties!.Integration.Uri), route).toContain(`"${meId}"`);
      return found[0]![1].Properties!;
    };
    expect(method("GET /me")).toMatchObject({ AuthorizationType: "CUSTOM", AuthorizerId: { Ref: tokenAuthorizerId } });
    const cognito = method("GET /me/cognito");
    expect(cognito).toMatchObject({
      AuthorizationType: "COGNITO_USER_POOLS",
      AuthorizerId: { Ref: userPoolAuthorizerId },
    });
    // No scopes: API Gateway then accepts the pool's ID tokens and refuses its access tokens.
    expect(cognito.AuthorizationScopes).toBeUndefined();
    const iam = method("GET /me/iam");
    expect(iam.AuthorizationType).toBe("AWS_IAM");
    expect(iam.AuthorizerId).toBeUndefined();

    const [userPoolId] = resourceOf(stack.identity.userPool);
    expect(userPoolAuthorizer.Properties).toMatchObject({
      IdentitySource: `method.request.header.${AUTHORIZER.identityHeader}`,
      ProviderARNs: [{ "Fn::GetAtt": [userPoolId, "Arn"] }],
    });
  });

  it("the me function may write its logs and nothing else", () => {
    const [, me] = meFunction();
    const actions = statementsOfRole(roleOf(me)).flatMap((statement) => asArray(statement.Action));
    expect(actions.filter((action: string) => !action.startsWith("logs:"))).toEqual([]);
    expect(me.Properties!.Environment.Variables).toEqual({
      CORS_ALLOW_ORIGIN: DEFAULT_CORS_ALLOW_ORIGINS[0],
      NODE_OPTIONS: "--enable-source-maps",
    });
  });

  it("only the CORS preflights are unauthenticated", () => {
    const open = ofType("AWS::ApiGateway::Method").filter(
      ([, method]) => (method.Properties!.AuthorizationType ?? "NONE") === "NONE",
    );
    expect(open.length).toBe(new Set(ROUTES.map((route) => route.path)).size);
    for (const [, method] of open) {
      expect(method.Properties!.HttpMethod).toBe("OPTIONS");
      expect(method.Properties!.Integration.Type).toBe("MOCK");
      const headers = method.Properties!.Integration.IntegrationResponses[0].ResponseParameters;
      expect(headers["method.response.header.Access-Control-Allow-Origin"]).toBe(`'${DEFAULT_CORS_ALLOW_ORIGINS[0]}'`);
      expect(headers["method.response.header.Access-Control-Allow-Headers"]).toBe(`'${CORS.allowHeaders.join(",")}'`);
      expect(headers["method.response.header.Access-Control-Max-Age"]).toBe(`'${CORS.maxAgeSeconds}'`);
    }
  });

  it("API Gateway's own 4XX and 5XX carry the CORS header", () => {
    for (const type of ["DEFAULT_4XX", "DEFAULT_5XX"]) {
      template.hasResourceProperties("AWS::ApiGateway::GatewayResponse", {
        ResponseType: type,
        ResponseParameters: {
          "gatewayresponse.header.Access-Control-Allow-Origin": `'${DEFAULT_CORS_ALLOW_ORIGINS[0]}'`,
        },
      });
    }
  });

  it("stage: access logs as JSON, execution logs without data trace, throttling, metrics, tracing", () => {
    const [, stage] = onlyOne("AWS::ApiGateway::Stage");
    expect(stage.Properties!.StageName).toBe(STAGE_NAME);
    expect(stage.Properties!.TracingEnabled).toBe(true);
    const access = stage.Properties!.AccessLogSetting;
    expect(access.DestinationArn).toBeDefined();
    const format = JSON.parse(access.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: "$context.requestId",
      status: "$context.status",
      ip: "$context.identity.sourceIp",
    });
    expect(stage.Properties!.MethodSettings).toContainEqual(
      expect.objectContaining({
        HttpMethod: "*",
        ResourcePath: "/*",
        LoggingLevel: "INFO",
        DataTraceEnabled: false,
        MetricsEnabled: true,
        ThrottlingRateLimit: STAGE_THROTTLING.rateLimit,
        ThrottlingBurstLimit: STAGE_THROTTLING.burstLimit,
      }),
    );
  });

  it("has a regional endpoint", () => {
    template.hasResourceProperties("AWS::ApiGateway::RestApi", { EndpointConfiguration: { Types: ["REGIONAL"] } });
  });
});

// ---- outputs and compliance ---------------------------------------------------

describe("stack", () => {
  it("outputs exactly the keys the outputs file promises", () => {
    expect(Object.keys(template.findOutputs("*")).sort()).toEqual([...OUTPUT_KEYS].sort());
    const [apiId] = onlyOne("AWS::ApiGateway::RestApi");
    expect(JSON.stringify(template.findOutputs("ApiUrl"))).toContain(`"${apiId}"`);
  });

  it("keeps the logical IDs already deployed (a new ID makes CloudFormation replace the resource)", () => {
    const deployed = [
      "IdentityUserPool96FE3B9B",
      "IdentityUserPoolAppClientCFFB7503",
      "PurchasesTable090EA98E",
      "PurchasesFunction4E1AD6B0",
      "AuthorizerFunctionB4DBAA43",
      "PurchasesFunctionLogs40433DA7",
      "AuthorizerFunctionLogsBF52B654",
      "PurchasesApiCFE45B16",
      "PurchasesApiDeploymentStageprodFB68424D",
      "TokenAuthorizer82AECDDC",
      "ApiAccessLogsE9DF007D",
      "ApiExecutionLogs66FBF5B8",
    ];
    expect(deployed.filter((logicalId) => !(logicalId in resources))).toEqual([]);
  });

  it("has no unsuppressed AwsSolutions (cdk-nag) errors", () => {
    const errors = annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*"));
    expect(errors.map((error) => `${error.id}: ${String(error.entry.data).split("\n")[0]}`)).toEqual([]);
  });

  it("has no unsuppressed AwsSolutions (cdk-nag) warnings", () => {
    const warnings = annotations.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"));
    expect(warnings.map((warning) => `${warning.id}: ${String(warning.entry.data).split("\n")[0]}`)).toEqual([]);
  });

  it("has no warnings at all (deprecations included)", () => {
    const warnings = annotations.findWarning("*", Match.anyValue());
    expect(warnings.map((warning) => `${warning.id}: ${String(warning.entry.data).split("\n")[0]}`)).toEqual([]);
  });
});
