import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { PURCHASES_TABLE_KEYS } from "./purchases-table-schema.ts";
import { todo } from "../../shared/checkpoint/todo.ts";

export interface TenantPurchasesTableProps {
  /**
   * What happens to the table (and its data) when the construct leaves the
   * stack. The workshop stack passes DESTROY.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The actions the purchases function needs, and nothing else: read, write and
 * delete one item (a condition on a Put or Delete needs no extra action), and
 * Query one tenant's partition. No Scan (a Scan reads every tenant), no batch
 * or transaction calls, no table management.
 */
export const TENANT_DATA_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:DeleteItem",
  "dynamodb:Query",
] as const;

/**
 * The purchases table: one partition per tenant.
 *
 * - partition key `tenantId` (S): every read and write names the tenant, so
 *   a Query can only ever return one tenant's items;
 * - sort key `purchaseId` (S): time-sortable ids, so a Query lists a tenant's
 *   purchases in order.
 */
export class TenantPurchasesTable extends Construct {
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: TenantPurchasesTableProps = {}) {
    super(scope, id);

    this.table = new dynamodb.Table(this, "Table", {
      // TODO 6: The table's key, as the README's pooled design draws it and PURCHASES_TABLE_KEYS names
      // it. It must make every read and write name one tenant, let one Query list a tenant's purchases
      // in the order they were made (purchase ids are ULIDs), and make another tenant's item
      // unreachable by id alone.
      partitionKey: todo("6: the table's partition key"),
      sortKey: todo("6: the table's sort key"),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // Idempotency records and DELETE's tombstones (idempotent-create.ts) expire after a day.
      timeToLiveAttribute: "expiresAt",
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Encrypted at rest with the AWS managed key `aws/dynamodb`: its use is
      // visible in CloudTrail, with no key of our own to manage or pay for.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: false,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  /**
   * Least privilege for the purchases function: {@link TENANT_DATA_ACTIONS}
   * on this table's ARN only (no index ARNs: the table has no index).
   *
   * What this cannot express: *which tenant's* items the caller may touch.
   * That is the handler's job: it takes the tenant from the authorizer's
   * context and always uses it as the partition key. IAM can enforce it too,
   * with the condition key `dynamodb:LeadingKeys`:
   *
   *     "Condition": { "ForAllValues:StringEquals": {
   *       "dynamodb:LeadingKeys": ["${aws:PrincipalTag/tenantId}"] } }
   *
   * DynamoDB would then refuse any request whose partition key is not the
   * caller's tenant, even if the code had a bug. It needs credentials that
   * carry the tenant: one Lambda execution role is shared by every request,
   * so the handler would have to assume a tenant-scoped role per request
   * (`sts:AssumeRole` with a `tenantId` session tag, or a Cognito identity
   * pool mapping the `custom:tenantId` claim to a principal tag) and use
   * those credentials for its DynamoDB calls. That is the production pattern
   * for strong tenant isolation; the workshop keeps one role and shows the
   * check in code.
   */
  public grantTenantDataAccess(grantee: iam.IGrantable): iam.Grant {
    // TODO 7: The function may do what its routes need on this table, and nothing more: no call that
    // reads every tenant at once, no batch or transaction calls, no wildcard action, no other table.
    // The CDK's convenience grants give more than that.
    return todo("7: the function's least-privilege grant on this table");
  }
}
