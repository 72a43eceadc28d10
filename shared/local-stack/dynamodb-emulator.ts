/**
 * The DynamoDB stand-in: `dynalite` in this process, in memory (its data goes
 * when it stops), on a free port. It has no transactions: the handler uses
 * conditional writes, which it does have.
 *
 * It accepts any credentials: the local stack puts the IAM gate in front of it
 * (local-iam.ts), and only the gate's endpoint is handed out.
 */
import dynalite from "dynalite";
import { listenOnLoopback } from "./loopback-server.ts";

export interface DynamoDbEmulator {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startDynamoDbEmulator(options: { port?: number } = {}): Promise<DynamoDbEmulator> {
  // createTableMs 0: tables are ACTIVE at once instead of after dynalite's simulated delay.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const { endpoint, close } = await listenOnLoopback(server, options.port);
  return { endpoint, stop: close };
}
