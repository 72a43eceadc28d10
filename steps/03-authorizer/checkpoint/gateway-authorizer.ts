/**
 * The authorizer under test behind the local API Gateway, across processes.
 * The gateway runs in vitest's main process (setup.ts starts the stack once,
 * and `--watch` keeps it up between runs); the learner's code is loaded by the
 * checks' worker, afresh at every run. So the worker serves its instance of
 * the authorizer on 127.0.0.1 and tells the setup where; the gateway's
 * authorizer calls it there with the event, and answers or throws what the
 * handler answered or threw.
 *
 * What crosses is what API Gateway sees of a Lambda authorizer: its answer as
 * JSON (the gateway judges the answer over the wire in any case), or its
 * error's name and message (the gateway tells "Unauthorized" from any other).
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from "aws-lambda";
import type { TokenAuthorizer } from "../../../shared/local-stack/api-gateway/index.ts";

/** What the worker answers for one call of the handler. */
type Reply =
  | { returned?: unknown }
  | { unserializable: string }
  | { threw: { error: true; name: string; message: string } | { error: false; value: unknown } };

type Handler = (event: APIGatewayTokenAuthorizerEvent) => unknown;

/** The setup's side: a handler for the gateway that calls whatever handler a worker registered last. */
export async function startAuthorizerRelay(): Promise<{
  url: string;
  authorize: TokenAuthorizer;
  close(): Promise<void>;
}> {
  let target: string | undefined;
  const server = createServer(async (request, response) => {
    const { url } = JSON.parse(await body(request)) as { url: string };
    target = url;
    response.writeHead(204).end();
  });
  const url = await listen(server);
  return {
    url,
    async authorize(event) {
      if (!target) throw new Error("the checks' authorizer is not running (the checkpoint did not load)");
      const response = await fetch(target, { method: "POST", body: JSON.stringify(event) });
      const reply = (await response.json()) as Reply;
      if ("threw" in reply) {
        if (!reply.threw.error) throw reply.threw.value;
        const error = new Error(reply.threw.message);
        error.name = reply.threw.name;
        throw error;
      }
      if ("unserializable" in reply) {
        const reason = reply.unserializable;
        // The gateway's own JSON check fails on this too, with the handler's reason.
        return {
          toJSON() {
            throw new TypeError(reason);
          },
        } as unknown as APIGatewayAuthorizerResult;
      }
      return reply.returned as APIGatewayAuthorizerResult;
    },
    close: () => close(server),
  };
}

/** The worker's side: serves `handler` to the gateway of the setup whose relay is at `relayUrl`. */
export async function serveToGateway(relayUrl: string, handler: Handler): Promise<{ close(): Promise<void> }> {
  const server = createServer(async (request, response) => {
    const event = JSON.parse(await body(request)) as APIGatewayTokenAuthorizerEvent;
    let reply: Reply;
    try {
      const returned = await handler(event);
      try {
        reply = JSON.parse(JSON.stringify({ returned })) as Reply;
      } catch (error) {
        reply = { unserializable: error instanceof Error ? error.message : String(error) };
      }
    } catch (error) {
      reply = {
        threw:
          error instanceof Error
            ? { error: true, name: error.name, message: error.message }
            : { error: false, value: jsonOrString(error) },
      };
    }
    response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(reply));
  });
  const url = await listen(server);
  const registered = await fetch(relayUrl, { method: "POST", body: JSON.stringify({ url }) });
  if (!registered.ok) throw new Error(`the checkpoint's gateway did not take the authorizer: ${registered.status}`);
  return { close: () => close(server) };
}

function jsonOrString(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value) ?? "null");
  } catch {
    return String(value);
  }
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function listen(server: ReturnType<typeof createServer>): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

function close(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise((resolve, reject) => {
    server.closeAllConnections();
    server.close((error) => (error ? reject(error) : resolve()));
  });
}
