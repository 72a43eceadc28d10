/**
 * `npm run local [-- --reference]`: starts the local stack, writes
 * `.workshop/outputs.local.json`, serves the web app at http://localhost:5173
 * (solutions/web-app, with the gateway's request trace for its inspector and
 * the mailed codes for its mailbox), prints how to use it, and runs until Ctrl-C.
 * It serves the learner's pieces whose TODOs are done and the reference for
 * the rest (shared/local-stack/learner-pieces.ts); `--reference` serves the
 * reference only.
 */
import { parseArgs } from "node:util";
import { relative } from "node:path";
import { startLocalStack } from "../shared/local-stack/local-stack.ts";
import { selectPieces } from "../shared/local-stack/learner-pieces.ts";
import { PROJECT_ROOT } from "../shared/project-root.ts";
import { writeOutputsFile } from "../shared/outputs-file.ts";
import { runMain } from "./lib/cli-args.ts";
import { RequestTraceRecorder } from "../shared/local-stack/api-gateway/request-trace.ts";
import { AUTHORIZER } from "../shared/runtime/purchases-api.ts";
import { localEndpointsFor, Mailbox, startWebApp, type WebApp } from "../solutions/web-app/web-server.ts";
import { style } from "./lib/console-style.ts";

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      "cache-ttl": { type: "string" },
      quiet: { type: "boolean", default: false },
      reference: { type: "boolean", default: false },
    },
  });
  const apiPort = values.port === undefined ? undefined : Number(values.port);
  const ttl = values["cache-ttl"] === undefined ? undefined : Number(values["cache-ttl"]);
  if (apiPort !== undefined && !Number.isInteger(apiPort)) throw new Error("--port takes a port number.");
  if (ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 0 && ttl <= 3600))
    throw new Error("--cache-ttl takes seconds, 0 to 3600.");

  const pieces = await selectPieces({ reference: values.reference });
  console.log(`${style.bold("Serving")} ${pieces.summary}`);
  for (const warning of pieces.warnings) console.log(style.yellow(warning));
  console.log(style.dim("Starting the local stack…"));
  // The web app's flow inspector reads the gateway's record of each call; its mailbox, the codes.
  const traces = new RequestTraceRecorder();
  const mailbox = new Mailbox();
  const stack = await startLocalStack({
    ...pieces.stackOptions,
    apiPort,
    authorizerCacheTtlSeconds: ttl,
    log: values.quiet ? undefined : (line) => console.log(style.dim(`  ${line}`)),
    // Cognito would email these; locally they are printed, so a person can confirm and reset.
    onMail: (mail) => {
      mailbox.receive(mail);
      console.log(`${style.bold(`mail to ${mail.to}`)}: your code is ${mail.code}`);
    },
    requestTrace: traces,
  });
  const file = await writeOutputsFile("local", stack.outputs);
  const { outputs } = stack;
  const api = outputs.ApiUrl.replace(/\/$/, "");
  console.log(style.dim("Starting the web app (Vite; the first start bundles the AWS SDK for the browser)…"));
  let web: WebApp | undefined;
  try {
    web = await startWebApp({
      target: "local",
      outputs,
      local: localEndpointsFor(stack, {
        traces,
        mailbox,
        authorizerCacheTtlSeconds: ttl ?? AUTHORIZER.resultsCacheTtlSeconds,
      }),
    });
  } catch (error) {
    console.log(style.yellow(`The web app is not served: ${error instanceof Error ? error.message : String(error)}`));
  }

  console.log(`
${style.bold("Local stack running")} ${style.dim("(for learning only: the Cognito emulator's signing key is public)")}
  Web app          ${web ? `${web.url}   ${style.dim("(sign up, sign in, purchases; the flow inspector beside it)")}` : "not served (see above)"}
  API              ${api}
  Cognito          ${outputs.CognitoEndpoint}   pool ${outputs.UserPoolId}, app client ${outputs.UserPoolClientId}
  DynamoDB         ${outputs.DynamoDbEndpoint}   table ${outputs.TableName} (IAM enforced, as deployed)
  Identity pool    ${outputs.CognitoIdentityEndpoint}   pool ${outputs.IdentityPoolId} (step 08)
  Authorizer cache ${ttl ?? AUTHORIZER.resultsCacheTtlSeconds} s${ttl === undefined ? " (as deployed; --cache-ttl N to change)" : ""}
  Outputs file     ${relative(PROJECT_ROOT, file)}

${style.bold("Try it")} (in another terminal):
  export API=${api}
  curl -i $API/purchases                      ${style.dim("# 401: no token")}
  npm run token -- alice@acme.example acme     ${style.dim("# creates the user if needed, prints an ID token")}
  export TOKEN=<the token it printed>
  curl -i -H "Authorization: Bearer $TOKEN" $API/purchases

Codes Cognito would email (sign-up, password reset) are printed here as "mail to …" lines.
Ctrl-C stops it and deletes its data.`);

  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  console.log(style.dim("\nStopping…"));
  await web?.close();
  await stack.stop();
}

runMain(main);
