import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient, ListTablesCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CredentialsRegistry } from "./credentials-registry.ts";
import {
  EXPIRED_TOKEN,
  INVALID_TOKEN,
  SIGNATURE_MISMATCH,
  verifySigV4,
  type IncomingSignedRequest,
} from "./sigv4-verify.ts";

const REGION = "eu-west-1";
const SESSION = { roleArn: "arn:aws:iam::123456789012:role/Tenant", sessionName: "test", principalTags: {} };

/** A server that records what the SDK sends and answers `{}`: the requests are the SDK's own, signed by it. */
let endpoint = "";
const captured: IncomingSignedRequest[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const [path = "/", query] = (req.url ?? "/").split("?");
    captured.push({
      method: req.method ?? "GET",
      path,
      query,
      headers: plain(req.headers),
      body: Buffer.concat(chunks),
    });
    res.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end("{}");
  });
});

function plain(headers: IncomingHttpHeaders): Record<string, string | string[] | undefined> {
  return { ...headers };
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const registry = new CredentialsRegistry();

async function sdkRequest(
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  region = REGION,
): Promise<IncomingSignedRequest> {
  const client = new DynamoDBClient({ region, endpoint, credentials, maxAttempts: 1 });
  await client.send(
    new QueryCommand({
      TableName: "Purchases",
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": { S: "acme" } },
    }),
  );
  client.destroy();
  return captured.at(-1)!;
}

const verify = (request: IncomingSignedRequest, clock?: () => number) =>
  verifySigV4(request, { service: "dynamodb", region: REGION, lookup: (key) => registry.lookup(key), clock });

describe("verifySigV4 on requests the AWS SDK signed", () => {
  it("accepts an SDK-signed request with temporary credentials, and says whose", async () => {
    const issued = registry.issue({ session: SESSION });
    const result = await verify(await sdkRequest(issued));
    expect(result).toMatchObject({ ok: true, accessKeyId: issued.accessKeyId });
    if (result.ok) expect(result.credentials.session).toEqual(SESSION);
  });

  it("accepts long-term credentials without a session token", async () => {
    registry.register({ accessKeyId: "AKIALOCALFUNCTION01", secretAccessKey: "secret", session: SESSION });
    const request = await sdkRequest({ accessKeyId: "AKIALOCALFUNCTION01", secretAccessKey: "secret" });
    expect((await verify(request)).ok).toBe(true);
  });

  it("refuses the request when one byte of the body is altered", async () => {
    const request = await sdkRequest(registry.issue({ session: SESSION }));
    const body = Buffer.from(Buffer.from(request.body).toString().replace("acme", "acmf"));
    expect(await verify({ ...request, body })).toEqual({
      ok: false,
      code: "InvalidSignatureException",
      message: SIGNATURE_MISMATCH,
    });
  });

  it("refuses the request when a signed header is altered", async () => {
    const request = await sdkRequest(registry.issue({ session: SESSION }));
    const headers = { ...request.headers, "x-amz-target": "DynamoDB_20120810.Scan" };
    expect(await verify({ ...request, headers })).toMatchObject({ ok: false, code: "InvalidSignatureException" });
  });

  it("refuses a request signed with the wrong secret", async () => {
    const issued = registry.issue({ session: SESSION });
    const request = await sdkRequest({ ...issued, secretAccessKey: "not-the-secret" });
    expect(await verify(request)).toMatchObject({
      ok: false,
      code: "InvalidSignatureException",
      message: SIGNATURE_MISMATCH,
    });
  });

  it("refuses an unknown access key, a missing and a wrong session token as AWS does", async () => {
    const issued = registry.issue({ session: SESSION });
    const unknown = await sdkRequest({ accessKeyId: "ASIAUNKNOWN", secretAccessKey: "x", sessionToken: "y" });
    const noToken = await sdkRequest({ accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey });
    const wrongToken = await sdkRequest({ ...issued, sessionToken: "another" });
    for (const request of [unknown, noToken, wrongToken]) {
      expect(await verify(request)).toEqual({ ok: false, code: "UnrecognizedClientException", message: INVALID_TOKEN });
    }
  });

  it("refuses expired credentials with ExpiredTokenException", async () => {
    const issued = registry.issue({ session: SESSION, durationSeconds: 60, now: Date.now() - 120_000 });
    expect(await verify(await sdkRequest(issued))).toEqual({
      ok: false,
      code: "ExpiredTokenException",
      message: EXPIRED_TOKEN,
    });
  });

  it("refuses a signature more than 15 minutes old or ahead", async () => {
    const request = await sdkRequest(registry.issue({ session: SESSION, durationSeconds: 7200 }));
    const late = await verify(request, () => Date.now() + 16 * 60_000);
    expect(late).toMatchObject({ ok: false, code: "InvalidSignatureException" });
    if (!late.ok)
      expect(late.message).toMatch(
        /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
      );
    const early = await verify(request, () => Date.now() - 16 * 60_000);
    if (!early.ok) expect(early.message).toMatch(/^Signature not yet current: .* \+ 15 min\.\)$/);
    expect(early.ok).toBe(false);
    expect((await verify(request, () => Date.now() + 14 * 60_000)).ok).toBe(true);
  });

  it("refuses a credential scoped to another region or service", async () => {
    const issued = registry.issue({ session: SESSION });
    const elsewhere = await sdkRequest(issued, "us-east-1");
    expect(await verify(elsewhere)).toEqual({
      ok: false,
      code: "InvalidSignatureException",
      message: "Credential should be scoped to a valid region, not 'us-east-1'. ",
    });
    const request = await sdkRequest(issued);
    const asLambda = await verifySigV4(request, {
      service: "lambda",
      region: REGION,
      lookup: (key) => registry.lookup(key),
    });
    expect(asLambda).toMatchObject({
      code: "InvalidSignatureException",
      message: "Credential should be scoped to correct service: 'lambda'. ",
    });
  });

  it("refuses an unsigned request and a malformed Authorization header", async () => {
    const request = await sdkRequest(registry.issue({ session: SESSION }));
    const { authorization: _dropped, ...unsigned } = request.headers;
    expect(await verify({ ...request, headers: unsigned })).toEqual({
      ok: false,
      code: "MissingAuthenticationTokenException",
      message: "Request is missing Authentication Token",
    });
    const bearer = await verify({
      ...request,
      headers: { ...unsigned, authorization: "AWS4-HMAC-SHA256 Signature=abc" },
    });
    expect(bearer).toMatchObject({ ok: false, code: "IncompleteSignatureException" });
    if (!bearer.ok) expect(bearer.message).toContain("Authorization header requires 'Credential' parameter.");
  });

  it("verifies a request with an empty JSON body too", async () => {
    const issued = registry.issue({ session: SESSION });
    const client = new DynamoDBClient({ region: REGION, endpoint, credentials: issued, maxAttempts: 1 });
    await client.send(new ListTablesCommand({}));
    client.destroy();
    expect((await verify(captured.at(-1)!)).ok).toBe(true);
  });
});
