/**
 * Flow B, the client's side: the ID token from the user pool (flow steps 1
 * and 2) is traded at the identity pool for temporary AWS credentials, and
 * those credentials call AWS directly: a Query on DynamoDB, where IAM checks
 * the role's policy (the tenant's partition only), and a SigV4-signed call to
 * the API's IAM-authorized route. No Lambda authorizer in between: IAM is the
 * authorizer.
 */
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from "@aws-sdk/client-cognito-identity";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";

export interface FlowBConfig {
  region: string;
  identityPoolId: string;
  userPoolId: string;
  tableName: string;
  /** The local stack's endpoints; absent on AWS. */
  cognitoIdentityEndpoint?: string;
  dynamoDbEndpoint?: string;
}

/** Temporary credentials of the identity pool's authenticated role. */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  /** The caller's identity in the pool (`region:uuid`), stable per user. */
  identityId: string;
}

/**
 * The `Logins` key the identity pool knows the user pool by: its issuer
 * without the scheme. The value is the user's ID token.
 */
export function loginsKey(region: string, userPoolId: string): string {
  return `cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

/**
 * GetId finds (or creates) the user's identity in the pool; GetCredentialsForIdentity
 * trades the same ID token for credentials of the authenticated role, tagged
 * with the user's tenant. Both calls are unsigned: the ID token is the proof.
 */
export async function credentialsForIdToken(config: FlowBConfig, idToken: string): Promise<TemporaryCredentials> {
  const client = new CognitoIdentityClient({ region: config.region, endpoint: config.cognitoIdentityEndpoint });
  try {
    const logins = { [loginsKey(config.region, config.userPoolId)]: idToken };
    const { IdentityId } = await client.send(
      new GetIdCommand({ IdentityPoolId: config.identityPoolId, Logins: logins }),
    );
    if (!IdentityId) throw new Error("The identity pool returned no identity id.");
    const { Credentials } = await client.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }));
    if (!Credentials?.AccessKeyId || !Credentials.SecretKey || !Credentials.SessionToken || !Credentials.Expiration) {
      throw new Error("The identity pool returned no credentials.");
    }
    return {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretKey,
      sessionToken: Credentials.SessionToken,
      expiration: Credentials.Expiration,
      identityId: IdentityId,
    };
  } finally {
    client.destroy();
  }
}

/** A DynamoDB client that signs with the user's temporary credentials: IAM decides what it may read. */
export function documentClientFor(config: FlowBConfig, credentials: TemporaryCredentials): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: config.region, endpoint: config.dynamoDbEndpoint, credentials }),
  );
}

/**
 * The tenant's purchases, read straight from the table: a Query on the
 * tenant's partition, which is the only one the role's `dynamodb:LeadingKeys`
 * condition lets these credentials read. Any other key is AccessDeniedException.
 */
export async function queryTenantPurchases(
  db: DynamoDBDocumentClient,
  tableName: string,
  tenantId: string,
): Promise<Record<string, unknown>[]> {
  const { Items } = await db.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "tenantId = :tenantId",
      ExpressionAttributeValues: { ":tenantId": tenantId },
    }),
  );
  return Items ?? [];
}

/**
 * A GET signed with SigV4 for `execute-api`, as the AWS SDKs sign: API
 * Gateway checks the signature, then the caller's IAM policy for
 * `execute-api:Invoke` on the method's ARN.
 */
export async function signedGet(url: string, credentials: TemporaryCredentials, region: string): Promise<Response> {
  const target = new URL(url);
  const signer = new SignatureV4({ credentials, region, service: "execute-api", sha256: Sha256 });
  const signed = await signer.sign({
    method: "GET",
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port ? Number(target.port) : undefined,
    path: target.pathname,
    query: Object.fromEntries(target.searchParams),
    headers: { host: target.host },
  });
  return fetch(url, { method: "GET", headers: signed.headers as Record<string, string> });
}
