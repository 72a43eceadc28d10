// Runs cognito-local as a child of the local stack.
//
// 1. It ends when the parent goes away (its stdin closes), even if the parent
//    was killed without a goodbye: nothing is left running, and the throw-away
//    data directory goes too.
// 2. Every code cognito-local "sends" (sign-up, password reset, attribute
//    verification) goes to the parent as a message, instead of a box drawn on
//    a console nobody sees; the parent shows it as a mail line.
const { rmSync } = require("node:fs");
const { basename, dirname } = require("node:path");

const dataDir = process.cwd();
function exitWithParent() {
  if (basename(dataDir).startsWith("workshop-cognito-")) rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}
process.stdin.on("end", exitWithParent);
process.stdin.on("error", exitWithParent);
process.stdin.resume();

const cognitoLocalDir = dirname(require.resolve("cognito-local/package.json"));
const { ConsoleMessageSender } = require(`${cognitoLocalDir}/lib/services/messageDelivery/consoleMessageSender.js`);
ConsoleMessageSender.prototype.sendToConsole = (_ctx, user, destination, message) => {
  process.send?.({ type: "mail", username: user.Username, to: destination, code: message.__code });
  return Promise.resolve();
};

// 3. Two of cognito-local's targets are mended where it parts from Cognito in
//    a way the strict front cannot see from outside:
//    - RespondToAuthChallenge issues a refresh token but never stores it, so a
//      session signed in through a challenge (an MFA code, a new password)
//      could not be refreshed;
//    - InitiateAuth answers NEW_PASSWORD_REQUIRED before it checks the
//      temporary password, so anyone could set a new user's password.
const { Targets } = require(`${cognitoLocalDir}/lib/targets/targets.js`);
const { InvalidPasswordError } = require(`${cognitoLocalDir}/lib/errors.js`);
const respondToAuthChallenge = Targets.RespondToAuthChallenge;
Targets.RespondToAuthChallenge = (services) => {
  const respond = respondToAuthChallenge(services);
  return async (ctx, req) => {
    const out = await respond(ctx, req);
    const refreshToken = out?.AuthenticationResult?.RefreshToken;
    if (refreshToken) {
      const userPool = await services.cognito.getUserPoolForClientId(ctx, req.ClientId);
      const user = await userPool.getUserByUsername(ctx, req.ChallengeResponses.USERNAME);
      if (user) await userPool.storeRefreshToken(ctx, refreshToken, user);
    }
    return out;
  };
};
const initiateAuth = Targets.InitiateAuth;
Targets.InitiateAuth = (services) => {
  const initiate = initiateAuth(services);
  return async (ctx, req) => {
    if (req.AuthFlow === "USER_PASSWORD_AUTH" && req.AuthParameters?.USERNAME) {
      const userPool = await services.cognito.getUserPoolForClientId(ctx, req.ClientId);
      const user = await userPool.getUserByUsername(ctx, req.AuthParameters.USERNAME);
      if (user?.UserStatus === "FORCE_CHANGE_PASSWORD" && user.Password !== req.AuthParameters.PASSWORD) {
        throw new InvalidPasswordError();
      }
    }
    return initiate(ctx, req);
  };
};

// 4. It loads cognito-local at once, but starts the server (which reads the data
//    directory's pools) only when the parent says the pool's file is written.
require(`${cognitoLocalDir}/lib/server`);
process.on("message", (message) => {
  if (message?.type === "start") require("cognito-local/lib/bin/start.js");
});
