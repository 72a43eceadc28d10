/**
 * Row 1: the warm authorizer handler per *new* token (verify + policy +
 * context), against one bare `crypto.verify` RSA-SHA256 of the same token
 * with a pre-built public KeyObject: how much the library, the claim checks
 * and the policy add to the one thing that cannot be avoided.
 */
import { verify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { createAuthorizer } from "../../solutions/03-authorizer/authorizer.ts";
import { startJwksServer } from "../../shared/test-helpers/jwks-server.ts";
import { createSigningKey } from "../../shared/test-helpers/token-factory.ts";
import { authorizerBatch, BENCH_CLIENT_ID, BENCH_USER_POOL_ID, preSignTokens } from "./fixtures.ts";
import type { Progress } from "./progress.ts";
import { formatRatio, formatValue, type BenchRow } from "./report.ts";
import { median, nowMs, rotation } from "./stats.ts";

export interface AuthorizerWarmOptions {
  /** Rounds of (baseline, library, handler) batches, the order rotating each round. */
  rounds: number;
  /** Tokens per batch: every token is verified once by each side. */
  perRound: number;
  /** Tokens spent on warming both sides up (JIT, key import) before timing. */
  warmup: number;
  progress: Progress;
}

export async function benchAuthorizerWarm(options: AuthorizerWarmOptions): Promise<BenchRow> {
  const { rounds, perRound, warmup, progress } = options;
  progress.step(`Authorizer, warm: ${rounds} rounds of ${perRound} new tokens each, against bare crypto.verify`);
  const key = createSigningKey({ kid: "bench-kid-1" });
  const jwks = await startJwksServer([key.jwk]);
  const rejections: string[] = [];
  try {
    const authorize = await createAuthorizer({
      userPoolId: BENCH_USER_POOL_ID,
      clientId: BENCH_CLIENT_ID,
      jwksUrl: jwks.url,
      logRejection: (reason) => rejections.push(reason),
    });
    const tokens = await preSignTokens(key, warmup + rounds * perRound, progress);

    // The library alone, configured as the handler's verifier but without its iat/exp check: where the time goes.
    const library = CognitoJwtVerifier.create({
      userPoolId: BENCH_USER_POOL_ID,
      clientId: BENCH_CLIENT_ID,
      tokenUse: "id",
    });
    library.cacheJwks({ keys: [{ ...key.jwk }] });

    // Baseline, library, handler: each returns the batch's milliseconds.
    const sides: ((batch: readonly string[]) => Promise<number>)[] = [
      async (batch) => bareVerifyBatch(batch, key.publicKey),
      async (batch) => libraryBatch(library, batch),
      async (batch) => authorizerBatch(authorize, batch),
    ];
    // Warm-up: every side, on tokens never used again.
    const warmTokens = tokens.slice(0, warmup);
    for (const side of sides) await side(warmTokens);

    const perOp: number[][] = sides.map(() => []);
    const ratios: number[] = [];
    const libraryRatios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const batch = tokens.slice(warmup + round * perRound, warmup + (round + 1) * perRound);
      const elapsed: number[] = [];
      for (const index of rotation(round, sides.length)) elapsed[index] = await sides[index]!(batch);
      const [base, lib, subject] = elapsed as [number, number, number];
      perOp.forEach((series, index) => series.push((elapsed[index] as number) / batch.length));
      ratios.push(subject / base);
      libraryRatios.push(lib / base);
      progress.update(`round ${round + 1} / ${rounds}`);
    }
    progress.done();
    if (rejections.length > 0) throw new Error(`the authorizer refused a bench token: ${rejections[0]}`);

    const [baselineMs, libraryMs, subjectMs] = perOp.map(median) as [number, number, number];
    // The ratio of the medians, so the table's three numbers agree; the paired per-round ratio goes to the details.
    const ratio = subjectMs / baselineMs;
    const libraryRatio = libraryMs / baselineMs;
    const met = ratio <= 1.3;
    return {
      id: "authorizer-warm",
      figure: "authorizer handler, warm, per new token",
      baseline: { label: "bare crypto.verify", value: baselineMs, unit: "ms" },
      subject: { label: "handler", value: subjectMs, unit: "ms" },
      ratio,
      target: "≤ 1.3×",
      met,
      note:
        "Each token is new to the handler (pre-signed with a test key; JWKS loaded at start, as in a Lambda). " +
        'The baseline splits the same token and runs crypto.verify("RSA-SHA256") with a pre-built KeyObject. ' +
        `aws-jwt-verify's verify() alone, same tokens: ${formatValue(libraryMs, "ms")} (${formatRatio(libraryRatio)}); ` +
        "the handler adds the Bearer parsing, the iat/exp check and the policy. " +
        (met
          ? ""
          : "Not met: the library itself costs more than 1.3× a bare verify (createVerify builds a stream per call, " +
            "both JSON parts go through a sanitising reviver, every claim is asserted); " +
            `the whole difference is ${formatValue(subjectMs - baselineMs, "ms")} per token. `) +
        `Medians over ${rounds} rounds of ${perRound} tokens, the order of the sides rotating each round.`,
      details: {
        rounds,
        tokensPerRound: perRound,
        warmupTokens: warmup,
        libraryVerifyMs: libraryMs,
        libraryRatio,
        medianPairedRatio: median(ratios),
        medianPairedLibraryRatio: median(libraryRatios),
        jwksDownloads: jwks.fetchCount(),
      },
    };
  } finally {
    await jwks.close();
  }
}

/** Milliseconds for one bare RSA-SHA256 verification of each token. */
function bareVerifyBatch(tokens: readonly string[], publicKey: KeyObject): number {
  let valid = 0;
  const started = nowMs();
  for (const token of tokens) {
    const dot = token.lastIndexOf(".");
    const signingInput = Buffer.from(token.slice(0, dot));
    const signature = Buffer.from(token.slice(dot + 1), "base64url");
    if (verify("RSA-SHA256", signingInput, publicKey, signature)) valid++;
  }
  const elapsed = nowMs() - started;
  if (valid !== tokens.length) throw new Error("bare crypto.verify refused a bench token");
  return elapsed;
}

/** Milliseconds for aws-jwt-verify's verify() alone on each token. */
async function libraryBatch(
  verifier: { verify(token: string): Promise<unknown> },
  tokens: readonly string[],
): Promise<number> {
  const started = nowMs();
  for (const token of tokens) await verifier.verify(token);
  return nowMs() - started;
}
