/**
 * The DynamoDB stand-in: `dynalite` in this process, in memory (its data goes
 * when it stops), on a free port. It has no transactions: the handler uses
 * conditional writes, which it does have.
 *
 * It accepts any credentials: the local stack puts the IAM gate in front of it
 * (local-iam.ts), and only the gate's endpoint is handed out.
 */
import type { AddressInfo } from "node:net";
import dynalite from "dynalite";

export interface DynamoDbEmulator {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startDynamoDbEmulator(options: { port?: number } = {}): Promise<DynamoDbEmulator> {
  // createTableMs 0: tables are ACTIVE at once instead of after dynalite's simulated delay.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
