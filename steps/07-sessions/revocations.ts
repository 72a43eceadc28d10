/**
 * The revocation records: what the authorizer reads to refuse a signed-out
 * session, and what sign-out writes. One DynamoDB table, two kinds of item:
 *
 * | key (`pk`) | written by | means |
 * | --- | --- | --- |
 * | `session#<origin_jti>` | sign-out on one device | every token of that sign-in is refused |
 * | `user#<sub>` | sign-out everywhere, an operator | every token authenticated up to `revokedAt` is refused |
 *
 * Every item carries `expiresAt`, the table's TTL attribute: once no token
 * it refuses can be valid any more, DynamoDB deletes it.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export const REVOCATION_KEY = "pk";
export const REVOCATION_TTL_ATTRIBUTE = "expiresAt";

export interface Revocation {
  /** Seconds since the epoch when it was written. */
  revokedAt: number;
}

/** What the authorizer may do: read. */
export interface RevocationReader {
  session(originJti: string): Promise<Revocation | undefined>;
  user(sub: string): Promise<Revocation | undefined>;
}

/** What sign-out may do: write. */
export interface RevocationWriter {
  revokeSession(originJti: string, revocation: RevocationRecord): Promise<void>;
  revokeUser(sub: string, revocation: RevocationRecord): Promise<void>;
}

export interface RevocationRecord extends Revocation {
  /** Seconds since the epoch after which the record refuses nothing (the TTL). */
  expiresAt: number;
}

export class RevocationTable implements RevocationReader, RevocationWriter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  session(originJti: string) {
    return this.#get(`session#${originJti}`);
  }

  user(sub: string) {
    return this.#get(`user#${sub}`);
  }

  revokeSession(originJti: string, record: RevocationRecord) {
    return this.#put(`session#${originJti}`, record);
  }

  revokeUser(sub: string, record: RevocationRecord) {
    return this.#put(`user#${sub}`, record);
  }

  async #get(pk: string): Promise<Revocation | undefined> {
    // Strongly consistent: a request right after a sign-out must see it.
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { [REVOCATION_KEY]: pk }, ConsistentRead: true }),
    );
    return out.Item ? { revokedAt: Number(out.Item.revokedAt) } : undefined;
  }

  async #put(pk: string, record: RevocationRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { [REVOCATION_KEY]: pk, revokedAt: record.revokedAt, [REVOCATION_TTL_ATTRIBUTE]: record.expiresAt },
      }),
    );
  }
}
