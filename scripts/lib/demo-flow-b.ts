/**
 * The demo's step 08 chapter, Flow B: alice's ID token traded at the identity
 * pool for AWS credentials, which read DynamoDB straight from the client
 * (IAM keeps her in acme's partition) and sign GET /me/iam; then the three
 * `/me` routes side by side, one per authorizer type.
 *
 * The client is the reference, solutions/08-identity-pools/flow-b-client.ts,
 * on every run, `--mine` too: the demo takes the learner's code only where
 * the stack runs it (learner-pieces.ts), and its client calls (sign-in,
 * provisioning) are the reference's. Step 08's checkpoint runs the learner's
 * client. Calls through the AWS SDK print as one line naming the service, the
 * operation and what it is called with; plain HTTP calls print as curl.
 */
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import {
  credentialsForIdToken,
  documentClientFor,
  loginsKey,
  queryTenantPurchases,
  signedGet,
  type FlowBConfig,
} from "../../solutions/08-identity-pools/flow-b-client.ts";
import type { StackOutputs } from "../../shared/outputs-file.ts";
import { style } from "./console-style.ts";
import { DEMO_USERS, type DemoUserName } from "./demo-cast.ts";
import type { CurlPrinter, HttpResult } from "./http-call.ts";

export const FLOW_B_CLIENT = "solutions/08-identity-pools/flow-b-client.ts";

/** What the chapter needs of the demo's story (scripts/demo.ts). */
export interface FlowBStory {
  chapter(flowSteps: string, title: string): void;
  say(text: string): void;
  check(ok: boolean, what: string, detail?: string): void;
  expectStatus(result: HttpResult, expected: number, what: string, shown?: string): void;
}

/** The ID and access tokens each demo user got when signing in (the story's first chapter). */
export type FlowBTokens = Record<DemoUserName, { idToken: string; accessToken: string }>;

/** The client's settings from the stack's outputs; undefined when the stack has no identity pool. */
export function flowBConfig(outputs: StackOutputs): FlowBConfig | undefined {
  if (!outputs.IdentityPoolId) return undefined;
  return {
    region: outputs.Region,
    identityPoolId: outputs.IdentityPoolId,
    userPoolId: outputs.UserPoolId,
    tableName: outputs.TableName,
    // Absent on AWS: the SDK's own endpoints.
    cognitoIdentityEndpoint: outputs.CognitoIdentityEndpoint,
    dynamoDbEndpoint: outputs.DynamoDbEndpoint,
  };
}

/**
 * One AWS SDK call as a line: `sdk CognitoIdentity.GetId IdentityPoolId=… Logins=…`,
 * the values as given (shell variables where the demo has one), then why, dimmed.
 */
export function sdkCallLine(call: string, params: Record<string, string | undefined>, note = ""): string {
  const args = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${value}`);
  return [`${style.cyan("sdk")} ${call}`, ...args].join(" ") + (note ? `  ${style.dim(note)}` : "");
}

/** An AWS SDK call's refusal, by its error's name and message; `undefined` when the call succeeded. */
export async function refusalOf(call: Promise<unknown>): Promise<{ name: string; message: string } | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
}

/** A refusal is the one the story expects: that error name; its message shown as AWS wrote it. */
export function isRefusal(refusal: { name: string } | undefined, name: string): boolean {
  return refusal?.name === name;
}

export async function tellFlowB(
  outputs: StackOutputs,
  story: FlowBStory,
  curl: CurlPrinter,
  tokens: FlowBTokens,
  options: { mine: boolean; deployed: boolean },
): Promise<void> {
  story.chapter("going further: step 08", "Flow B: AWS credentials for a signed-in user");
  const config = flowBConfig(outputs);
  if (!config) {
    story.say(
      "Skipped: the deployed stack's outputs have no IdentityPoolId (it predates step 08): `npm run deploy` adds the identity pool.",
    );
    return;
  }
  const alice = DEMO_USERS.alice;
  const bob = DEMO_USERS.bob;
  const api = outputs.ApiUrl.replace(/\/$/, "");
  story.say(
    "The same ID token, taken to the identity pool instead of the API: it answers with temporary AWS credentials of one IAM role, tagged with the user's tenant, and IAM judges every call they sign.",
  );
  story.say(
    options.mine
      ? `The client calls below are the reference's, ${FLOW_B_CLIENT}: --mine serves your code where the stack runs it; \`npm run check:step-8\` runs your client.`
      : `The client calls below are ${FLOW_B_CLIENT}'s.`,
  );
  console.log(style.dim(`  IDENTITY_POOL_ID=${config.identityPoolId}`));
  if (config.cognitoIdentityEndpoint) console.log(style.dim(`  COGNITO_IDENTITY=${config.cognitoIdentityEndpoint}`));
  if (config.dynamoDbEndpoint) console.log(style.dim(`  DYNAMODB=${config.dynamoDbEndpoint}`));
  // The local stack's endpoints, as shell variables; on AWS the SDK's own.
  const where = (endpoint: string | undefined, name: string) => ({ endpoint: endpoint ? `$${name}` : undefined });

  // 1. The trade: GetId, then GetCredentialsForIdentity, both unsigned, the ID token as the proof.
  const logins = `{"${loginsKey(config.region, config.userPoolId)}": $${alice.tokenVariable}}`;
  const trade = async (who: string, tokenVariable: string, idToken: string) => {
    const userLogins = logins.replace(`$${alice.tokenVariable}`, `$${tokenVariable}`);
    const endpoint = where(config.cognitoIdentityEndpoint, "COGNITO_IDENTITY");
    console.log(
      `  ${sdkCallLine("CognitoIdentity.GetId", { IdentityPoolId: "$IDENTITY_POOL_ID", Logins: userLogins, ...endpoint }, "unsigned: the ID token is the proof")}`,
    );
    console.log(
      `  ${sdkCallLine("CognitoIdentity.GetCredentialsForIdentity", { IdentityId: "<GetId's IdentityId>", Logins: userLogins, ...endpoint })}`,
    );
    try {
      return await credentialsForIdToken(config, idToken);
    } catch (error) {
      story.check(
        false,
        `${who}'s ID token buys temporary credentials`,
        `${(error as Error).name}: ${(error as Error).message}`,
      );
      return undefined;
    }
  };
  const aliceCredentials = await trade("alice", alice.tokenVariable, tokens.alice.idToken);
  if (!aliceCredentials) return;
  story.check(
    /^(ASIA|AKIA)/.test(aliceCredentials.accessKeyId) &&
      Boolean(aliceCredentials.secretAccessKey && aliceCredentials.sessionToken) &&
      aliceCredentials.expiration.getTime() > Date.now() &&
      aliceCredentials.identityId.startsWith(`${config.region}:`),
    "alice's ID token buys temporary credentials of the identity pool's authenticated role:",
  );
  const minutes = Math.round((aliceCredentials.expiration.getTime() - Date.now()) / 60_000);
  story.say(`  IdentityId      ${aliceCredentials.identityId}  (hers in this pool, the same at every sign-in)`);
  story.say(`  AccessKeyId     ${aliceCredentials.accessKeyId}  (shown below as $ALICE_AWS_KEY)`);
  story.say(`  SecretKey       (kept: it signs, it is never sent)`);
  story.say(
    `  SessionToken    ${aliceCredentials.sessionToken.slice(0, 24)}…  (carries the role and the tag tenantId=acme)`,
  );
  story.say(`  Expiration      ${aliceCredentials.expiration.toISOString()}  (in ${minutes} min)`);

  // 2. DynamoDB, straight from the client: a purchase recorded through the API (Flow A), read back directly.
  const created = await curl.send({
    method: "POST",
    url: `${api}/purchases`,
    headers: { Authorization: `Bearer ${tokens.alice.idToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ item: "Standing desk", amountCents: 45000, currency: "USD" }),
  });
  story.expectStatus(created, 201, "alice records a purchase through the API (Flow A), to read back below");
  const purchaseId = (created.json as { purchaseId?: string } | undefined)?.purchaseId ?? "missing";

  const db = documentClientFor(config, aliceCredentials);
  const dynamoDb = where(config.dynamoDbEndpoint, "DYNAMODB");
  const queryLine = (tenantId: string, key = "$ALICE_AWS_KEY") =>
    sdkCallLine(
      "DynamoDB.Query",
      {
        TableName: outputs.TableName,
        KeyConditionExpression: '"tenantId = :tenantId"',
        ":tenantId": JSON.stringify(tenantId),
        ...dynamoDb,
      },
      `signed with ${key}`,
    );
  try {
    console.log(`  ${queryLine(alice.tenantId)}`);
    const items = await queryTenantPurchases(db, config.tableName, alice.tenantId).catch((error: Error) => {
      story.check(false, "alice's credentials Query acme's partition", `${error.name}: ${error.message}`);
      return undefined;
    });
    if (items) {
      story.check(
        items.some((item) => item.purchaseId === purchaseId) && items.every((item) => item.tenantId === alice.tenantId),
        `alice's credentials Query acme's partition, no API in between: ${items.length} item${items.length === 1 ? "" : "s"}, her new purchase among them`,
      );
      for (const item of items.slice(0, 5)) {
        story.say(
          `  ${JSON.stringify({ tenantId: item.tenantId, purchaseId: item.purchaseId, item: item.item, amountCents: item.amountCents })}`,
        );
      }
      if (items.length > 5) story.say(`  … and ${items.length - 5} more`);
    }

    console.log(`  ${queryLine(bob.tenantId)}`);
    const otherTenant = await refusalOf(queryTenantPurchases(db, config.tableName, bob.tenantId));
    story.check(
      isRefusal(otherTenant, "AccessDeniedException"),
      `the same Query for bob's tenant, globex: refused by IAM (the role's dynamodb:LeadingKeys is her tenantId tag): ${otherTenant?.name ?? "answered"}`,
      otherTenant?.message,
    );

    console.log(
      `  ${sdkCallLine("DynamoDB.Scan", { TableName: outputs.TableName, ...dynamoDb }, "signed with $ALICE_AWS_KEY")}`,
    );
    const scan = await refusalOf(db.send(new ScanCommand({ TableName: config.tableName })));
    story.check(
      isRefusal(scan, "AccessDeniedException"),
      `a Scan, every tenant at once: refused (the role is not granted dynamodb:Scan): ${scan?.name ?? "answered"}`,
      scan?.message,
    );
  } finally {
    db.destroy();
  }

  // bob: the same role, another tag, another partition.
  const bobCredentials = await trade("bob", bob.tokenVariable, tokens.bob.idToken);
  if (bobCredentials) {
    story.say(
      `bob's credentials: IdentityId ${bobCredentials.identityId}, AccessKeyId ${bobCredentials.accessKeyId} ($BOB_AWS_KEY)`,
    );
    const bobDb = documentClientFor(config, bobCredentials);
    try {
      console.log(`  ${queryLine(bob.tenantId, "$BOB_AWS_KEY")}`);
      const items = await queryTenantPurchases(bobDb, config.tableName, bob.tenantId).catch((error: Error) => {
        story.check(false, "bob's credentials Query globex's partition", `${error.name}: ${error.message}`);
        return undefined;
      });
      if (items) {
        story.check(
          items.length > 0 &&
            items.every((item) => item.tenantId === bob.tenantId) &&
            bobCredentials.identityId !== aliceCredentials.identityId,
          `bob's credentials, the same role tagged tenantId=globex, read globex's: ${items.length} item${items.length === 1 ? "" : "s"}, only globex's`,
        );
      }
    } finally {
      bobDb.destroy();
    }
  }

  // 3. Three authorizers, one question: who does API Gateway say I am?
  story.say('Three routes answer "who does API Gateway say I am?", each behind another authorizer:');
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const me = await curl.send({ method: "GET", url: `${api}/me`, headers: bearer(tokens.alice.idToken) });
  const lambda = me.json as { authorizer?: string; context?: Record<string, string> } | undefined;
  story.check(
    me.status === 200 && lambda?.authorizer === "lambda" && lambda.context?.tenantId === alice.tenantId,
    `GET /me, Lambda authorizer (steps 03-04): ${me.status}, the context our authorizer returned`,
    JSON.stringify(lambda?.context ?? me.text),
  );
  const cognito = await curl.send({ method: "GET", url: `${api}/me/cognito`, headers: bearer(tokens.alice.idToken) });
  const claims = (cognito.json as { authorizer?: string; claims?: Record<string, string> } | undefined) ?? {};
  const shownClaims = Object.fromEntries(
    ["custom:tenantId", "cognito:groups", "token_use", "email"]
      .filter((claim) => claim in (claims.claims ?? {}))
      .map((claim) => [claim, claims.claims?.[claim]]),
  );
  story.check(
    cognito.status === 200 &&
      claims.authorizer === "cognito-user-pools" &&
      claims.claims?.["custom:tenantId"] === alice.tenantId,
    `GET /me/cognito, Cognito user pool authorizer: ${cognito.status}, the ID token's claims, checked by API Gateway itself`,
    JSON.stringify(Object.keys(shownClaims).length ? shownClaims : cognito.text),
  );
  story.expectStatus(
    await curl.send({ method: "GET", url: `${api}/me/cognito`, headers: bearer(tokens.alice.accessToken) }),
    401,
    "GET /me/cognito with the access token: refused (a route without scopes takes ID tokens)",
  );
  console.log(
    `  ${sdkCallLine("SignatureV4.sign, then fetch:", { method: "GET", url: "$API/me/iam", service: "execute-api", region: config.region }, "signed with $ALICE_AWS_KEY (signedGet)")}`,
  );
  const iam = await signedGet(`${api}/me/iam`, aliceCredentials, config.region).then(
    async (response) => ({ status: response.status, text: await response.text() }),
    (error: Error) => ({ status: 0, text: `${error.name}: ${error.message}` }),
  );
  const iamBody = parseJson(iam.text) as { authorizer?: string; identity?: Record<string, string | null> } | undefined;
  story.check(
    iam.status === 200 &&
      iamBody?.authorizer === "iam" &&
      iamBody.identity?.cognitoIdentityId === aliceCredentials.identityId,
    `GET /me/iam, IAM authorizer, signed with alice's credentials: ${iam.status}, API Gateway names her identity`,
    iamBody?.identity
      ? JSON.stringify({ cognitoIdentityId: iamBody.identity.cognitoIdentityId, userArn: iamBody.identity.userArn })
      : iam.text.slice(0, 120),
  );
  story.expectStatus(
    await curl.send({ method: "GET", url: `${api}/me/iam` }),
    403,
    "GET /me/iam unsigned: refused (no signature, no caller)",
  );

  // Tidy: the purchase goes again, so the next run's story starts where this one did.
  story.expectStatus(
    await curl.send({
      method: "DELETE",
      url: `${api}/purchases/${purchaseId}`,
      headers: bearer(tokens.adam.idToken),
    }),
    204,
    "adam (admin) deletes the desk again",
  );
  if (options.deployed) story.say("The credentials expire on their own in an hour; nothing to clean up.");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
