/** The local stack's account and region: in its ARNs, its endpoints' signatures and the tokens' issuer. */
export const LOCAL_ACCOUNT_ID = "000000000000";
export const LOCAL_REGION = "us-east-1";

/**
 * The operator's credentials on the local stack: what scripts and tests sign
 * with to create tables, read them back and clean up, as an administrator
 * would on AWS. Fixed, so the SDK never looks for real ones.
 *
 * The local DynamoDB endpoint verifies every signature and enforces IAM
 * (local-iam.ts): these keys are registered as a session of the role
 * LocalOperator, whose one policy allows everything. The local functions do
 * not use them: each signs with credentials for its own role, as on Lambda.
 * The Cognito emulator accepts any credentials.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;

/** The role the operator's key speaks for, locally. */
export const LOCAL_OPERATOR_ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/LocalOperator`;

/** LocalOperator's only policy: an administrator's. */
export const OPERATOR_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Sid: "LocalOperator", Effect: "Allow", Action: "*", Resource: "*" }],
} as const;
