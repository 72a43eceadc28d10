/** Starts an HTTP server on 127.0.0.1, as every local stand-in does, and closes it with its keep-alive sockets. */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  close(): Promise<void>;
}

/** Listens on `port` (0: a free one) and resolves once it does; a port in use rejects. */
export async function listenOnLoopback(server: Server, port = 0): Promise<LoopbackServer> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
