// Runs cognito-local as a child of the local stack.
//
// 1. It ends when the parent goes away (its stdin closes), even if the parent
//    was killed without a goodbye: nothing is left running, and the throw-away
//    data directory goes too.
// 2. Its signing key can be rotated, as Cognito's can: `signing-keys.json` in
//    the data directory names the key tokens are signed with and the keys the
//    JWKS publishes. cognito-local itself signs with one fixed key and kid.
const { readFileSync, rmSync } = require("node:fs");
const { basename, dirname, join } = require("node:path");

const dataDir = process.cwd();
function exitWithParent() {
  if (basename(dataDir).startsWith("workshop-cognito-")) rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}
process.stdin.on("end", exitWithParent);
process.stdin.on("error", exitWithParent);
process.stdin.resume();

/** `{ current: { kid, privateKeyPem }, published: [jwk, …] }`, re-read on each use (it changes on rotation). */
const signingKeys = () => JSON.parse(readFileSync(join(dataDir, "signing-keys.json"), "utf8"));

const cognitoLocalDir = dirname(require.resolve("cognito-local/package.json"));
const fromCognitoLocal = (id) => require.resolve(id, { paths: [cognitoLocalDir] });

const jwt = require(fromCognitoLocal("jsonwebtoken"));
const sign = jwt.sign;
jwt.sign = (payload, key, options = {}, ...rest) => {
  if (options.keyid !== "CognitoLocal") return sign(payload, key, options, ...rest);
  const { current } = signingKeys();
  return sign(payload, current.privateKeyPem, { ...options, keyid: current.kid }, ...rest);
};

const expressPath = fromCognitoLocal("express");
const express = require(expressPath);
function expressPublishingAllKeys(...args) {
  const app = express(...args);
  const get = app.get.bind(app);
  app.get = (path, ...handlers) =>
    path === "/:userPoolId/.well-known/jwks.json"
      ? get(path, (_req, res) => res.status(200).json({ keys: signingKeys().published }))
      : get(path, ...handlers);
  return app;
}
require.cache[expressPath].exports = Object.assign(expressPublishingAllKeys, express);

require("cognito-local/lib/bin/start.js");
