/**
 * The session check's cost per new token: step 07's authorizer
 * (`withSessionCheck` around step 03's handler, reading a `RevocationTable`
 * on an in-process dynalite, as the local stack wires it) against the bare
 * step 03 handler, on the same tokens. The two reads alone (`whyRefused` on
 * the table) are a third side, to show where the time goes.
 */
import { Agent } from "node:http";
import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createAuthorizer } from "../../solutions/03-authorizer/authorizer.ts";
import { RevocationTable } from "../../solutions/07-sessions/revocations.ts";
import { withSessionCheck } from "../../solutions/07-sessions/session-authorizer.ts";
import { whyRefused, type SessionClaims } from "../../solutions/07-sessions/session-check.ts";
import { startDynamoDbEmulator } from "../../shared/local-stack/dynamodb-emulator.ts";
import { LOCAL_CREDENTIALS } from "../../shared/local-stack/local-credentials.ts";
import { createRevocationsTable } from "../../shared/local-stack/purchases-table-local.ts";
import { startJwksServer } from "../../shared/test-helpers/jwks-server.ts";
import { createSigningKey } from "../../shared/test-helpers/token-factory.ts";
import { authorizerBatch, BENCH_CLIENT_ID, BENCH_METHOD_ARN, BENCH_USER_POOL_ID, preSignTokens } from "./fixtures.ts";
import type { Progress } from "./progress.ts";
import { formatRatio, formatValue, type BenchRow } from "./report.ts";
import { median, nowMs, rotation } from "./stats.ts";

export interface AuthorizerSessionOptions {
  /** Rounds of (bare handler, with the session check, the reads alone) batches, the order rotating each round. */
  rounds: number;
  /** Tokens per batch: every token is new to each side. */
  perRound: number;
  /** Tokens spent on warming every side up (JIT, key import, dynalite's sockets) before timing. */
  warmup: number;
  /** Revocation records of other sessions and users in the table, so the reads do not hit an empty one. */
  otherRecords: number;
  progress: Progress;
}

export async function benchAuthorizerSession(options: AuthorizerSessionOptions): Promise<BenchRow> {
  const { rounds, perRound, warmup, otherRecords, progress } = options;
  progress.step(
    `Authorizer with the session check: ${rounds} rounds of ${perRound} new tokens each, against the bare step 03 handler`,
  );
  const key = createSigningKey({ kid: "bench-kid-session" });
  const jwks = await startJwksServer([key.jwk]);
  const dynamodb = await startDynamoDbEmulator();
  const client = new DynamoDBClient({
    endpoint: dynamodb.endpoint,
    region: "us-east-1",
    credentials: LOCAL_CREDENTIALS,
    // As the local stack's client: keep-alive sockets to dynalite.
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 512 }) },
  });
  const rejections: string[] = [];
  try {
    const tableName = "bench-revocations";
    await createRevocationsTable(client, tableName);
    const records = new RevocationTable(DynamoDBDocumentClient.from(client), tableName);
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < otherRecords; i++) {
      const record = { revokedAt: now, expiresAt: now + 86_400 };
      await (i % 10 === 0 ? records.revokeUser(randomUUID(), record) : records.revokeSession(randomUUID(), record));
    }

    const bare = await createAuthorizer({
      userPoolId: BENCH_USER_POOL_ID,
      clientId: BENCH_CLIENT_ID,
      jwksUrl: jwks.url,
      logRejection: (reason) => rejections.push(reason),
    });
    const checked = withSessionCheck(bare, { records, logRejection: (reason) => rejections.push(reason) });
    const tokens = await preSignTokens(key, warmup + rounds * perRound, progress);
    const claims = new Map(tokens.map((token) => [token, claimsOf(token)]));

    // Bare handler, with the session check, the reads alone: each returns the batch's milliseconds.
    const sides: ((batch: readonly string[]) => Promise<number>)[] = [
      async (batch) => authorizerBatch(bare, batch),
      async (batch) => authorizerBatch(checked, batch),
      async (batch) => readsBatch(records, batch, claims),
    ];
    const warmTokens = tokens.slice(0, warmup);
    for (const side of sides) await side(warmTokens);

    const perOp: number[][] = sides.map(() => []);
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const batch = tokens.slice(warmup + round * perRound, warmup + (round + 1) * perRound);
      const elapsed: number[] = [];
      for (const index of rotation(round, sides.length)) elapsed[index] = await sides[index]!(batch);
      perOp.forEach((series, index) => series.push((elapsed[index] as number) / batch.length));
      ratios.push((elapsed[1] as number) / (elapsed[0] as number));
      progress.update(`round ${round + 1} / ${rounds}`);
    }
    progress.done();
    if (rejections.length > 0) throw new Error(`the authorizer refused a bench token: ${rejections[0]}`);

    // The subject really checks: a token whose session is then signed out is refused.
    const probe = tokens[0]!;
    const sessionId = claims.get(probe)!.origin_jti as string;
    await records.revokeSession(sessionId, { revokedAt: now, expiresAt: now + 86_400 });
    const refusesSignedOut = await checked({
      type: "TOKEN",
      authorizationToken: `Bearer ${probe}`,
      methodArn: BENCH_METHOD_ARN,
    }).then(
      () => false,
      (error: Error) => error.message === "Unauthorized",
    );
    if (!refusesSignedOut) throw new Error("the session check let a signed-out session's token through");

    const [baselineMs, subjectMs, readsMs] = perOp.map(median) as [number, number, number];
    const ratio = subjectMs / baselineMs;
    return {
      id: "authorizer-session-check",
      figure: "authorizer with the session check, per new token",
      baseline: { label: "step 03 handler", value: baselineMs, unit: "ms" },
      subject: { label: "with session check", value: subjectMs, unit: "ms" },
      ratio,
      difference: subjectMs - baselineMs,
      target: "report",
      met: null,
      note:
        "Each token is new to both sides, as on an authorizer-cache miss (API Gateway asks once per token per TTL, 300 s here). " +
        `The session check adds two GetItem (ConsistentRead, in parallel) on the revocations table: ${formatValue(subjectMs - baselineMs, "ms")} per token; ` +
        `the reads alone cost ${formatValue(readsMs, "ms")} (${formatRatio(readsMs / baselineMs)} the bare handler). ` +
        `Here DynamoDB is dynalite in this process over loopback (${otherRecords.toLocaleString("en-US")} other records in the table), ` +
        "so the figure is the SDK's request pipeline and dynalite's own work, no network. " +
        "On AWS a GetItem round trip from a Lambda is a few ms (the two reads run in parallel: one round trip), more than the whole " +
        "token check: it dominates an uncached authorization, and the authorizer cache keeps it off a token's later requests within the TTL. " +
        `Medians over ${rounds} rounds of ${perRound} tokens, the order of the sides rotating each round.`,
      details: {
        rounds,
        tokensPerRound: perRound,
        warmupTokens: warmup,
        otherRecords,
        readsAloneMs: readsMs,
        readsAloneRatio: readsMs / baselineMs,
        medianPairedRatio: median(ratios),
        refusesSignedOutSession: refusesSignedOut,
        jwksDownloads: jwks.fetchCount(),
      },
    };
  } finally {
    client.destroy();
    await dynamodb.stop();
    await jwks.close();
  }
}

function claimsOf(token: string): SessionClaims {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as SessionClaims;
}

/** Milliseconds for the session check's reads alone (claims decoded beforehand), token by token. */
async function readsBatch(
  records: RevocationTable,
  tokens: readonly string[],
  claims: ReadonlyMap<string, SessionClaims>,
): Promise<number> {
  let held = 0;
  const started = nowMs();
  for (const token of tokens) if ((await whyRefused(claims.get(token)!, records)) === undefined) held++;
  const elapsed = nowMs() - started;
  if (held !== tokens.length) throw new Error("the session check refused a bench token");
  return elapsed;
}
