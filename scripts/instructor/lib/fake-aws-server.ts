/**
 * For the tests: a stand-in for the two AWS endpoints the scripts call before the CDK CLI (STS, SSM), on
 * localhost, in each service's wire format. Point `AWS_ENDPOINT_URL` at it; it records who signed each call.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeAwsBehaviour {
  /** STS answers with this error code (`ExpiredToken`, `InvalidClientTokenId`) instead of the identity. */
  stsError?: string;
  /** SSM: the bootstrap version parameter's value; undefined: not bootstrapped. */
  bootstrapVersion?: string;
  /** Accept the connection and never answer. */
  hang?: boolean;
}

export interface FakeAws {
  url: string;
  behaviour: FakeAwsBehaviour;
  /** The calls received, as `sts:GetCallerIdentity AKIA…` (the access key that signed it). */
  calls: string[];
  close(): Promise<void>;
}

export const FAKE_CREDENTIALS = { accessKeyId: "AKIAFAKEWORKSHOP", secretAccessKey: "fake-secret-for-tests" };
export const FAKE_ACCOUNT = "123456789012";
export const FAKE_ARN = `arn:aws:sts::${FAKE_ACCOUNT}:assumed-role/WorkshopAdmin/instructor`;

export async function startFakeAws(behaviour: FakeAwsBehaviour = {}): Promise<FakeAws> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const ssm = String(req.headers["x-amz-target"] ?? "").startsWith("AmazonSSM.");
      const signer = /Credential=([^/]+)\//.exec(String(req.headers.authorization))?.[1] ?? "unsigned";
      calls.push(`${ssm ? "ssm:GetParameter" : `sts:${new URLSearchParams(body).get("Action")}`} ${signer}`);
      if (behaviour.hang) return;
      if (ssm) return answerSsm(res, behaviour);
      if (behaviour.stsError) {
        const error = `<Error><Type>Sender</Type><Code>${behaviour.stsError}</Code><Message>refused</Message></Error>`;
        return xml(res, 403, `<ErrorResponse>${error}<RequestId>fake</RequestId></ErrorResponse>`);
      }
      const result = `<Arn>${FAKE_ARN}</Arn><UserId>AROAFAKE:instructor</UserId><Account>${FAKE_ACCOUNT}</Account>`;
      xml(
        res,
        200,
        `<GetCallerIdentityResponse><GetCallerIdentityResult>${result}</GetCallerIdentityResult>` +
          "<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    behaviour,
    calls,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

function xml(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { "content-type": "text/xml" }).end(text);
}

function answerSsm(res: ServerResponse, behaviour: FakeAwsBehaviour) {
  const json = (status: number, value: unknown) =>
    res.writeHead(status, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(value));
  if (behaviour.bootstrapVersion === undefined) return json(400, { __type: "ParameterNotFound" });
  json(200, { Parameter: { Name: "/cdk-bootstrap/hnb659fds/version", Value: behaviour.bootstrapVersion } });
}
