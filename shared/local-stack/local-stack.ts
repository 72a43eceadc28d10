/**
 * The whole system on this machine: Cognito and DynamoDB emulators, and a local
 * API Gateway serving the routes through the real authorizer and the real
 * purchases handler. One way to start it, used by `npm run local`, the demo and
 * the tests alike.
 */
import { Agent } from "node:http";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AUTHORIZER, CORS, LOCAL_WEB_APP_ORIGIN, ROUTES, STAGE_NAME } from "../runtime/purchases-api.ts";
import { createAuthorizer, type AuthorizerConfig } from "../../solutions/03-authorizer/authorizer.ts";
import {
  createPurchasesHandler,
  type PurchasesHandlerConfig,
} from "../../solutions/05-tenant-scoped-lambda/purchases-handler.ts";
import type { ProxyFunction, TokenAuthorizer } from "./api-gateway/index.ts";
import { startLocalApiGateway } from "./api-gateway/index.ts";
import { startCognitoEmulator, type CognitoEmulator, type Mail } from "./cognito/cognito-emulator.ts";
import type { UserPoolConstruct } from "./cognito/user-pool-definition.ts";
import { startDynamoDbEmulator } from "./dynamodb-emulator.ts";
import { LOCAL_CREDENTIALS } from "./local-credentials.ts";
import { createPurchasesTable } from "./purchases-table-local.ts";
import type { StackOutputs } from "../outputs-file.ts";

export const LOCAL_REGION = "us-east-1";
export const LOCAL_ACCOUNT_ID = "000000000000";

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
  /** Methods served without the authorizer (a misconfiguration the validation step's mutants need). */
  methodsWithoutAuthorizer?: readonly string[];
  /**
   * The stage's throttle. Default: the deployed one (STAGE_THROTTLING), as it
   * should be; a caller that raises it must say why (a load test of the handler).
   */
  throttle?: import("./api-gateway/index.ts").ThrottleSettings;
}

export interface LocalStack {
  outputs: StackOutputs & { CognitoEndpoint: string; DynamoDbEndpoint: string };
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
    const [cognito, dynamodb] = await Promise.all([
      startCognitoEmulator({
        region: LOCAL_REGION,
        onMail: options.onMail,
        userPoolConstruct: options.userPoolConstruct,
      }),
      startDynamoDbEmulator(),
    ]);
    stops.push(cognito.stop, dynamodb.stop);

    const tableName = `${STAGE_NAME}-purchases-local`;
    const dynamoClient = new DynamoDBClient({
      endpoint: dynamodb.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      // One process plays every Lambda instance at once: allow it more than the SDK's 50 sockets.
      requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 512 }) },
    });
    stops.push(async () => dynamoClient.destroy());
    await createPurchasesTable(dynamoClient, tableName);

    const authorizer = await (options.createAuthorizer ?? createAuthorizer)({
      userPoolId: cognito.userPoolId,
      clientId: cognito.userPoolClientId,
      jwksUrl: cognito.jwksUrl,
      logRejection: (reason) => log(`authorizer: token rejected (${reason})`),
    });
    const purchases = (options.createPurchasesHandler ?? createPurchasesHandler)({
      db: DynamoDBDocumentClient.from(dynamoClient),
      tableName,
      corsAllowOrigin: LOCAL_WEB_APP_ORIGIN,
      logError: (message, error) => log(`purchases: ${message}: ${String(error)}`),
    });

    const gateway = await startLocalApiGateway({
      routes: ROUTES,
      functions: { purchases },
      authorizer,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      apiId: "local",
      stage: STAGE_NAME,
      authorizerCacheTtlSeconds: options.authorizerCacheTtlSeconds ?? AUTHORIZER.resultsCacheTtlSeconds,
      cors: { allowOrigins: [LOCAL_WEB_APP_ORIGIN], ...CORS },
      throttle: options.throttle,
      port: options.apiPort,
      methodsWithoutAuthorizer: options.methodsWithoutAuthorizer,
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
        DynamoDbEndpoint: dynamodb.endpoint,
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
