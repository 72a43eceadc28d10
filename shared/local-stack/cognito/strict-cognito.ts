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
 * - sessions: RevokeToken, GlobalSignOut, AdminUserGlobalSignOut and
 *   AdminDisableUser revoke them for Cognito's endpoints and refresh;
 *   a disabled user cannot sign in;
 * - challenges (a TOTP code, a new password): the `Session` is checked, and
 *   refusals carry Cognito's words;
 * - the JWKS, with key rotation.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Challenges, INVALID_SESSION } from "./challenges.ts";
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
const USER_DISABLED = () => new CognitoError("NotAuthorizedException", "User is disabled.");
const REFRESH_TOKEN_REVOKED = () => new CognitoError("NotAuthorizedException", "Refresh Token has been revoked");
/** A wrong code in answer to SOFTWARE_TOKEN_MFA. */
const MFA_CODE_MISMATCH = "Invalid code or auth state for the user.";
/** Refusals cognito-local words differently from Cognito. */
const COGNITO_MESSAGES: Record<string, string> = { CodeMismatchException: CODE_MISMATCH().message };

export async function startStrictCognito(options: StrictCognitoOptions): Promise<StrictCognito> {
  const { upstream, userPoolId, issuer, keys } = options;
  const rules = poolRules(options.definition);
  const sessions = new Sessions();
  const clock = options.clock ?? Date.now;
  const challenges = new Challenges((options.definition.client.AuthSessionValidity ?? 3) * 60_000, clock);
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

  /** The access token's claims, once it is known to be Cognito's, unexpired and not revoked. */
  function assertAccessToken(token: unknown): JwtClaims {
    const claims = typeof token === "string" ? keys.verified(token) : undefined;
    if (!claims || claims.token_use !== "access" || claims.iss !== issuer) {
      throw new CognitoError("NotAuthorizedException", "Invalid Access Token");
    }
    if (Number(claims.exp) * 1000 <= clock())
      throw new CognitoError("NotAuthorizedException", "Access Token has expired");
    if (sessions.isAccessTokenRevoked(claims))
      throw new CognitoError("NotAuthorizedException", "Access Token has been revoked");
    return claims;
  }

  /** A user, as an operator call names them; Cognito's answer when there is none. */
  async function adminGetUser(poolId: unknown, username: unknown): Promise<Body> {
    return forward("AdminGetUser", { UserPoolId: poolId, Username: username }).catch(userDoesNotExist);
  }

  /** Refuses a disabled user as Cognito does at sign-in and refresh. */
  async function assertEnabled(username: unknown): Promise<Body> {
    const user = await adminGetUser(userPoolId, username);
    if (user.Enabled === false) throw USER_DISABLED();
    return user;
  }

  /** Re-signs cognito-local's tokens with the claims Cognito would give them. */
  async function reissue(result: Body, refreshTokenUsed?: unknown): Promise<Body> {
    if (typeof result.IdToken !== "string" || typeof result.AccessToken !== "string") return result;
    const id = unverifiedClaims(result.IdToken);
    const access = unverifiedClaims(result.AccessToken);
    const user = await forward("AdminGetUser", { UserPoolId: userPoolId, Username: id["cognito:username"] });
    const session =
      sessions.ofRefreshToken(refreshTokenUsed) ??
      sessions.start(Number(access.auth_time), { sub: String(id.sub), username: String(user.Username) });
    if (typeof result.RefreshToken === "string") sessions.remember(result.RefreshToken, session);
    const accessJti = randomUUID();
    sessions.issued(accessJti, session);

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
      AccessToken: keys.sign({ ...access, ...sessionClaims, jti: accessJti }),
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
    const parameters = (body.AuthParameters ?? {}) as Body;
    if (parameters.REFRESH_TOKEN !== undefined) return refresh(operation, body, parameters.REFRESH_TOKEN);
    let out: Body;
    try {
      out = await forward(operation, body);
    } catch (error) {
      if (!(error instanceof CognitoError)) throw error;
      // cognito-local answers an unknown user with NotAuthorizedException, a wrong password with InvalidPasswordException.
      const unknownUser = error.type === "NotAuthorizedException" && error.message === "User not authorized";
      if (unknownUser && !rules.preventUserExistenceErrors)
        throw new CognitoError("UserNotFoundException", "User does not exist.");
      if (unknownUser || error.type === "InvalidPasswordException")
        throw new CognitoError("NotAuthorizedException", INCORRECT_CREDENTIALS);
      throw error;
    }
    // The password was right (cognito-local checked it); cognito-local lets a disabled user in.
    const user = await assertEnabled(parameters.USERNAME);
    return afterChallenge(out, String(user.Username));
  }

  async function refresh(operation: string, body: Body, refreshToken: unknown): Promise<Body> {
    const session = sessions.ofRefreshToken(refreshToken);
    if (session) {
      await assertEnabled(session.user.username).catch((error: unknown) => {
        // A deleted user's token is left to cognito-local, which no longer finds it.
        if (!(error instanceof CognitoError && error.type === "UserNotFoundException")) throw error;
      });
      // Revoked by RevokeToken, a global sign-out or AdminDisableUser; cognito-local may still hold it.
      if (sessions.isRevoked(session.originJti)) throw REFRESH_TOKEN_REVOKED();
    }
    try {
      return await afterChallenge(await forward(operation, body), session?.user.username, refreshToken);
    } catch (error) {
      if (error instanceof CognitoError && error.type === "NotAuthorizedException")
        throw new CognitoError("NotAuthorizedException", "Invalid Refresh Token");
      throw error;
    }
  }

  /** A sign-in's answer: a challenge to answer (with a Session the front checks), or tokens as Cognito issues them. */
  async function afterChallenge(out: Body, username?: string, refreshToken?: unknown): Promise<Body> {
    if (typeof out.ChallengeName === "string" && out.Session !== undefined && username !== undefined) {
      return { ...out, Session: challenges.open(username, out.ChallengeName, out.Session) };
    }
    const result = out.AuthenticationResult as Body | undefined;
    return result ? { ...out, AuthenticationResult: await reissue(result, refreshToken) } : out;
  }

  async function respondToChallenge(operation: string, body: Body): Promise<Body> {
    const responses = (body.ChallengeResponses ?? {}) as Body;
    const pending = challenges.find(body.Session, body.ChallengeName);
    const user = await forward("AdminGetUser", { UserPoolId: userPoolId, Username: responses.USERNAME }).catch(
      () => undefined,
    );
    if (user?.Username !== pending.username) throw new CognitoError("NotAuthorizedException", INVALID_SESSION);
    if (body.ChallengeName === "NEW_PASSWORD_REQUIRED") rules.assertPassword(responses.NEW_PASSWORD);
    let out: Body;
    try {
      out = await forward(operation, { ...body, Session: pending.upstreamSession });
    } catch (error) {
      // The session stays open: the user may type the code again.
      const wrongCode = error instanceof CognitoError && error.type === "CodeMismatchException";
      if (wrongCode && body.ChallengeName === "SOFTWARE_TOKEN_MFA")
        throw new CognitoError("CodeMismatchException", MFA_CODE_MISMATCH);
      throw error;
    }
    challenges.close(pending.session);
    return afterChallenge(out, pending.username);
  }

  /** AWS takes a Session here only from an MFA_SETUP challenge, which this front never opens (MFA ON is not emulated). */
  function assertNoSetupSession(body: Body): void {
    if (body.AccessToken === undefined && body.Session !== undefined)
      throw new CognitoError("NotAuthorizedException", INVALID_SESSION);
  }

  /** Each operation the front changes; `caller` is the verified access token's claims, when the call carries one. */
  const operations: Record<string, (body: Body, caller?: JwtClaims) => Promise<Body>> = {
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
    // cognito-local has neither sign-out: the front revokes every session the user has so far.
    async GlobalSignOut(_body, caller) {
      sessions.revokeUser(String(caller?.sub));
      return {};
    },
    async AdminUserGlobalSignOut(body) {
      sessions.revokeUser(subOf(await adminGetUser(body.UserPoolId, body.Username)));
      return {};
    },
    // "Deactivates a user profile and revokes all access tokens for the user. A deactivated user can't sign in."
    async AdminDisableUser(body) {
      const user = await adminGetUser(body.UserPoolId, body.Username);
      const out = await forward("AdminDisableUser", body);
      sessions.revokeUser(subOf(user));
      return out;
    },
    AdminEnableUser: (body) => forward("AdminEnableUser", body).catch(userDoesNotExist),
    async AssociateSoftwareToken(body) {
      assertNoSetupSession(body);
      return forward("AssociateSoftwareToken", body);
    },
    async VerifySoftwareToken(body) {
      assertNoSetupSession(body);
      return forward("VerifySoftwareToken", body).catch((error: unknown) => {
        if (error instanceof CognitoError && error.type === "CodeMismatchException")
          throw new CognitoError("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA");
        throw error;
      });
    },
    async SetUserMFAPreference(body) {
      return forward("SetUserMFAPreference", body).catch((error: unknown) => {
        if (error instanceof CognitoError && error.message === "User has not verified software token MFA")
          throw new CognitoError(
            "InvalidParameterException",
            "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA",
          );
        throw error;
      });
    },
  };

  async function handle(operation: string, body: Body): Promise<Body> {
    // Every call that carries an access token is refused when the token is forged, expired or revoked.
    const caller = "AccessToken" in body ? assertAccessToken(body.AccessToken) : undefined;
    const run = operations[operation];
    return run ? run(body, caller) : forward(operation, body);
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

/** The user's `sub`, from an AdminGetUser answer. */
function subOf(user: Body): string {
  const sub = (user.UserAttributes as Attribute[] | undefined)?.find((a) => a.Name === "sub")?.Value;
  return sub ?? String(user.Username);
}

/** Cognito's words for an operator call naming no user (cognito-local says "User not found."). */
function userDoesNotExist(error: unknown): never {
  if (error instanceof CognitoError && error.type === "UserNotFoundException")
    throw new CognitoError("UserNotFoundException", "User does not exist.");
  throw error;
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
