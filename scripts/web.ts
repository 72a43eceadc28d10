/**
 * `npm run web -- --target aws`: serves the web app (solutions/web-app) at
 * http://localhost:5173 against the deployed stack's outputs file, until
 * Ctrl-C. The flow inspector then shows what the browser can know, and says
 * where AWS records the rest. Locally, `npm run local` serves the app itself,
 * with the gateway's trace and the mailbox.
 */
import { parseTarget, runMain } from "./lib/cli-args.ts";
import { style } from "./lib/console-style.ts";
import { readOutputsFile } from "../shared/outputs-file.ts";
import { startWebApp } from "../solutions/web-app/web-server.ts";
import { LOCAL_WEB_APP_ORIGIN } from "../shared/runtime/purchases-api.ts";

async function main() {
  const { target } = parseTarget();
  if (target === "local") {
    throw new Error(
      "`npm run local` serves the web app for the local stack (with the inspector's gateway trace and the mailbox): run it instead, or `npm run web -- --target aws` for the deployed stack.",
    );
  }
  const outputs = await readOutputsFile("aws");
  console.log(style.dim("Starting the web app…"));
  const web = await startWebApp({ target, outputs });
  console.log(`${style.bold("Web app")}  ${web.url}   ${style.dim(`against ${outputs.ApiUrl}`)}
The deployed API must allow the origin ${LOCAL_WEB_APP_ORIGIN} (its default CORS origin, unless an instructor set corsAllowOrigins).
Ctrl-C stops it.`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await web.close();
}

runMain(main);
