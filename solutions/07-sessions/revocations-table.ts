import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { REVOCATION_KEY, REVOCATION_TTL_ATTRIBUTE } from "./revocations.ts";

export interface SessionRevocationsTableProps {
  /**
   * What happens to the table (and its records) when the construct leaves
   * the stack. The workshop stack passes DESTROY.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * What the authorizer may do with the records: read one item by its key
 * (`RevocationTable`'s strongly consistent GetItem). Nothing else: it never
 * writes, and a Query or Scan would list who signed out when.
 */
export const REVOCATION_READ_ACTIONS = ["dynamodb:GetItem"] as const;

/**
 * What sign-out may do: write one item (`RevocationTable`'s PutItem). It
 * never reads a record back and never deletes one: records go away through
 * the table's TTL only, once no token they refuse can still be valid.
 */
export const REVOCATION_WRITE_ACTIONS = ["dynamodb:PutItem"] as const;

/**
 * The revoked sessions and users (revocations.ts): partition key `pk` (S),
 * no sort key, every item expired by DynamoDB's TTL on `expiresAt`. The key
 * and TTL names come from revocations.ts, the code that reads and writes the
 * items, so the table cannot disagree with it.
 */
export class SessionRevocationsTable extends Construct {
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: SessionRevocationsTableProps = {}) {
    super(scope, id);

    this.table = new dynamodb.Table(this, "Table", {
      partitionKey: { name: REVOCATION_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // A record lives as long as a token of its session can (revocationRecordLifetimeSeconds),
      // then DynamoDB deletes it, at no cost and within a few days of expiring. An expired record
      // not deleted yet refuses nothing more than the token's own expiry already does.
      timeToLiveAttribute: REVOCATION_TTL_ATTRIBUTE,
      // A lost record silently lets a signed-out session back in: point-in-time
      // recovery can bring the records back. The table is tiny, so it costs next to nothing.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Encrypted at rest with the AWS managed key `aws/dynamodb`, as the purchases table.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: false,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  /** For the authorizer: {@link REVOCATION_READ_ACTIONS} on this table's ARN only. */
  public grantRevocationReads(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...REVOCATION_READ_ACTIONS],
      resourceArns: [this.table.tableArn],
    });
  }

  /** For the sign-out function: {@link REVOCATION_WRITE_ACTIONS} on this table's ARN only. */
  public grantRevocationWrites(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...REVOCATION_WRITE_ACTIONS],
      resourceArns: [this.table.tableArn],
    });
  }
}
