/**
 * IAM on the local stack (issue 13), wired from the synthesized template:
 *
 * - one CredentialsRegistry for every local caller: each local function's
 *   role (credentials registered for the role the template gives it), the
 *   identity pool's sessions, and the operator (LOCAL_CREDENTIALS);
 * - the DynamoDB IAM gate in front of dynalite: every call SigV4-verified and
 *   evaluated against the caller's role's policies, read from the template
 *   with `rolePolicyDocuments`, so the local check cannot drift from the
 *   deployed roles;
 * - the identity pool emulator: the template's identity pool (its provider,
 *   its authenticated role, its principal-tag mapping), ID tokens verified
 *   with aws-jwt-verify's CognitoJwtVerifier against the local pool's JWKS,
 *   as the authorizer verifies them;
 * - `policiesForRole`, for the gateway's AWS_IAM routes.
 *
 * The operator: scripts and tests that create tables, read them back or clean
 * up sign with LOCAL_CREDENTIALS, as an administrator would on AWS. The key is
 * registered as a session of the role LocalOperator, whose only policy allows
 * everything (OPERATOR_POLICY). Those keys are long-lived, have no session
 * token and never expire, like an IAM user's access key.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { startIdentityPoolEmulator } from "./cognito-identity/identity-pool-emulator.ts";
import { rolePolicyDocuments, staticResolver, type CloudFormationTemplate } from "./iam/cloudformation-policies.ts";
import {
  CredentialsRegistry,
  type AssumedRoleSession,
  type RegisteredCredentials,
} from "./iam/credentials-registry.ts";
import { startDynamoDbIamGate, type GateDecision } from "./iam/dynamodb-iam-gate.ts";
import { LOCAL_CREDENTIALS, LOCAL_OPERATOR_ROLE_ARN, OPERATOR_POLICY } from "./local-credentials.ts";
import type { WorkshopTemplate } from "./workshop-template.ts";

export interface LocalIamOptions {
  workshop: WorkshopTemplate;
  region: string;
  accountId: string;
  /** dynalite's endpoint, behind the gate. */
  dynamoDbUpstream: string;
  /** The local names of what the template's logical ids stand for. */
  names: {
    purchasesTable: string;
    revocationsTable: string;
    userPoolId: string;
    userPoolClientId: string;
    apiId: string;
    stage: string;
  };
  /** The local user pool's JWKS (the verifier still checks Cognito's issuer). */
  jwksUrl: string;
  /** Told of every decision of the DynamoDB gate. */
  onDecision?: (decision: GateDecision) => void;
}

export interface LocalIam {
  credentials: CredentialsRegistry;
  /** The gate: the DynamoDB endpoint every local caller uses. */
  dynamoDbEndpoint: string;
  cognitoIdentityEndpoint: string;
  identityPoolId: string;
  /** The credentials a local function signs with: its own role's, as on Lambda. */
  functionCredentials(name: string): { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** The role ARN the local stack gives a template role (`arn:aws:iam::<account>:role/AuthWorkshop-<logicalId>`). */
  roleArnOf(logicalId: string): string;
  /** A role's identity-based policies, as the template has them (intrinsics resolved); none for an unknown role. */
  policiesForRole(roleArn: string): readonly unknown[];
  close(): Promise<void>;
}

export async function startLocalIam(options: LocalIamOptions): Promise<LocalIam> {
  const { template, ids } = options.workshop;
  const { region, accountId, names } = options;
  const roleArnOf = (logicalId: string) => `arn:aws:iam::${accountId}:role/AuthWorkshop-${logicalId}`;
  const resolver = staticResolver(template, {
    region,
    accountId,
    refs: {
      [ids.purchasesTable]: names.purchasesTable,
      [ids.revocationsTable]: names.revocationsTable,
      [ids.userPool]: names.userPoolId,
      [ids.restApi]: names.apiId,
      [ids.stage]: names.stage,
    },
    attributes: {
      [`${ids.userPool}.Arn`]: `arn:aws:cognito-idp:${region}:${accountId}:userpool/${names.userPoolId}`,
      // Each function's log group, which the local stack does not have: a name of its own, matching nothing else.
      ...Object.fromEntries(
        Object.entries(template.Resources)
          .filter(([, resource]) => resource.Type === "AWS::Logs::LogGroup")
          .map(([id]) => [`${id}.Arn`, `arn:aws:logs:${region}:${accountId}:log-group:/local/${id}:*`]),
      ),
    },
  });

  const identityPool = identityPoolOf(template);
  const policies = new Map<string, readonly unknown[]>([[LOCAL_OPERATOR_ROLE_ARN, [OPERATOR_POLICY]]]);
  for (const logicalId of [...Object.values(ids.functionRoles), identityPool.roleLogicalId]) {
    policies.set(roleArnOf(logicalId), rolePolicyDocuments(template, logicalId, resolver));
  }
  const policiesForRole = (roleArn: string) => policies.get(roleArn) ?? [];

  const credentials = new CredentialsRegistry();
  credentials.register({
    ...LOCAL_CREDENTIALS,
    session: { roleArn: LOCAL_OPERATOR_ROLE_ARN, sessionName: "local-operator", principalTags: {} },
  });
  const byFunction = new Map<string, RegisteredCredentials>();
  for (const [name, logicalId] of Object.entries(ids.functionRoles)) {
    // Lambda's credentials rotate and expire; a local function's last as long as the stack.
    const session: AssumedRoleSession = { roleArn: roleArnOf(logicalId), sessionName: name, principalTags: {} };
    const issued: RegisteredCredentials = {
      accessKeyId: `ASIA${randomBytes(8).toString("hex").toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: randomBytes(64).toString("base64"),
      session,
    };
    credentials.register(issued);
    byFunction.set(name, issued);
  }

  const gate = await startDynamoDbIamGate({
    upstream: options.dynamoDbUpstream,
    region,
    accountId,
    credentials,
    policiesFor: (session) => policiesForRole(session.roleArn),
    onDecision: options.onDecision,
  });

  const identityPoolId = `${region}:${randomUUID()}`;
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: names.userPoolId, clientId: names.userPoolClientId, tokenUse: "id" },
    { jwksCache: jwksCacheFetchingFrom(options.jwksUrl) },
  );
  let emulator;
  try {
    emulator = await startIdentityPoolEmulator({
      identityPoolId,
      providers: { [`cognito-idp.${region}.amazonaws.com/${names.userPoolId}`]: names.userPoolClientId },
      roleArn: roleArnOf(identityPool.roleLogicalId),
      principalTags: identityPool.principalTags,
      verify: (idToken) => verifier.verify(idToken) as Promise<Record<string, unknown>>,
      credentials,
    });
  } catch (error) {
    await gate.close();
    throw error;
  }
  const identityPoolEmulator = emulator;

  return {
    credentials,
    dynamoDbEndpoint: gate.endpoint,
    cognitoIdentityEndpoint: identityPoolEmulator.endpoint,
    identityPoolId,
    functionCredentials(name) {
      const found = byFunction.get(name);
      if (!found) throw new Error(`the template has no function ${name} (it has ${[...byFunction.keys()].join(", ")})`);
      return {
        accessKeyId: found.accessKeyId,
        secretAccessKey: found.secretAccessKey,
        sessionToken: found.sessionToken,
      };
    },
    roleArnOf,
    policiesForRole,
    async close() {
      await Promise.all([gate.close(), identityPoolEmulator.close()]);
    },
  };
}

interface IdentityPoolDefinition {
  roleLogicalId: string;
  /** Principal tag ← claim. */
  principalTags: Record<string, string>;
}

/**
 * The template's one identity pool, as the emulator can play it: authenticated
 * identities only, one default role, a custom principal-tag map. Anything
 * else is refused here rather than played differently.
 */
export function identityPoolOf(template: CloudFormationTemplate): IdentityPoolDefinition {
  const resources = Object.entries(template.Resources ?? {});
  const only = (type: string) => {
    const found = resources.filter(([, resource]) => resource.Type === type);
    if (found.length !== 1)
      throw new Error(`the local identity pool needs exactly one ${type}, the template has ${found.length}`);
    return found[0]![1].Properties ?? {};
  };
  const pool = only("AWS::Cognito::IdentityPool");
  if (pool.AllowUnauthenticatedIdentities) {
    throw new Error("the local identity pool has no unauthenticated identities; the template allows them");
  }
  const attachment = only("AWS::Cognito::IdentityPoolRoleAttachment");
  const roles = (attachment.Roles ?? {}) as Record<string, unknown>;
  if (roles.unauthenticated !== undefined || attachment.RoleMappings !== undefined) {
    throw new Error("the local identity pool plays one authenticated role, without role mappings or a guest role");
  }
  const authenticated = roles.authenticated as { "Fn::GetAtt"?: [string, string] } | undefined;
  const roleLogicalId = authenticated?.["Fn::GetAtt"]?.[0];
  if (!roleLogicalId || authenticated?.["Fn::GetAtt"]?.[1] !== "Arn") {
    throw new Error("the identity pool's authenticated role is not a role of this template");
  }
  const tags = only("AWS::Cognito::IdentityPoolPrincipalTag");
  if (tags.UseDefaults) throw new Error("the local identity pool does not play the default principal-tag mappings");
  return { roleLogicalId, principalTags: { ...((tags.PrincipalTags ?? {}) as Record<string, string>) } };
}

/** The verifier checks Cognito's issuer; its keys come from the local pool (as the authorizer's do locally). */
function jwksCacheFetchingFrom(jwksUrl: string): SimpleJwksCache {
  return new SimpleJwksCache({
    fetcher: {
      async fetch() {
        const response = await fetch(jwksUrl);
        if (!response.ok) throw new Error(`JWKS download failed: HTTP ${response.status}`);
        return response.arrayBuffer();
      },
    },
  });
}
