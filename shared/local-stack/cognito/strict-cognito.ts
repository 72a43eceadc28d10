/**
 * The strict front of the Cognito emulator: an HTTP server before
 * cognito-local that refuses what the deployed pool refuses and issues tokens
 * the way Cognito does. cognito-local keeps the users, codes and flows; this
 * adds only what it stores but does not enforce:
 *
 * - the app client's write attributes, auth flows and PreventUserExistenceErrors;
 * - the password policy, wherever a password is set;
 * - ID tokens that carry the client's read attributes, typed as Cognito types
 *   them; `jti` and `origin_jti`; `ExpiresIn` and `TokenType`;
 * - `email_verified` once a sign-up is confirmed with the emailed code;
 * - access tokens verified (signature, expiry, revocation) wherever one is sent;
 * - the JWKS, with key rotation.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CognitoError } from "./cognito-error.ts";
import { maskedEmail, poolRules } from "./pool-rules.ts";
import { Sessions } from "./sessions.ts";
import { unverifiedClaims, type JwtClaims, type SigningKeys } from "./signing-keys.ts";
import type { UserPoolDefinition } from "./user-pool-definition.ts";

export interface StrictCognitoOptions {
  /** cognito-local's endpoint. */
  upstream: string;
  definition: UserPoolDefinition;
  userPoolId: string;
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>`: the tokens' `iss`. */
  issuer: string;
  keys: SigningKeys;
  port?: number;
  /** Milliseconds since the epoch. */
  clock?: () => number;
}

export interface StrictCognito {
  endpoint: string;
  close(): Promise<void>;
}

type Body = Record<string, unknown>;
type Attribute = { Name: string; Value?: string };

/** ID token claims Cognito sets itself; every other claim is a user attribute the client may read. */
const ID_TOKEN_OWN_CLAIMS = [
  "sub",
  "aud",
  "iss",
  "exp",
  "iat",
  "auth_time",
  "token_use",
  "event_id",
  "cognito:username",
  "cognito:groups",
];
const INCORRECT_CREDENTIALS = "Incorrect username or password.";
const CODE_MISMATCH = () =>
  new CognitoError("CodeMismatchException", "Invalid verification code provided, please try again.");
/** Refusals cognito-local words differently from Cognito. */
const COGNITO_MESSAGES: Record<string, string> = { CodeMismatchException: CODE_MISMATCH().message };

export async function startStrictCognito(options: StrictCognitoOptions): Promise<StrictCognito> {
  const { upstream, userPoolId, issuer, keys } = options;
  const rules = poolRules(options.definition);
  const sessions = new Sessions();
  const clock = options.clock ?? Date.now;
  const emailIsVerifiedByCode = options.definition.pool.AutoVerifiedAttributes?.includes("email") ?? false;

  async function forward(operation: string, body: Body): Promise<Body> {
    const response = await fetch(`${upstream}/`, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => ({}))) as Body;
    if (response.ok) return answer;
    const type = String(answer.__type ?? "InternalErrorException");
    throw new CognitoError(
      type,
      COGNITO_MESSAGES[type] ?? String(answer.message ?? response.statusText),
      response.status,
    );
  }

  /** Cognito's answer for a user that does not exist, as the client's PreventUserExistenceErrors setting has it. */
  async function unknownUserAs<T>(call: () => Promise<T>, prevented: () => T): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const unknownUser = error instanceof CognitoError && error.type === "UserNotFoundException";
      if (unknownUser && rules.preventUserExistenceErrors) return prevented();
      if (unknownUser) throw new CognitoError("UserNotFoundException", "Username/client id combination not found.");
      throw error;
    }
  }

  function assertAccessToken(token: unknown): void {
    const claims = typeof token === "string" ? keys.verified(token) : undefined;
    if (!claims || claims.token_use !== "access" || claims.iss !== issuer) {
      throw new CognitoError("NotAuthorizedException", "Invalid Access Token");
    }
    if (Number(claims.exp) * 1000 <= clock())
      throw new CognitoError("NotAuthorizedException", "Access Token has expired");
    if (sessions.isRevoked(claims.origin_jti))
      throw new CognitoError("NotAuthorizedException", "Access Token has been revoked");
  }

  /** Re-signs cognito-local's tokens with the claims Cognito would give them. */
  async function reissue(result: Body, refreshTokenUsed?: unknown): Promise<Body> {
    if (typeof result.IdToken !== "string" || typeof result.AccessToken !== "string") return result;
    const id = unverifiedClaims(result.IdToken);
    const access = unverifiedClaims(result.AccessToken);
    const session = sessions.ofRefreshToken(refreshTokenUsed) ?? sessions.start(Number(access.auth_time));
    if (typeof result.RefreshToken === "string") sessions.remember(result.RefreshToken, session);

    const user = await forward("AdminGetUser", { UserPoolId: userPoolId, Username: id["cognito:username"] });
    const sessionClaims = {
      auth_time: session.authTime,
      ...(rules.tokenRevocation ? { origin_jti: session.originJti } : {}),
    };
    const idClaims: JwtClaims = Object.fromEntries(ID_TOKEN_OWN_CLAIMS.filter((c) => c in id).map((c) => [c, id[c]]));
    return {
      ...result,
      IdToken: keys.sign({
        ...idClaims,
        ...readableClaims(user.UserAttributes as Attribute[]),
        ...sessionClaims,
        jti: randomUUID(),
      }),
      AccessToken: keys.sign({ ...access, ...sessionClaims, jti: randomUUID() }),
      ExpiresIn: rules.accessTokenSeconds,
      TokenType: "Bearer",
    };
  }

  /** The user's attributes the app client may read, typed as Cognito types them in an ID token. */
  function readableClaims(attributes: Attribute[] = []): JwtClaims {
    const readable = attributes.filter((a) => a.Name !== "sub" && rules.canRead(a.Name));
    return Object.fromEntries(
      readable.map((a) => [a.Name, a.Name.endsWith("_verified") ? a.Value === "true" : a.Value]),
    );
  }

  async function signIn(operation: string, body: Body): Promise<Body> {
    rules.assertFlow(body.AuthFlow);
    const refreshToken = (body.AuthParameters as Body | undefined)?.REFRESH_TOKEN;
    try {
      return await afterChallenge(await forward(operation, body), refreshToken);
    } catch (error) {
      if (!(error instanceof CognitoError)) throw error;
      if (refreshToken !== undefined && error.type === "NotAuthorizedException") {
        const revoked = sessions.isRevoked(sessions.ofRefreshToken(refreshToken)?.originJti);
        throw new CognitoError(
          "NotAuthorizedException",
          revoked ? "Refresh Token has been revoked" : "Invalid Refresh Token",
        );
      }
      // cognito-local answers an unknown user with NotAuthorizedException, a wrong password with InvalidPasswordException.
      const unknownUser = error.type === "NotAuthorizedException" && error.message === "User not authorized";
      if (unknownUser && !rules.preventUserExistenceErrors)
        throw new CognitoError("UserNotFoundException", "User does not exist.");
      if (unknownUser || error.type === "InvalidPasswordException")
        throw new CognitoError("NotAuthorizedException", INCORRECT_CREDENTIALS);
      throw error;
    }
  }

  async function afterChallenge(out: Body, refreshToken?: unknown): Promise<Body> {
    const result = out.AuthenticationResult as Body | undefined;
    return result ? { ...out, AuthenticationResult: await reissue(result, refreshToken) } : out;
  }

  async function respondToChallenge(operation: string, body: Body): Promise<Body> {
    const responses = (body.ChallengeResponses ?? {}) as Body;
    if (body.ChallengeName === "NEW_PASSWORD_REQUIRED") rules.assertPassword(responses.NEW_PASSWORD);
    return afterChallenge(await forward(operation, body));
  }

  const operations: Record<string, (body: Body) => Promise<Body>> = {
    async SignUp(body) {
      rules.assertWritable(attributeNames(body.UserAttributes));
      rules.assertPassword(body.Password);
      return masked(await forward("SignUp", body));
    },
    async ConfirmSignUp(body) {
      // cognito-local answers an unknown user with NotAuthorizedException.
      const out = await unknownUserAs(
        () => forward("ConfirmSignUp", body).catch(asUserNotFound("NotAuthorizedException")),
        () => {
          throw CODE_MISMATCH();
        },
      );
      // The code went to the address, so entering it proves the address.
      if (emailIsVerifiedByCode) {
        const user = await forward("AdminGetUser", { UserPoolId: userPoolId, Username: body.Username });
        const email = (user.UserAttributes as Attribute[] | undefined)?.find((a) => a.Name === "email");
        // cognito-local verifies an address only when told the address too.
        if (email) {
          await forward("AdminUpdateUserAttributes", {
            UserPoolId: userPoolId,
            Username: body.Username,
            UserAttributes: [email, { Name: "email_verified", Value: "true" }],
          });
        }
      }
      return out;
    },
    InitiateAuth: (body) => signIn("InitiateAuth", body),
    AdminInitiateAuth: (body) => signIn("AdminInitiateAuth", body),
    RespondToAuthChallenge: (body) => respondToChallenge("RespondToAuthChallenge", body),
    AdminRespondToAuthChallenge: (body) => respondToChallenge("AdminRespondToAuthChallenge", body),
    async ForgotPassword(body) {
      const simulated = {
        CodeDeliveryDetails: {
          AttributeName: "email",
          DeliveryMedium: "EMAIL",
          Destination: maskedEmail(String(body.Username)),
        },
      };
      return masked(
        await unknownUserAs(
          () => forward("ForgotPassword", body),
          () => simulated,
        ),
      );
    },
    async ConfirmForgotPassword(body) {
      rules.assertPassword(body.Password);
      return unknownUserAs(
        () => forward("ConfirmForgotPassword", body),
        () => {
          throw CODE_MISMATCH();
        },
      );
    },
    async ChangePassword(body) {
      rules.assertPassword(body.ProposedPassword);
      return forward("ChangePassword", body);
    },
    async AdminSetUserPassword(body) {
      rules.assertPassword(body.Password);
      return forward("AdminSetUserPassword", body);
    },
    async AdminCreateUser(body) {
      if (body.TemporaryPassword !== undefined) rules.assertPassword(body.TemporaryPassword);
      return forward("AdminCreateUser", body);
    },
    async UpdateUserAttributes(body) {
      rules.assertWritable(attributeNames(body.UserAttributes));
      return masked(await forward("UpdateUserAttributes", body));
    },
    async DeleteUserAttributes(body) {
      rules.assertWritable(Array.isArray(body.UserAttributeNames) ? body.UserAttributeNames.map(String) : []);
      return forward("DeleteUserAttributes", body);
    },
    async RevokeToken(body) {
      const out = await forward("RevokeToken", body);
      sessions.revoke(body.Token);
      return out;
    },
  };

  async function handle(operation: string, body: Body): Promise<Body> {
    // Every call that carries an access token is refused when the token is forged, expired or revoked.
    if ("AccessToken" in body) assertAccessToken(body.AccessToken);
    const run = operations[operation];
    return run ? run(body) : forward(operation, body);
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "OPTIONS") return send(res, 204, undefined, preflightHeaders(req));
    if (req.method === "GET" && path === `/${userPoolId}/.well-known/jwks.json`) return send(res, 200, keys.jwks());
    if (req.method === "GET" && path === `/${userPoolId}/.well-known/openid-configuration`) {
      return send(res, 200, {
        issuer,
        jwks_uri: `${endpoint}${path.replace("openid-configuration", "jwks.json")}`,
        id_token_signing_alg_values_supported: ["RS256"],
      });
    }
    if (req.method === "GET") return send(res, (await fetch(`${upstream}${path}`)).status, {});

    const target = req.headers["x-amz-target"];
    const operation = typeof target === "string" ? target.split(".")[1] : undefined;
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req)) || "{}");
    } catch {
      return send(res, 400, { __type: "SerializationException", message: "The request body is not JSON." });
    }
    if (!operation || typeof body !== "object" || body === null || Array.isArray(body)) {
      return send(res, 400, {
        __type: "UnknownOperationException",
        message: "Missing or invalid x-amz-target header.",
      });
    }
    try {
      send(res, 200, await handle(operation, body as Body));
    } catch (error) {
      if (!(error instanceof CognitoError)) throw error;
      send(res, error.status, error.body, { "x-amzn-errortype": error.type });
    }
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { __type: "InternalErrorException", message: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function attributeNames(attributes: unknown): string[] {
  return Array.isArray(attributes) ? attributes.map((a: Attribute) => String(a?.Name)) : [];
}

/** Maps cognito-local's answer for an unknown user to UserNotFoundException, so one rule handles all. */
function asUserNotFound(type: string) {
  return (error: unknown): never => {
    if (error instanceof CognitoError && error.type === type && error.message === "User not authorized") {
      throw new CognitoError("UserNotFoundException", "User does not exist.");
    }
    throw error;
  };
}

/** Cognito never shows the whole address a code went to. */
function masked(out: Body): Body {
  const mask = (details: Body) =>
    typeof details.Destination === "string" && details.Destination.includes("@")
      ? { ...details, Destination: maskedEmail(details.Destination) }
      : details;
  const single = out.CodeDeliveryDetails as Body | undefined;
  const list = out.CodeDeliveryDetailsList as Body[] | undefined;
  return {
    ...out,
    ...(single ? { CodeDeliveryDetails: mask(single) } : {}),
    ...(list ? { CodeDeliveryDetailsList: list.map(mask) } : {}),
  };
}

/** Cognito's API answers browsers from any origin. */
function preflightHeaders(req: IncomingMessage): Record<string, string> {
  return {
    "access-control-allow-methods": "GET, POST, OPTIONS",
    "access-control-allow-headers":
      req.headers["access-control-request-headers"] ?? "content-type, x-amz-target, x-amz-user-agent",
    "access-control-max-age": "86400",
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    "access-control-allow-origin": "*",
    ...(body === undefined ? {} : { "content-type": "application/x-amz-json-1.1" }),
    ...headers,
  });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
