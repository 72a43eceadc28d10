/**
 * The whole system on this machine: Cognito and DynamoDB emulators, and a local
 * API Gateway serving the routes through the real authorizer and the real
 * purchases handler. One way to start it, used by `npm run local`, the demo and
 * the tests alike.
 */
import { Agent } from "node:http";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AUTHORIZER, CORS, LOCAL_WEB_APP_ORIGIN, ROUTES, STAGE_NAME } from "../runtime/purchases-api.ts";
import { createAuthorizer, type AuthorizerConfig } from "../../solutions/03-authorizer/authorizer.ts";
import {
  createPurchasesHandler,
  type PurchasesHandlerConfig,
} from "../../solutions/05-tenant-scoped-lambda/purchases-handler.ts";
import { cognitoSignOut } from "../../solutions/07-sessions/cognito-sessions.ts";
import { RevocationTable } from "../../solutions/07-sessions/revocations.ts";
import { withSessionCheck } from "../../solutions/07-sessions/session-authorizer.ts";
import type { whyRefused } from "../../solutions/07-sessions/session-check.ts";
import { createSignOutHandler, type SignOutHandlerConfig } from "../../solutions/07-sessions/sign-out-handler.ts";
import { createMeHandler } from "../../solutions/08-identity-pools/me-handler.ts";
import { revocationRecordLifetimeSeconds } from "../runtime/token-lifetimes.ts";
import type { ProxyFunction, TokenAuthorizer } from "./api-gateway/index.ts";
import { startLocalApiGateway } from "./api-gateway/index.ts";
import type { RequestTraceRecorder } from "./api-gateway/request-trace.ts";
import { startCognitoEmulator, type CognitoEmulator, type Mail } from "./cognito/cognito-emulator.ts";
import type { UserPoolConstruct } from "./cognito/user-pool-definition.ts";
import { startDynamoDbEmulator } from "./dynamodb-emulator.ts";
import type { EmulatorHost } from "./emulator-host.ts";
import { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS, LOCAL_REGION } from "./local-credentials.ts";
import { startLocalIam } from "./local-iam.ts";
import { createPurchasesTable, createRevocationsTable } from "./purchases-table-local.ts";
import type { StackOutputs } from "../outputs-file.ts";
import { workshopTemplate, type TemplateTiming } from "./workshop-template.ts";

const LOCAL_API_ID = "local";

export interface LocalStackOptions {
  /** API Gateway's authorizer cache TTL; 0 disables it. Default: the deployed API's. */
  authorizerCacheTtlSeconds?: number;
  /** The local API's port; a free one when not given. */
  apiPort?: number;
  /** Where the gateway's request log and the functions' logs go (default: nowhere). */
  log?: (line: string) => void;
  /** Called with every code the Cognito emulator mails (sign-up, password reset, a changed email). */
  onMail?: (mail: Mail) => void;
  /**
   * Swap in another user pool construct, authorizer or purchases handler (a
   * learner's step code, a mutant): same config, same wiring as the reference
   * ones. learner-pieces.ts picks them for `npm run local`.
   */
  userPoolConstruct?: UserPoolConstruct;
  createAuthorizer?: (config: AuthorizerConfig) => Promise<TokenAuthorizer> | TokenAuthorizer;
  createPurchasesHandler?: (config: PurchasesHandlerConfig) => ProxyFunction;
  /** The session check after the authorizer, and the POST /sign-out handler (step 07). */
  whyRefused?: typeof whyRefused;
  createSignOutHandler?: (config: SignOutHandlerConfig) => ProxyFunction;
  /** Methods served without the authorizer (a misconfiguration the validation step's mutants need). */
  methodsWithoutAuthorizer?: readonly string[];
  /**
   * The stage's throttle. Default: the deployed one (STAGE_THROTTLING), as it
   * should be; a caller that raises it must say why (a load test of the handler).
   */
  throttle?: import("./api-gateway/index.ts").ThrottleSettings;
  /** The gateway's clock (authorizer cache, throttle), in ms: a check moves it to expire cached policies. */
  gatewayClock?: () => number;
  /** Records each request's flow steps and the DynamoDB and Cognito calls behind it, for the web app's inspector. */
  requestTrace?: RequestTraceRecorder;
  /** Where the synthesized template came from and how long it took (memory, disk cache or synthesis). */
  onTemplateTiming?: (timing: TemplateTiming) => void;
  /**
   * Emulator processes shared with other stacks (emulator-host.ts): this
   * stack's cognito-local is a fresh instance of its own in the host's
   * process, instead of a process of its own. For a caller that starts many
   * stacks (step 06's checkpoint).
   */
  emulators?: EmulatorHost;
}

export interface LocalStack {
  outputs: StackOutputs & {
    CognitoEndpoint: string;
    DynamoDbEndpoint: string;
    CognitoIdentityEndpoint: string;
    RevocationsTableName: string;
  };
  cognito: CognitoEmulator;
  /** Calls the gateway made to the authorizer and answers it served from its cache. */
  gatewayStats: { authorizerInvocations: number; cacheHits: number };
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne();
  };
  try {
    // The roles' policies come from the synthesized stack (cached: workshop-template.ts), read while the emulators start.
    const template = workshopTemplate({ onTiming: options.onTemplateTiming });
    template.catch(() => {}); // awaited below; a failure is reported there
    const [cognito, dynamodb] = await Promise.all([
      startCognitoEmulator({
        region: LOCAL_REGION,
        onMail: options.onMail,
        userPoolConstruct: options.userPoolConstruct,
        host: options.emulators,
      }),
      startDynamoDbEmulator(),
    ]);
    stops.push(cognito.stop, dynamodb.stop);

    const tableName = `${STAGE_NAME}-purchases-local`;
    const revocationsTableName = `${STAGE_NAME}-revocations-local`;
    // IAM enforced (local-iam.ts): the DynamoDB endpoint is a gate before dynalite that checks each caller's
    // role's policies from the template; the identity pool issues credentials for its authenticated role.
    const iam = await startLocalIam({
      workshop: await template,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      dynamoDbUpstream: dynamodb.endpoint,
      names: {
        purchasesTable: tableName,
        revocationsTable: revocationsTableName,
        userPoolId: cognito.userPoolId,
        userPoolClientId: cognito.userPoolClientId,
        apiId: LOCAL_API_ID,
        stage: STAGE_NAME,
      },
      jwksUrl: cognito.jwksUrl,
    });
    stops.push(iam.close);
    // One process plays every Lambda instance at once: allow it more than the SDK's 50 sockets.
    const httpAgent = new Agent({ keepAlive: true, maxSockets: 512 });
    /** A DynamoDB client signing as `as`: a function's own role, as on Lambda, or the operator. */
    const dynamoDbAs = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => {
      const client = new DynamoDBClient({
        endpoint: iam.dynamoDbEndpoint,
        region: LOCAL_REGION,
        credentials,
        requestHandler: { httpAgent },
      });
      stops.push(async () => client.destroy());
      options.requestTrace?.instrument(client, "DynamoDB");
      return client;
    };
    const operator = dynamoDbAs(LOCAL_CREDENTIALS);
    await Promise.all([
      createPurchasesTable(operator, tableName),
      createRevocationsTable(operator, revocationsTableName),
    ]);
    const db = DynamoDBDocumentClient.from(dynamoDbAs(iam.functionCredentials("purchases")));
    const revocationsAsAuthorizer = new RevocationTable(
      DynamoDBDocumentClient.from(dynamoDbAs(iam.functionCredentials("authorizer"))),
      revocationsTableName,
    );
    const revocationsAsSignOut = new RevocationTable(
      DynamoDBDocumentClient.from(dynamoDbAs(iam.functionCredentials("signOut"))),
      revocationsTableName,
    );

    // Step 03's token check, then step 07's session check, as the deployed authorizer (authorizer-lambda.ts).
    const tokenAuthorizer = await (options.createAuthorizer ?? createAuthorizer)({
      userPoolId: cognito.userPoolId,
      clientId: cognito.userPoolClientId,
      jwksUrl: cognito.jwksUrl,
      logRejection: (reason) => log(`authorizer: token rejected (${reason})`),
    });
    const authorizer = withSessionCheck(tokenAuthorizer, {
      records: revocationsAsAuthorizer,
      whyRefused: options.whyRefused,
      logRejection: (reason) => log(`authorizer: ${reason}`),
    });
    const cognitoClient = new CognitoIdentityProviderClient({
      endpoint: cognito.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    stops.push(async () => cognitoClient.destroy());
    options.requestTrace?.instrument(cognitoClient, "Cognito");
    const signOut = (options.createSignOutHandler ?? createSignOutHandler)({
      revocations: revocationsAsSignOut,
      cognito: cognitoSignOut(cognitoClient, cognito.userPoolId, cognito.userPoolClientId),
      recordLifetimeSeconds: revocationRecordLifetimeSeconds(cognito.definition.client),
      corsAllowOrigin: LOCAL_WEB_APP_ORIGIN,
      logError: (message, error) => log(`sign-out: ${message}: ${String(error)}`),
    });
    const purchases = (options.createPurchasesHandler ?? createPurchasesHandler)({
      db,
      tableName,
      corsAllowOrigin: LOCAL_WEB_APP_ORIGIN,
      logError: (message, error) => log(`purchases: ${message}: ${String(error)}`),
    });

    const gateway = await startLocalApiGateway({
      routes: ROUTES,
      functions: { purchases, signOut, me: createMeHandler({ corsAllowOrigin: LOCAL_WEB_APP_ORIGIN }) },
      authorizer,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      stage: STAGE_NAME,
      authorizerCacheTtlSeconds: options.authorizerCacheTtlSeconds ?? AUTHORIZER.resultsCacheTtlSeconds,
      cors: { allowOrigins: [LOCAL_WEB_APP_ORIGIN], ...CORS },
      throttle: options.throttle,
      port: options.apiPort,
      methodsWithoutAuthorizer: options.methodsWithoutAuthorizer,
      clock: options.gatewayClock,
      tracer: options.requestTrace,
      iam: { credentials: iam.credentials, policiesForRole: iam.policiesForRole },
      // GET /me/cognito: API Gateway's own check of this pool's tokens (COGNITO_USER_POOLS).
      cognitoUserPool: { userPoolId: cognito.userPoolId, clientId: cognito.userPoolClientId, jwksUrl: cognito.jwksUrl },
      log,
    });
    stops.push(gateway.close);

    return {
      outputs: {
        ApiUrl: gateway.url,
        UserPoolId: cognito.userPoolId,
        UserPoolClientId: cognito.userPoolClientId,
        Region: LOCAL_REGION,
        TableName: tableName,
        CognitoEndpoint: cognito.endpoint,
        IdentityPoolId: iam.identityPoolId,
        DynamoDbEndpoint: iam.dynamoDbEndpoint,
        CognitoIdentityEndpoint: iam.cognitoIdentityEndpoint,
        RevocationsTableName: revocationsTableName,
      },
      cognito,
      gatewayStats: gateway.stats,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
