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
import { todo } from "../../shared/checkpoint/todo.ts";

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
  // TODO 3: Two calls to the identity pool, both unsigned: the ID token is the proof. The first
  // finds the user's identity in the pool, the second trades the token for the authenticated role's
  // credentials. Yours to decide: how the identity pool is told which user pool the token comes
  // from (`loginsKey` is given), and what each call needs. Return every field of TemporaryCredentials.
  return todo("3: trade the ID token for temporary credentials (GetId, GetCredentialsForIdentity)");
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
  // TODO 4: The tenant's purchases, with one Query on the purchases table (its keys:
  // steps/05-tenant-scoped-lambda/purchases-table-schema.ts). No filter, no Scan: the role's
  // policy lets these credentials read nothing else, and IAM, not this code, is what enforces it.
  return todo("4: Query the tenant's partition with the user's credentials");
}

/**
 * A GET signed with SigV4 for `execute-api`, as the AWS SDKs sign: API
 * Gateway checks the signature, then the caller's IAM policy for
 * `execute-api:Invoke` on the method's ARN.
 */
export async function signedGet(url: string, credentials: TemporaryCredentials, region: string): Promise<Response> {
  // TODO 5: API Gateway's AWS_IAM authorization accepts a request signed with Signature Version 4
  // for the service `execute-api`, in the API's region, by the caller's credentials; it then checks
  // the role's policy for execute-api:Invoke. Sign with the AWS SDK's own signer (SignatureV4, Sha256
  // imported above): never by hand. Yours to decide: what of the request the signature must cover.
  return todo("5: a SigV4-signed GET for execute-api");
}
