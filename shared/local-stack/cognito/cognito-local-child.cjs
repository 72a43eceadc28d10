// Runs cognito-local as a child of the local stack: one process, which loads
// cognito-local once (half a second of CPU) and serves any number of
// cognito-local instances, one per stack (cognito-emulator.ts).
//
// Each instance is what a cognito-local process of its own would be: its own
// HTTP server on its own port, its own data directory (its config, its pools,
// its app clients), its own services (clock, token generator, triggers,
// message delivery), built as cognito-local's createDefaultServer builds them
// (lib/server/defaults.js), with absolute directories instead of the process's
// working directory. An instance only has its own pool: nothing one stack does
// reaches another's users, clients or codes.
//
// 1. It ends when the parent goes away (its stdin closes), even if the parent
//    was killed without a goodbye: nothing is left running, and the instances'
//    throw-away data directories go too.
// 2. Every code cognito-local "sends" (sign-up, password reset, attribute
//    verification) goes to the parent as a message naming its instance,
//    instead of a box drawn on a console nobody sees; the parent shows it as a
//    mail line.
//
// Messages: parent → child {type: "start", id, dataDir} (the data directory's
// .cognito/config.json and pool file written), answered {type: "started", id,
// port} or {type: "start-failed", id, error}; {type: "stop", id}, answered
// {type: "stopped", id}. Child → parent: {type: "mail", id, to, code}.
const { rmSync } = require("node:fs");
const { rm } = require("node:fs/promises");
const { basename, dirname, join } = require("node:path");

/** id → { server, dataDir } */
const instances = new Map();
function removeDataDir(dataDir) {
  if (basename(dataDir).startsWith("workshop-cognito-")) rmSync(dataDir, { recursive: true, force: true });
}
function exitWithParent() {
  for (const { dataDir } of instances.values()) removeDataDir(dataDir);
  process.exit(0);
}
process.stdin.on("end", exitWithParent);
process.stdin.on("error", exitWithParent);
process.stdin.resume();
// A late failure of one instance (a request still running as its stack stopped) must not take the others down.
process.on("unhandledRejection", (error) => console.error("cognito-local: unhandled rejection:", error));

const cognitoLocalDir = dirname(require.resolve("cognito-local/package.json"));
const lib = (path) => require(`${cognitoLocalDir}/lib/${path}`);
/** A package as cognito-local itself resolves it. */
const dependency = (name) => require(require.resolve(name, { paths: [cognitoLocalDir] }));

// 3. Two of cognito-local's targets are mended where it parts from Cognito in
//    a way the strict front cannot see from outside:
//    - RespondToAuthChallenge issues a refresh token but never stores it, so a
//      session signed in through a challenge (an MFA code, a new password)
//      could not be refreshed;
//    - InitiateAuth answers NEW_PASSWORD_REQUIRED before it checks the
//      temporary password, so anyone could set a new user's password.
const { Targets } = lib("targets/targets.js");
const { InvalidPasswordError } = lib("errors.js");
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

// 4. It loads cognito-local at once (the parent meanwhile synthesizes the pool),
//    and starts an instance when the parent says its pool's file is written.
const AWS = dependency("aws-sdk");
const { DateClock, LambdaService, MessagesService, TriggersService } = lib("services/index.js");
const { CognitoServiceFactoryImpl } = lib("services/cognitoService.js");
const { CryptoService } = lib("services/crypto.js");
const { StormDBDataStoreFactory } = lib("services/dataStore/stormDb.js");
const { ConsoleMessageSender } = lib("services/messageDelivery/consoleMessageSender.js");
const { MessageDeliveryService } = lib("services/messageDelivery/messageDelivery.js");
const { otp } = lib("services/otp.js");
const { JwtTokenGenerator } = lib("services/tokenGenerator.js");
const { UserPoolServiceFactoryImpl } = lib("services/userPoolService.js");
const { loadConfig } = lib("server/config.js");
const { Router } = lib("server/Router.js");
const { createServer } = lib("server/server.js");
// The logger of cognito-local's own start (lib/bin/start.js).
const logger = dependency("pino")(
  { level: process.env.DEBUG ? "debug" : "info" },
  dependency("pino-pretty")({
    colorize: true,
    ignore: "pid,name,hostname",
    singleLine: true,
    messageFormat: (log, messageKey) => `${log.reqId ?? "NONE"} ${log.target ?? "NONE"} ${log[messageKey]}`,
  }),
);

/** cognito-local's createDefaultServer, for the data directory `dataDir` (its `.cognito`), mailing as `id`. */
async function startInstance(id, dataDir) {
  const configDirectory = join(dataDir, ".cognito");
  const dataDirectory = join(configDirectory, "db");
  const ctx = { logger };
  const config = await loadConfig(ctx, new StormDBDataStoreFactory(configDirectory));
  const clock = new DateClock();
  const dataStoreFactory = new StormDBDataStoreFactory(dataDirectory);
  const cognitoServiceFactory = new CognitoServiceFactoryImpl(
    dataDirectory,
    dataStoreFactory,
    new UserPoolServiceFactoryImpl(clock, dataStoreFactory),
  );
  const cognitoClient = await cognitoServiceFactory.create(ctx, config.UserPoolDefaults);
  const triggers = new TriggersService(
    clock,
    cognitoClient,
    new LambdaService(config.TriggerFunctions, new AWS.Lambda(config.LambdaClient)),
    new CryptoService(config.KMSConfig),
  );
  const sender = new ConsoleMessageSender();
  sender.sendToConsole = (_ctx, _user, destination, message) => {
    process.send?.({ type: "mail", id, to: destination, code: message.__code });
    return Promise.resolve();
  };
  const services = {
    clock,
    cognito: cognitoClient,
    config,
    messages: new MessagesService(triggers, new MessageDeliveryService(sender)),
    otp,
    tokenGenerator: new JwtTokenGenerator(clock, triggers, config.TokenConfig),
    triggers,
  };
  return createServer(Router(services), logger, config.ServerConfig, services).start();
}

async function stopInstance(id) {
  const instance = instances.get(id);
  if (!instance) return;
  instances.delete(id);
  await new Promise((resolve) => {
    instance.server.close(() => resolve());
    instance.server.closeAllConnections();
  });
  if (basename(instance.dataDir).startsWith("workshop-cognito-")) {
    await rm(instance.dataDir, { recursive: true, force: true });
  }
}

process.on("message", (message) => {
  if (message?.type === "start") {
    const { id, dataDir } = message;
    startInstance(id, dataDir).then(
      (server) => {
        instances.set(id, { server, dataDir });
        process.send?.({ type: "started", id, port: server.address().port });
      },
      (error) => process.send?.({ type: "start-failed", id, error: String(error?.stack ?? error) }),
    );
  } else if (message?.type === "stop") {
    const { id } = message;
    stopInstance(id).then(
      () => process.send?.({ type: "stopped", id }),
      (error) => {
        console.error(`cognito-local: instance ${id} did not stop cleanly:`, error);
        process.send?.({ type: "stopped", id });
      },
    );
  }
});
