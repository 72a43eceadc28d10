// Runs one checkpoint for run-checkpoint.ts's runCheckpoint, in plain Node:
// no tsx loader, so the ES modules of vitest, Vite and the packages load
// without its hooks. checkpoint.config.ts (which Vite bundles and loads
// itself) reads the step and target from the environment and sends the
// report to the parent.
import { fileURLToPath } from "node:url";
import { startVitest } from "vitest/node";

const config = fileURLToPath(new URL("./checkpoint.config.ts", import.meta.url));
const vitest = await startVitest("test", [], { config, watch: false }, { logLevel: "silent" });
await vitest.close();
// Every message is out before the exit: a handle a check left open must not keep the run alive.
await new Promise((resolve) => (process.connected ? process.send({ type: "done" }, resolve) : resolve()));
process.exit(0);
