/**
 * A JWKS endpoint for tests: serves `{ keys }` as JSON on 127.0.0.1 (a free
 * port) at every path, counts downloads, and lets a test rotate the keys.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Jwk } from "./token-factory.ts";

export interface JwksServer {
  /** `http://127.0.0.1:{port}/.well-known/jwks.json` */
  url: string;
  /** How many times the JWKS has been served. */
  fetchCount(): number;
  /** Serves these keys from the next request on (key rotation). */
  setKeys(keys: readonly Jwk[]): void;
  close(): Promise<void>;
}

export async function startJwksServer(keys: readonly Jwk[]): Promise<JwksServer> {
  let current: readonly Jwk[] = keys;
  let count = 0;
  const server = createServer((request, response) => {
    if (request.method !== "GET") {
      response.writeHead(405, { Allow: "GET" }).end();
      return;
    }
    count += 1;
    response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ keys: current }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetchCount: () => count,
    setKeys: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
