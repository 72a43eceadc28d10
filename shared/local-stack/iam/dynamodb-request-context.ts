/**
 * The IAM request context of a DynamoDB call, as DynamoDB hands it to IAM:
 * the action `dynamodb:<Operation>`, the table (or index) ARN, and
 * `dynamodb:LeadingKeys`, the partition key values the call touches
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
 * A batch is authorized per table, each with the keys it names in that table.
 *
 * Where the leading keys cannot be told (a Query on a global secondary index,
 * a key condition this parser does not read, a table whose key schema is
 * unknown), `dynamodb:LeadingKeys` is left out of the known keys, so a policy
 * that conditions on it fails closed instead of reading it as absent.
 */
import type { RequestContext } from "./policy-evaluation.ts";

/** The partition key of a table, and of each of its global secondary indexes. */
export interface KeySchema {
  partitionKey: string;
  globalIndexes: Readonly<Record<string, string>>;
}

export interface DynamoDbCall {
  /** The operation, from `X-Amz-Target: DynamoDB_20120810.<Operation>`. */
  operation: string;
  body: Record<string, unknown>;
}

export interface DynamoDbContextOptions {
  region: string;
  accountId: string;
  partition?: string;
  /** The key schema of a table, undefined if it does not exist. */
  keySchema(tableName: string): Promise<KeySchema | undefined>;
}

/** One IAM check a call needs: which table (for messages), and the context to evaluate. */
export interface DynamoDbAuthorization {
  tableName?: string;
  context: Omit<RequestContext, "keys" | "knownKeys"> & { leadingKeys?: string[]; leadingKeysKnown: boolean };
}

type AttributeValue = Record<string, unknown>;

export async function dynamoDbAuthorizations(
  call: DynamoDbCall,
  options: DynamoDbContextOptions,
): Promise<DynamoDbAuthorization[]> {
  const { operation, body } = call;
  const action = `dynamodb:${operation}`;
  const arn = (table: string, index?: string) =>
    `arn:${options.partition ?? "aws"}:dynamodb:${options.region}:${options.accountId}:table/${table}${index ? `/index/${index}` : ""}`;

  if (operation === "BatchGetItem" || operation === "BatchWriteItem") {
    const requestItems = isRecord(body.RequestItems) ? body.RequestItems : {};
    const checks: DynamoDbAuthorization[] = [];
    for (const [tableRef, items] of Object.entries(requestItems)) {
      const table = tableName(tableRef);
      const schema = await options.keySchema(table);
      const keys = operation === "BatchGetItem" ? batchGetKeys(items) : batchWriteKeys(items);
      const values = schema ? keys.map((key) => scalar(key[schema.partitionKey])) : [];
      const known = schema !== undefined && values.every((value) => value !== undefined);
      checks.push({
        tableName: table,
        context: {
          action,
          resource: arn(table),
          leadingKeys: known ? (values as string[]) : undefined,
          leadingKeysKnown: known,
        },
      });
    }
    return checks;
  }

  if (typeof body.TableName !== "string") {
    // ListTables and other account-level calls: no table, no leading keys.
    return [{ context: { action, resource: "*", leadingKeysKnown: true } }];
  }
  const table = tableName(body.TableName);
  const index = typeof body.IndexName === "string" ? body.IndexName : undefined;
  const resource = arn(table, index);
  const one = (leadingKeys: string[] | undefined, known: boolean): DynamoDbAuthorization[] => [
    { tableName: table, context: { action, resource, leadingKeys, leadingKeysKnown: known } },
  ];

  switch (operation) {
    case "GetItem":
    case "DeleteItem":
    case "UpdateItem":
    case "PutItem": {
      const schema = await options.keySchema(table);
      const item = operation === "PutItem" ? body.Item : body.Key;
      const value = schema && isRecord(item) ? scalar(item[schema.partitionKey]) : undefined;
      return value === undefined ? one(undefined, false) : one([value], true);
    }
    case "Query": {
      const schema = await options.keySchema(table);
      // A global secondary index has its own partition key, which this check does not map to LeadingKeys.
      if (!schema || (index !== undefined && index in schema.globalIndexes)) return one(undefined, false);
      const value = queryPartitionValue(body, schema.partitionKey);
      return value === undefined ? one(undefined, false) : one([value], true);
    }
    case "Scan":
      return one(undefined, true); // a Scan touches no particular partition: the key is absent
    default:
      // DescribeTable, CreateTable, ...: the table's ARN; leading keys only mean something for item calls.
      return one(undefined, true);
  }
}

/** `TableName` may be a table's ARN. */
function tableName(reference: string): string {
  const match = /^arn:[^:]+:dynamodb:[^:]*:\d*:table\/([^/]+)/.exec(reference);
  return match ? match[1]! : reference;
}

function batchGetKeys(items: unknown): AttributeValue[] {
  const keys = isRecord(items) && Array.isArray(items.Keys) ? items.Keys : [];
  return keys.filter(isRecord);
}

function batchWriteKeys(items: unknown): AttributeValue[] {
  if (!Array.isArray(items)) return [];
  return items.filter(isRecord).map((request) => {
    const put = isRecord(request.PutRequest) ? request.PutRequest.Item : undefined;
    const del = isRecord(request.DeleteRequest) ? request.DeleteRequest.Key : undefined;
    return isRecord(put) ? put : isRecord(del) ? del : {};
  });
}

/** The partition key's value in a Query: `pk = :v` in KeyConditionExpression, or legacy KeyConditions EQ. */
function queryPartitionValue(body: Record<string, unknown>, partitionKey: string): string | undefined {
  const names = isRecord(body.ExpressionAttributeNames) ? body.ExpressionAttributeNames : {};
  const values = isRecord(body.ExpressionAttributeValues) ? body.ExpressionAttributeValues : {};
  const nameOf = (token: string) => (token.startsWith("#") ? names[token] : token);

  if (typeof body.KeyConditionExpression === "string") {
    const expression = body.KeyConditionExpression;
    const pattern = /([#:]?[\w.-]+)\s*=\s*([#:]?[\w.-]+)/g;
    for (const [, left = "", right = ""] of expression.matchAll(pattern)) {
      const [name, placeholder] = left.startsWith(":") ? [right, left] : [left, right];
      if (nameOf(name) === partitionKey && placeholder.startsWith(":")) return scalar(values[placeholder]);
    }
    return undefined;
  }
  if (isRecord(body.KeyConditions)) {
    const condition = body.KeyConditions[partitionKey];
    if (isRecord(condition) && condition.ComparisonOperator === "EQ" && Array.isArray(condition.AttributeValueList)) {
      return scalar(condition.AttributeValueList[0]);
    }
  }
  return undefined;
}

/** `{ "S": "acme" }` → `acme`; numbers and binaries as their wire text. */
function scalar(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  for (const type of ["S", "N", "B"]) {
    const inner = value[type];
    if (typeof inner === "string") return inner;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
