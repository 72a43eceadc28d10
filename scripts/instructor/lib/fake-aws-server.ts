/**
 * For the tests: a stand-in for the three AWS endpoints the deploy scripts
 * call (STS, SSM, CloudFormation), on localhost, answering in each service's
 * wire format. Point `AWS_ENDPOINT_URL` at it. It checks every request was
 * signed with the fake credentials.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeAwsBehaviour {
  /** STS: the caller's account, or an error code (`ExpiredToken`, `InvalidClientTokenId`). */
  identity?: { account: string; arn: string } | { error: string; message: string };
  /** SSM: the bootstrap version parameter's value; undefined: not bootstrapped. */
  bootstrapVersion?: string;
  ssmError?: string;
  /** CloudFormation: the stack's status; undefined: no such stack. */
  stackStatus?: string;
  cloudFormationError?: string;
  /** Accept the connection and never answer. */
  hang?: boolean;
}

export interface FakeAws {
  url: string;
  behaviour: FakeAwsBehaviour;
  /** The calls received, as `sts:GetCallerIdentity`, `ssm:GetParameter` ... */
  calls: string[];
  /** Requests whose signature did not verify. */
  badSignatures: string[];
  close(): Promise<void>;
}

export const FAKE_CREDENTIALS = { accessKeyId: "AKIAFAKEWORKSHOP", secretAccessKey: "fake-secret-for-tests" };

export async function startFakeAws(behaviour: FakeAwsBehaviour = {}, accessKeyId = FAKE_CREDENTIALS.accessKeyId): Promise<FakeAws> {
  const calls: string[] = [];
  const badSignatures: string[] = [];
  const hanging: ServerResponse[] = [];
  const state = behaviour;

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const target = String(req.headers["x-amz-target"] ?? "");
    const params = new URLSearchParams(body);
    const service = target.startsWith("AmazonSSM.") ? "ssm" : params.get("Action") === "DescribeStacks" ? "cloudformation" : "sts";
    const action = target ? target.split(".")[1]! : (params.get("Action") ?? "?");
    calls.push(`${service}:${action}`);
    if (!signedWith(req, service, accessKeyId)) badSignatures.push(`${service}:${action}`);
    if (state.hang) {
      hanging.push(res);
      return;
    }
    if (service === "sts") return answerSts(res, state);
    if (service === "ssm") return answerSsm(res, state);
    return answerCloudFormation(res, state);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    behaviour: state,
    calls,
    badSignatures,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Re-signs what arrived with the known secret, at the request's own time, and compares. */
/**
 * The SDK signs (SigV4) with the credentials it was given, for this service:
 * the Authorization header's credential scope says so. (The SDK's signer is
 * AWS's own; this checks the scripts hand it the right credentials.)
 */
function signedWith(req: IncomingMessage, service: string, accessKeyId: string): boolean {
  const authorization = String(req.headers.authorization ?? "");
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/.exec(authorization);
  return match?.[1] === accessKeyId && match[2] === service;
}

function xml(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { "content-type": "text/xml" }).end(text);
}

function queryError(res: ServerResponse, status: number, code: string, message: string) {
  xml(res, status, `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`);
}

function answerSts(res: ServerResponse, behaviour: FakeAwsBehaviour) {
  const identity = behaviour.identity ?? { account: "123456789012", arn: "arn:aws:sts::123456789012:assumed-role/WorkshopAdmin/instructor" };
  if ("error" in identity) return queryError(res, 403, identity.error, identity.message);
  xml(
    res,
    200,
    `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${identity.arn}</Arn><UserId>AROAFAKE:instructor</UserId><Account>${identity.account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
  );
}

function answerSsm(res: ServerResponse, behaviour: FakeAwsBehaviour) {
  const json = (status: number, value: unknown) => res.writeHead(status, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(value));
  if (behaviour.ssmError) return json(400, { __type: behaviour.ssmError, message: `User is not authorized (${behaviour.ssmError})` });
  if (behaviour.bootstrapVersion === undefined) return json(400, { __type: "ParameterNotFound" });
  json(200, { Parameter: { Name: "/cdk-bootstrap/hnb659fds/version", Type: "String", Value: behaviour.bootstrapVersion, Version: 1 } });
}

function answerCloudFormation(res: ServerResponse, behaviour: FakeAwsBehaviour) {
  if (behaviour.cloudFormationError) return queryError(res, 403, behaviour.cloudFormationError, "User is not authorized to perform: cloudformation:DescribeStacks");
  if (!behaviour.stackStatus) return queryError(res, 400, "ValidationError", "Stack with id AuthWorkshop does not exist");
  xml(
    res,
    200,
    `<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackName>AuthWorkshop</StackName><StackStatus>${behaviour.stackStatus}</StackStatus></member></Stacks></DescribeStacksResult></DescribeStacksResponse>`,
  );
}
