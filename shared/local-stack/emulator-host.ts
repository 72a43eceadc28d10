/**
 * The process that runs cognito-local for the local stacks, and a host that
 * shares one such process between many stacks.
 *
 * cognito-local takes about half a second of CPU to load. One stack pays it
 * once; step 06's checkpoint starts 17 stacks (the reference system and each
 * mutant), and a process of its own per stack cost about a third of the
 * check's CPU time. With a host (`startLocalStack({ emulators: host })`), the
 * stacks share one process that has loaded cognito-local once, and each stack
 * still gets a cognito-local instance of its own in it
 * (cognito-local-child.cjs): its own server and port, data directory, user
 * pool, app clients and mail. Everything else a stack has (the strict front
 * and its signing keys and sessions, dynalite and its tables, the IAM gate and
 * identity pool, the gateway and its authorizer cache) is its own as before.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** One cognito-local, serving the pool files of its data directory. */
export interface CognitoLocalInstance {
  endpoint: string;
  /** Stops its server and removes its data directory. */
  stop(): Promise<void>;
}

/** A process that runs cognito-local instances. */
export interface CognitoLocalProcess {
  /**
   * Starts an instance on `dataDir`, whose `.cognito/config.json` and pool
   * files are written; every code it mails goes to `onMail`.
   */
  startInstance(dataDir: string, onMail: (to: string, code: string) => void): Promise<CognitoLocalInstance>;
  /** Ends the process, and with it every instance still running. */
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL("./cognito/cognito-local-child.cjs", import.meta.url));
/** What is kept of the process's output, for an error's report: its end. */
const OUTPUT_KEPT = 16_000;

type ChildMessage =
  | { type: "started"; id: number; port: number }
  | { type: "start-failed"; id: number; error: string }
  | { type: "stopped"; id: number }
  | { type: "mail"; id: number; to?: string; code?: string };

/** Spawns the process; it loads cognito-local at once, and starts instances as they are asked for. */
export function spawnCognitoLocal(): CognitoLocalProcess {
  const child: ChildProcess = spawn(process.execPath, [CHILD], {
    // cognito-local still loads the AWS SDK v2, which warns on start: not our learners' concern.
    env: { ...process.env, NODE_NO_WARNINGS: "1" },
    stdio: ["pipe", "pipe", "pipe", "ipc"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);

  let nextId = 0;
  const mailTo = new Map<number, (to: string, code: string) => void>();
  const replies = new Map<number, { resolve: (message: ChildMessage) => void; reject: (error: Error) => void }>();
  let gone: Error | undefined;
  child.on("message", (message: ChildMessage) => {
    if (message.type === "mail") {
      if (message.to && message.code) mailTo.get(message.id)?.(message.to, message.code);
      return;
    }
    replies.get(message.id)?.resolve(message);
    replies.delete(message.id);
  });
  const onGone = (error: Error) => {
    gone ??= error;
    for (const { reject } of replies.values()) reject(gone);
    replies.clear();
  };
  child.once("error", onGone);
  child.once("exit", (code, signal) =>
    onGone(new Error(`cognito-local exited (${signal ?? `code ${code}`}):\n${output}`)),
  );

  const ask = (message: { type: "start" | "stop"; id: number; dataDir?: string }, timeoutMs: number) =>
    new Promise<ChildMessage>((resolve, reject) => {
      if (gone) return reject(gone);
      const timer = setTimeout(() => {
        replies.delete(message.id);
        reject(new Error(`cognito-local did not answer "${message.type}" within ${timeoutMs / 1000} s:\n${output}`));
      }, timeoutMs);
      replies.set(message.id, {
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      // An error (the child already gone) goes to the callback: the exit handler reports it with the output.
      child.send(message, () => {});
    });

  return {
    async startInstance(dataDir, onMail) {
      const id = nextId++;
      mailTo.set(id, onMail);
      try {
        const reply = await ask({ type: "start", id, dataDir }, 15_000);
        if (reply.type !== "started") {
          throw new Error(`cognito-local did not start: ${reply.type === "start-failed" ? reply.error : reply.type}`);
        }
        let stopped: Promise<void> | undefined;
        return {
          endpoint: `http://127.0.0.1:${reply.port}`,
          stop: () =>
            (stopped ??= (async () => {
              try {
                if (!gone) await ask({ type: "stop", id }, 15_000);
              } finally {
                mailTo.delete(id);
              }
            })()),
        };
      } catch (error) {
        mailTo.delete(id);
        throw error;
      }
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      });
    },
  };
}

/** Emulators shared by the stacks started with it (`LocalStackOptions.emulators`). */
export interface EmulatorHost {
  cognitoLocal: CognitoLocalProcess;
  close(): Promise<void>;
}

/** Starts a host: its cognito-local process starts loading now, while the caller does other work. */
export function startEmulatorHost(): EmulatorHost {
  const cognitoLocal = spawnCognitoLocal();
  return { cognitoLocal, close: () => cognitoLocal.close() };
}
