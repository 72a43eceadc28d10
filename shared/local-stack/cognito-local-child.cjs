// Runs cognito-local as a child of the local stack, and ends it when the parent
// goes away (its stdin closes), even if the parent was killed without a goodbye:
// nothing is left running, and the throw-away data directory goes too.
const { rmSync } = require("node:fs");
const { basename } = require("node:path");

function exitWithParent() {
  const dataDir = process.cwd();
  if (basename(dataDir).startsWith("workshop-cognito-")) rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}
process.stdin.on("end", exitWithParent);
process.stdin.on("error", exitWithParent);
process.stdin.resume();
require("cognito-local/lib/bin/start.js");
