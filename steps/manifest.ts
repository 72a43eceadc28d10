/**
 * The workshop's steps, in order: the one list that the check runner, the
 * progress report, the docs and the proof in `npm test` read. Adding a step is
 * its files plus one entry here (CONTRIBUTING.md, "Adding a step"); the proof
 * then says, one sentence each, what disagrees with this list: a folder, a
 * TODO, a check's pointer, the `check:step-N` script, the README's row.
 */

export interface StepTodo {
  /** The number in the starter's `// TODO n:` comment. */
  number: number;
  /** The first hint: the concept to look up... */
  concept: string;
  /** ...and the documentation to read, when there is one. */
  docs?: string;
  /** Further hints, each more telling: the shape of the answer, then the code. */
  more?: readonly string[];
}

export interface StepEntry {
  number: number;
  /** The folder under `steps/` and `solutions/`. */
  slug: string;
  title: string;
  /** Which of the eight flow steps it builds. */
  flowSteps: string;
  /** What the learner writes, for the README's table of steps. */
  youWrite: string;
  /** The starter files with TODOs, and theirs. */
  todos: Readonly<Record<string, readonly StepTodo[]>>;
  /** After the step 06 capstone: optional, listed as "going further". */
  goingFurther?: boolean;
}

export const STEPS: readonly StepEntry[] = [
  {
    number: 1,
    slug: "01-jwt-basics",
    title: "JWT basics",
    flowSteps: "2, 4",
    youWrite: "decoding and verifying a JWT by hand with `node:crypto`",
    todos: {
      "decode-jwt.ts": [
        {
          number: 1,
          concept: "base64url is base64 with `-` and `_`, and no padding: RFC 7515, section 2.",
          docs: "https://www.rfc-editor.org/rfc/rfc7515#section-2",
          more: [
            'Test the whole segment against the given BASE64URL pattern, and its length: 4n+1 characters encode no bytes. Only then hand it to Buffer.from(segment, "base64url"), which skips what it does not know.',
            'if (!BASE64URL.test(segment) || segment.length % 4 === 1) throw new MalformedJwtError(`the ${part} is not base64url`); return Buffer.from(segment, "base64url");',
          ],
        },
        {
          number: 2,
          concept: "A JWS in compact form is three base64url parts joined by dots: RFC 7515, section 7.1.",
          docs: "https://www.rfc-editor.org/rfc/rfc7515#section-7.1",
          more: [
            'token.split(".") must give 3 parts; header and payload go through base64UrlDecode then parseJsonObject; typeof header.alg must be "string"; signingInput is the first two segments as sent, signature the third decoded.',
            'const [h, p, sig] = parts; const header = parseJsonObject(base64UrlDecode(h, "header"), "header"); if (typeof header.alg !== "string") throw new MalformedJwtError("the header has no alg"); return { header: { ...header, alg: header.alg }, payload: parseJsonObject(base64UrlDecode(p, "payload"), "payload"), signingInput: `${h}.${p}`, signature: base64UrlDecode(sig, "signature") };',
          ],
        },
      ],
      "verify-signature.ts": [
        {
          number: 3,
          concept:
            "Node's crypto.verify and createPublicKey with a JWK; why the verifier, not the token, picks the algorithm (RFC 8725, 3.1).",
          docs: "https://nodejs.org/api/crypto.html#cryptoverifyalgorithm-data-key-signature-callback",
          more: [
            'Compare decoded.header.alg with PINNED_ALGORITHM and header.kid with jwk.kid before any crypto; then createPublicKey with the JWK (format "jwk") and crypto.verify with "sha256", the signing input\'s bytes, the key and decoded.signature: false means InvalidSignatureError.',
            'if (decoded.header.alg !== PINNED_ALGORITHM) throw new UnsupportedAlgorithmError(decoded.header.alg); if (decoded.header.kid !== jwk.kid) throw new KidMismatchError(decoded.header.kid, jwk.kid); const key = createPublicKey({ key: jwk, format: "jwk" }); if (!verify("sha256", Buffer.from(decoded.signingInput), key, decoded.signature)) throw new InvalidSignatureError();',
          ],
        },
      ],
      "check-claims.ts": [
        {
          number: 4,
          concept: "The exp claim (RFC 7519, section 4.1.4) and the clock skew a verifier allows.",
          docs: "https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4",
          more: [
            "A non-number (or non-finite) exp is a MalformedJwtError. The RFC says the current time must be BEFORE exp: with the skew added to exp, the exact second exp + skew is already expired.",
            'if (typeof exp !== "number" || !Number.isFinite(exp)) throw new MalformedJwtError("the payload has no numeric exp claim"); if (nowSeconds >= exp + clockSkewSeconds) throw new TokenExpiredError(exp, nowSeconds, clockSkewSeconds);',
          ],
        },
        {
          number: 5,
          concept: "Cognito's checklist for a token: iss, token_use, then aud or client_id.",
          docs: "https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html",
          more: [
            "Three comparisons with expected, in this order: iss (WrongIssuerError), token_use (WrongTokenUseError: before the audience, since an access token has no aud), then aud for an ID token or client_id for an access token (WrongAudienceError naming that claim).",
            'if (payload.iss !== expected.issuer) throw new WrongIssuerError(payload.iss, expected.issuer); if (payload.token_use !== expected.tokenUse) throw new WrongTokenUseError(payload.token_use, expected.tokenUse); const claim = expected.tokenUse === "id" ? "aud" : "client_id"; if (payload[claim] !== expected.clientId) throw new WrongAudienceError(claim, payload[claim], expected.clientId);',
          ],
        },
      ],
      "token-kind.ts": [
        {
          number: 6,
          concept: "The three Cognito tokens and what tells them apart.",
          docs: "https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-with-identity-providers.html",
          more: [
            'Count the dot-separated parts first: five is a JWE, Cognito\'s refresh token. Otherwise decodeJwt and read payload.token_use: "id" or "access"; anything else (the emulator\'s refresh token has none) is "refresh".',
            'if (token.split(".").length === 5) return "refresh"; const use = decodeJwt(token).payload.token_use; return use === "id" || use === "access" ? use : "refresh";',
          ],
        },
      ],
    },
  },
  {
    number: 2,
    slug: "02-user-pool",
    title: "User pool and sign-in",
    flowSteps: "1, 2",
    youWrite: "the Cognito user pool and app client (CDK), sign-up, sign-in, refresh",
    todos: {
      "tenant-user-pool.ts": [
        {
          number: 1,
          concept: "The CDK's UserPool props: sign-in aliases, self sign-up, password policy, MFA.",
          docs: "https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_cognito.UserPool.html",
          more: [
            "Six UserPoolProps: signInAliases (email), selfSignUpEnabled, autoVerify (email), passwordPolicy (minLength 12, the four require* flags, tempPasswordValidity), mfa (cognito.Mfa.OPTIONAL) and mfaSecondFactor (otp on, sms off).",
            "return { signInAliases: { email: true }, selfSignUpEnabled: true, autoVerify: { email: true }, passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) }, mfa: cognito.Mfa.OPTIONAL, mfaSecondFactor: { otp: true, sms: false } };",
          ],
        },
        {
          number: 2,
          concept: "Custom attributes and their mutability.",
          docs: "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html#user-pool-settings-custom-attributes",
          more: [
            "A record keyed by the attribute name without its custom: prefix, whose value is a cognito.StringAttribute with minLen, maxLen and mutable: false.",
            "return { tenantId: new cognito.StringAttribute({ minLen: 1, maxLen: 64, mutable: false }) };",
          ],
        },
        {
          number: 3,
          concept: "App client settings: secrets, auth flows, token validity, read and write attributes.",
          docs: "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-client-apps.html",
          more: [
            "UserPoolClientOptions: generateSecret false; authFlows with userPassword only (the CDK adds refresh); idTokenValidity and accessTokenValidity Duration.hours(1), refreshTokenValidity Duration.days(30); readAttributes and writeAttributes as cognito.ClientAttributes: read email, emailVerified and the custom tenantId, write email only.",
            'return { generateSecret: false, authFlows: { userPassword: true }, idTokenValidity: Duration.hours(1), accessTokenValidity: Duration.hours(1), refreshTokenValidity: Duration.days(30), readAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true, emailVerified: true }).withCustomAttributes("tenantId"), writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true }) };',
          ],
        },
      ],
      "auth-client.ts": [
        {
          number: 4,
          concept: "The SignUp and ConfirmSignUp APIs.",
          docs: "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignUp.html",
          more: [
            "A SignUpCommand (ClientId, Username: the email, Password, UserAttributes: the email only) and a ConfirmSignUpCommand (ClientId, Username, ConfirmationCode), each sent inside this.call(() => this.cognito.send(...)); return UserSub and UserConfirmed, which the SDK types as optional.",
            'const out = await this.call(() => this.cognito.send(new SignUpCommand({ ClientId: this.config.clientId, Username: email, Password: password, UserAttributes: [{ Name: "email", Value: email }] }))); return { userSub: out.UserSub ?? "", confirmed: out.UserConfirmed ?? false }; // and: await this.call(() => this.cognito.send(new ConfirmSignUpCommand({ ClientId: this.config.clientId, Username: email, ConfirmationCode: code })));',
          ],
        },
        {
          number: 5,
          concept: "InitiateAuth with USER_PASSWORD_AUTH.",
          docs: "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html",
          more: [
            "this.initiateAuth with the flow USER_PASSWORD_AUTH and the parameters USERNAME and PASSWORD; a ChallengeName in the answer is an AuthError with that name as its code; else tokensFrom(out.AuthenticationResult).",
            'const out = await this.initiateAuth("USER_PASSWORD_AUTH", { USERNAME: email, PASSWORD: password }); if (out.ChallengeName) throw new AuthError(out.ChallengeName, `Cognito asks for the ${out.ChallengeName} challenge, which this client does not answer.`); return tokensFrom(out.AuthenticationResult);',
          ],
        },
        {
          number: 6,
          concept: "Refreshing tokens with REFRESH_TOKEN_AUTH.",
          docs: "https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-refresh-token.html",
          more: [
            'this.initiateAuth with the flow REFRESH_TOKEN_AUTH and the parameter REFRESH_TOKEN; read IdToken, AccessToken and ExpiresIn from out.AuthenticationResult; either token missing is new AuthError("NoTokens", ...).',
            'const result = (await this.initiateAuth("REFRESH_TOKEN_AUTH", { REFRESH_TOKEN: refreshToken })).AuthenticationResult; if (!result?.IdToken || !result.AccessToken) throw new AuthError("NoTokens", "Cognito returned no tokens."); return { idToken: result.IdToken, accessToken: result.AccessToken, expiresInSeconds: result.ExpiresIn ?? 0 };',
          ],
        },
      ],
    },
  },
  {
    number: 3,
    slug: "03-authorizer",
    title: "Lambda authorizer",
    flowSteps: "3, 4",
    youWrite: "the TOKEN authorizer on `aws-jwt-verify`",
    todos: {
      "authorizer.ts": [
        {
          number: 1,
          concept:
            "aws-jwt-verify's CognitoJwtVerifier, created outside the handler, and hydrating its JWKS at cold start.",
          docs: "https://github.com/awslabs/aws-jwt-verify#api-gateway-lambda-authorizer---rest",
          more: [
            'In createAuthorizer, before the returned handler: CognitoJwtVerifier.create(props, jwksSource(config)) with userPoolId and clientId from config, tokenUse "id" and customJwtCheck: checkExtraClaims; then await verifier.hydrate(), with a .catch that passes the failure to logRejection (https://github.com/awslabs/aws-jwt-verify#explicitly-hydrating-the-jwks-cache).',
            'const verifier: IdTokenVerifier = CognitoJwtVerifier.create({ userPoolId: config.userPoolId, clientId: config.clientId, tokenUse: "id", customJwtCheck: checkExtraClaims }, jwksSource(config)); await verifier.hydrate().catch((error: unknown) => logRejection(`JWKS not loaded at start: ${String(error)}`));',
          ],
        },
        {
          number: 2,
          concept: "What API Gateway hands a TOKEN authorizer, and the Bearer scheme of RFC 6750.",
          docs: "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html",
          more: [
            'Trim (header ?? ""), then match the word Bearer at the start, in any case, followed either by whitespace and the token or by nothing at all (a lone Bearer: the token is ""). Without Bearer, the whole value is the token. Trim what you return.',
            'const value = (header ?? "").trim(); const bearer = /^Bearer(?:\\s+(.*))?$/i.exec(value); return (bearer ? (bearer[1] ?? "") : value).trim();',
          ],
        },
        {
          number: 3,
          concept:
            "What API Gateway answers the caller for each outcome of a Lambda authorizer: a policy that allows, a Deny, an error, and which error.",
          docs: "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html",
          more: [
            'try { return await verifier.verify(token) } catch: log `${error.name}: ${error.message}` once with logRejection, then throw an Error whose message is exactly "Unauthorized", the only outcome API Gateway answers with a 401 (a Deny is a 403, any other error a 500).',
            'try { return await verifier.verify(token); } catch (error) { logRejection(error instanceof Error ? `${error.name}: ${error.message}` : String(error)); throw new Error("Unauthorized"); }',
          ],
        },
        {
          number: 4,
          concept: "aws-jwt-verify's customJwtCheck, for claims it does not check itself.",
          docs: "https://github.com/awslabs/aws-jwt-verify#custom-jwt-and-jwk-checks",
          more: [
            'Three throws: typeof payload.exp !== "number", typeof payload.iat !== "number", and payload.iat > Date.now() / 1000 + MAX_CLOCK_SKEW_SECONDS.',
            'if (typeof payload.exp !== "number") throw new Error("JWT has no exp claim"); if (typeof payload.iat !== "number") throw new Error("JWT has no iat claim"); if (payload.iat > Date.now() / 1000 + MAX_CLOCK_SKEW_SECONDS) throw new Error("JWT issued in the future");',
          ],
        },
      ],
    },
  },
  {
    number: 4,
    slug: "04-policy-and-context",
    title: "Policy and context",
    flowSteps: "5, 6",
    youWrite: "the IAM policy and context for each role",
    todos: {
      "tenant-policy.ts": [
        {
          number: 1,
          concept: "The cognito:groups claim of an ID token.",
          docs: "https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html",
          more: [
            "Keep the claim's strings only when it is a list (anything else counts as no group); of ROLES, which runs from least to most privileged, keep the ones among them; the last one kept wins, and none kept means DEFAULT_ROLE.",
            'const names = Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : []; return ROLES.filter((role) => names.includes(role)).at(-1) ?? DEFAULT_ROLE;',
          ],
        },
        {
          number: 2,
          concept:
            "The execute-api method ARN: arn:partition:execute-api:region:account-id:api-id/stage/method/resource-path (aws is one partition; aws-cn and aws-us-gov are others).",
          docs: "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html",
          more: [
            'Split the method ARN on "/": the first part is the API\'s ARN, six ":"-separated fields (arn, the partition, execute-api, region, account, API id); the second is the stage. Join those two again; throw when the stage is missing or the first part is not such an ARN.',
            'const [apiArn, stage] = methodArn.split("/"); if (!apiArn?.startsWith("arn:aws") || apiArn.split(":").length !== 6 || !stage) throw new Error(`Not an API Gateway method ARN: ${methodArn}`); return `${apiArn}/${stage}`;',
          ],
        },
        {
          number: 3,
          concept: "A Lambda authorizer's policy, and what API Gateway caches.",
          docs: "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html",
          more: [
            "Not the methodArn alone (the cached policy would refuse the token's next route) and not the whole stage (a viewer could DELETE): one resource per route the role may call (routesForRole), each on the stage ARN, with routeResourcePattern's * where an id goes.",
            "const allowed = routesForRole(role).map((route) => `${stageArn}/${routeResourcePattern(route)}`);",
          ],
        },
        {
          number: 4,
          concept: "The authorizer's context map: which values API Gateway passes on.",
          docs: "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html",
          more: [
            'Four keys: tenantId (the custom:tenantId already checked above), userId (the sub), email (the claim when it is a string, else "") and role.',
            'const context: TenantContext = { tenantId, userId: claims.sub, email: typeof claims.email === "string" ? claims.email : "", role };',
          ],
        },
        {
          number: 5,
          concept: "An explicit Deny, and the 403 API Gateway answers for it.",
          docs: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html",
          more: [
            "The principal, and a policy whose one statement is a Deny on the stage ARN followed by /* (every method, every path); no context key at all.",
            'return { principalId, policyDocument: policy("Deny", [`${stageArn}/*`]) };',
          ],
        },
      ],
    },
  },
  {
    number: 5,
    slug: "05-tenant-scoped-lambda",
    title: "Tenant-scoped Lambda",
    flowSteps: "6, 7, 8",
    youWrite: "the purchases handler and its table, least privilege",
    todos: {
      "purchases-handler.ts": [
        {
          number: 1,
          concept: "The proxy integration event, and requestContext.authorizer.",
          docs: "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html",
          more: [
            'Read tenantId, userId and role from event.requestContext.authorizer (which may be missing); return undefined unless tenantId and userId are non-empty strings; a role not in ROLES becomes "viewer".',
            'const { tenantId, userId, role } = (event.requestContext?.authorizer ?? {}) as Record<string, unknown>; if (typeof tenantId !== "string" || !tenantId || typeof userId !== "string" || !userId) return undefined; return { tenantId, userId, role: ROLES.includes(role as Role) ? (role as Role) : "viewer" };',
          ],
        },
      ],
      "purchases-repository.ts": [
        {
          number: 2,
          concept: "DynamoDB Query on a partition key, its order and pagination.",
          docs: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.html",
          more: [
            "A Query whose key condition is this tenant's partition key, sort key descending, Limit, ExclusiveStartKey (the full key: this tenant and `after`) when `after` is given, and a strongly consistent read; return the Items and LastEvaluatedKey's purchaseId.",
            'new QueryCommand({ TableName: this.tableName, KeyConditionExpression: "tenantId = :tenantId", ExpressionAttributeValues: { ":tenantId": this.tenantId }, ScanIndexForward: false, ConsistentRead: true, Limit: limit, ExclusiveStartKey: after ? { tenantId: this.tenantId, purchaseId: after } : undefined })',
          ],
        },
        {
          number: 3,
          concept: "GetItem with the full primary key, and read consistency.",
          docs: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html",
          more: [
            "A GetItem on the full key, this tenant and the id, strongly consistent: another tenant's id is then simply not in the partition it looks in. Return the Item.",
            "const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { tenantId: this.tenantId, purchaseId }, ConsistentRead: true })); return Item as Purchase | undefined;",
          ],
        },
        {
          number: 4,
          concept: "Condition expressions that refuse to overwrite.",
          docs: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html",
          more: [
            "A PutItem of the purchase with a condition that no item with its key exists yet (on the sort key attribute).",
            'await this.db.send(new PutCommand({ TableName: this.tableName, Item: purchase, ConditionExpression: "attribute_not_exists(purchaseId)" }));',
          ],
        },
        {
          number: 5,
          concept: "A conditional delete, and ConditionalCheckFailedException.",
          docs: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html",
          more: [
            "A DeleteItem on the full key with a condition that the item exists; true when it succeeds, false when DynamoDB answers ConditionalCheckFailedException, and rethrow anything else.",
            'try { await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { tenantId: this.tenantId, purchaseId }, ConditionExpression: "attribute_exists(purchaseId)" })); return true; } catch (error) { if (error instanceof ConditionalCheckFailedException) return false; throw error; }',
          ],
        },
      ],
      "purchases-table.ts": [
        {
          number: 6,
          concept: "Partition and sort keys, and choosing them for tenants.",
          docs: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html",
          more: [
            "The tenant is the partition key (every read names one) and the purchase id the sort key (ULIDs sort by time), both of type string.",
            "partitionKey: { name: PURCHASES_TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING }, sortKey: { name: PURCHASES_TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },",
          ],
        },
        {
          number: 7,
          concept: "iam.Grant.addToPrincipal, and least privilege for DynamoDB.",
          docs: "https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_iam.Grant.html",
          more: [
            "TENANT_DATA_ACTIONS on this.table.tableArn with iam.Grant.addToPrincipal, not table.grantReadWriteData (it adds Scan and the batch calls), never dynamodb:* nor the resource *.",
            "return iam.Grant.addToPrincipal({ grantee, actions: [...TENANT_DATA_ACTIONS], resourceArns: [this.table.tableArn] });",
          ],
        },
      ],
    },
  },
  {
    number: 6,
    slug: "06-validation-tests",
    title: "Validation tests",
    flowSteps: "1–8",
    youWrite: "an end-to-end suite, graded by broken systems",
    todos: {
      "purchases-api.validation.test.ts": [
        {
          number: 1,
          concept: "Which gateway responses come before the authorizer runs.",
          docs: "https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html",
          more: [
            'Call every route with no Authorization header at all, and expect exactly 401 with API Gateway\'s {"message":"Unauthorized"}: a handler\'s own 403 would pass a test that only expects a refusal.',
            'for (const [method, path] of [["GET", "/purchases"], ["POST", "/purchases"], ["GET", `/purchases/${id}`], ["DELETE", `/purchases/${id}`]]) expect((await api.call(method, path)).status).toBe(401);',
          ],
        },
        {
          number: 2,
          concept: "ID tokens and access tokens: what token_use tells the authorizer (step 01).",
          more: [
            "Sign a user in and call a route with their access token (and their refresh token) instead of the ID token: exactly 401.",
            'expect((await api.call("GET", "/purchases", { token: alice.accessToken })).status).toBe(401);',
          ],
        },
        {
          number: 3,
          concept: "The aud claim names the app client a token was issued to (step 01, TODO 5).",
          more: [
            "WorkshopApi can sign a user in through a second app client of the same pool (signInThroughAnotherAppClient): that ID token must get exactly 401.",
            'const otherAudience = await api.signInThroughAnotherAppClient(alice); expect((await api.call("GET", "/purchases", { token: otherAudience })).status).toBe(401);',
          ],
        },
        {
          number: 4,
          concept: "A signature covers header and payload: change either and it no longer verifies (step 01, TODO 3).",
          more: [
            "Change a claim of a real token and keep its old signature (tamperPayload in shared/test-helpers/token-factory.ts): exactly 401.",
            'const forged = tamperPayload(alice.idToken, { "custom:tenantId": bob.tenantId }); expect((await api.call("GET", "/purchases", { token: forged })).status).toBe(401);',
          ],
        },
        {
          number: 5,
          concept:
            "The exp claim, and minting a token with the emulator's public key (shared/test-helpers/token-factory.ts).",
          more: [
            "Take a real token's claims (decodeJwt(token).payload), move iat, auth_time and exp an hour or two into the past, and sign them with the emulator's key (signJwt with emulatorSigningKey(), shared/test-helpers/emulator-signing-key.ts); skip the test when target is aws.",
            'it.skipIf(target === "aws")("…", async () => { const now = Math.floor(Date.now() / 1000); const expired = signJwt({ key: emulatorSigningKey(), payload: { ...decodeJwt(alice.idToken).payload, iat: now - 7200, auth_time: now - 7200, exp: now - 3600 } }); expect((await api.call("GET", "/purchases", { token: expired })).status).toBe(401); });',
          ],
        },
        {
          number: 6,
          concept: "Which role may call which route: ROUTES in shared/runtime/purchases-api.ts.",
          more: [
            "A viewer of alice's tenant (made in beforeAll): GET /purchases is 200, POST /purchases is exactly 403.",
            'expect((await api.call("POST", "/purchases", { token: victor.idToken, body: aPurchase() })).status).toBe(403);',
          ],
        },
        {
          number: 7,
          concept: "A 403 must change nothing: read the purchase back after the refused DELETE.",
          more: [
            "A member creates a purchase, DELETEs it (exactly 403), then GETs it (still 200); an admin's DELETE of it is 204.",
            'expect((await api.call("DELETE", path, { token: alice.idToken })).status).toBe(403); expect((await api.call("GET", path, { token: alice.idToken })).status).toBe(200);',
          ],
        },
        {
          number: 8,
          concept: "API Gateway caches an authorizer's policy per token for every route (step 04, TODO 3).",
          more: [
            "A fresh user, whose token API Gateway has never seen: its first request fills the cache, so use it on one route first, then on routes whose method ARN differs (POST, then list, then GET by id).",
            'const { idToken } = await api.user(alice.tenantId, "member"); const created = await api.call("POST", "/purchases", { token: idToken, body: aPurchase() }); expect((await api.call("GET", "/purchases", { token: idToken })).status).toBe(200); expect((await api.call("GET", `/purchases/${created.body.purchaseId}`, { token: idToken })).status).toBe(200);',
          ],
        },
        {
          number: 9,
          concept: "The tenant comes from the authorizer's context and nowhere else (step 05, TODO 1).",
          more: [
            "POST and list with an X-Tenant-Id header naming bob's tenant: the purchase is stored under alice's tenant, and the list has it and not bob's.",
            'const created = await api.call("POST", "/purchases", { token: alice.idToken, body: aPurchase(), headers: { "X-Tenant-Id": bob.tenantId } }); expect(created.body.tenantId).toBe(alice.tenantId);',
          ],
        },
        {
          number: 10,
          concept: "A purchase body's fields, and the 400 that names the one that is wrong (step 05's README).",
          more: [
            "POST a body with a tenantId field: exactly 400, and its errors name the field tenantId.",
            'const res = await api.call("POST", "/purchases", { token: alice.idToken, body: aPurchase({ tenantId: bob.tenantId }) }); expect(res.status).toBe(400); expect(res.body.errors).toContainEqual(expect.objectContaining({ field: "tenantId" }));',
          ],
        },
        {
          number: 11,
          concept: "Two tenants, two lists: what one creates the other never sees.",
          more: [
            "Bob (another tenant) records a purchase in beforeAll; alice's tenant lists with a limit large enough to see everything: bob's id is absent, and every item's tenantId is alice's.",
            'const list = await api.call("GET", "/purchases?limit=100", { token: anne.idToken }); expect(list.body.purchases.map((p) => p.purchaseId)).not.toContain(bobsPurchaseId);',
          ],
        },
        {
          number: 12,
          concept: "Why a 404 and not a 403: existence is not revealed (step 05's README).",
          more: [
            "GET and an admin's DELETE of bob's purchase id from alice's tenant: exactly 404, as for an id that never existed; bob still reads it (200).",
            'expect((await api.call("GET", `/purchases/${bobsPurchaseId}`, { token: alice.idToken })).status).toBe(404); expect((await api.call("DELETE", `/purchases/${bobsPurchaseId}`, { token: anne.idToken })).status).toBe(404);',
          ],
        },
      ],
    },
  },
  {
    number: 7,
    slug: "07-sessions",
    title: "A session's life",
    flowSteps: "1, 2, 4",
    youWrite: "refresh, TOTP MFA, password reset, and a sign-out the authorizer honours",
    goingFurther: true,
    todos: {
      "totp.ts": [
        {
          number: 1,
          concept: "HOTP: an HMAC of a counter, cut to a few digits by dynamic truncation (RFC 4226, section 5.3).",
          docs: "https://www.rfc-editor.org/rfc/rfc4226#section-5.3",
          more: [
            "The counter as 8 bytes, big-endian (Buffer.alloc(8).writeBigUInt64BE); HMAC it with the key (createHmac(algorithm, key)); the offset is the low 4 bits of the MAC's last byte; read 4 bytes there as a big-endian number, clear its top bit, take it modulo 10^digits and pad with zeros.",
            'const message = Buffer.alloc(8); message.writeBigUInt64BE(counter); const mac = createHmac(algorithm, key).update(message).digest(); const offset = mac.readUInt8(mac.length - 1) & 0x0f; const binary = mac.readUInt32BE(offset) & 0x7fffffff; return String(binary % 10 ** digits).padStart(digits, "0");',
          ],
        },
        {
          number: 2,
          concept: "TOTP: HOTP whose counter is the time, in whole steps since the Unix epoch (RFC 6238, section 4).",
          docs: "https://www.rfc-editor.org/rfc/rfc6238#section-4",
          more: [
            "The counter T is floor(unixSeconds / stepSeconds): round down, never to the nearest. hotp takes it as a BigInt, with the digits and the algorithm.",
            "return hotp(key, BigInt(Math.floor(unixSeconds / stepSeconds)), digits, algorithm);",
          ],
        },
      ],
      "session.ts": [
        {
          number: 3,
          concept:
            "When to refresh: the ID token's own exp claim, a margin before it, and one refresh shared by concurrent callers.",
          docs: "https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-refresh-token.html",
          more: [
            "Read exp with expirySeconds(idToken) (seconds; now() is milliseconds). More than the margin left: return the token. Otherwise await this.refresh() and return the new ID token from this.#current().",
            "const { idToken } = this.#current(); if (expirySeconds(idToken) * 1000 - this.#now() > this.#marginMs) return idToken; await this.refresh(); return this.#current().idToken;",
          ],
        },
        {
          number: 4,
          concept:
            "Retry after a 401 exactly once: the token may have been revoked or expired in flight; a second 401 is the answer.",
          more: [
            "const first = await send(); anything but 401 is returned. After a 401: await this.refresh(), then return send()'s answer, whatever it is.",
            "const first = await send(); if (first.status !== 401) return first; await this.refresh(); return send();",
          ],
        },
        {
          number: 5,
          concept:
            "Cognito's refusal of a refresh token: NotAuthorizedException (expired, revoked, signed out), as opposed to a failure that may pass.",
          docs: "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html#API_InitiateAuth_Errors",
          more: [
            "Cognito's refusal is a NotAuthorizedException: the SDK's error carries it as its name, the step 02 AuthClient's AuthError as its code. Refused: this.end() (forget the tokens) and throw new SignedOutError(). Anything else: rethrow the error as it is, tokens kept.",
            'const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown }; if (name !== "NotAuthorizedException" && code !== "NotAuthorizedException") throw error; this.end(); throw new SignedOutError();',
          ],
        },
      ],
      "mfa.ts": [
        {
          number: 6,
          concept:
            "TOTP enrolment: VerifySoftwareToken proves the app holds the secret; SetUserMFAPreference turns TOTP on.",
          docs: "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa-totp.html",
          more: [
            'Verify first (VerifySoftwareTokenCommand with AccessToken and UserCode; its Status must be "SUCCESS"), and only then SetUserMFAPreferenceCommand with SoftwareTokenMfaSettings { Enabled: true, PreferredMfa: true }: a refused code leaves MFA off.',
            'const verified = await cognito.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: code })); if (verified.Status !== "SUCCESS") throw new Error(`Cognito did not accept the code (${verified.Status}).`); await cognito.send(new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));',
          ],
        },
        {
          number: 7,
          concept:
            "The SOFTWARE_TOKEN_MFA challenge: RespondToAuthChallenge with the challenge's Session, the USERNAME and SOFTWARE_TOKEN_MFA_CODE.",
          docs: "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html",
          more: [
            "No ChallengeName: return tokensOf(first.AuthenticationResult). SOFTWARE_TOKEN_MFA: send RespondToAuthChallengeCommand with ClientId, the ChallengeName, Session: first.Session and ChallengeResponses { USERNAME, SOFTWARE_TOKEN_MFA_CODE: await totpCode() }; return tokensOf of its AuthenticationResult. Any other challenge: throw, naming it.",
            'if (!first.ChallengeName) return tokensOf(first.AuthenticationResult); if (first.ChallengeName !== "SOFTWARE_TOKEN_MFA") throw new Error(`Cognito asks for the ${first.ChallengeName} challenge`); const answer = await cognito.send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: "SOFTWARE_TOKEN_MFA", Session: first.Session, ChallengeResponses: { USERNAME: email, SOFTWARE_TOKEN_MFA_CODE: await totpCode() } })); return tokensOf(answer.AuthenticationResult);',
          ],
        },
      ],
      "password-reset.ts": [
        {
          number: 8,
          concept:
            "User existence errors: why a reset must answer an unknown address as a known one (PreventUserExistenceErrors).",
          docs: "https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html",
          more: [
            "await cognito.send(new ConfirmForgotPasswordCommand({ ClientId, Username, ConfirmationCode, Password })) inside a try. In the catch, the error's name is Cognito's exception: InvalidPasswordException (and InvalidParameterException, Cognito's own check under 6 characters) is a ResetError saying the policy refused it; CodeMismatchException, ExpiredCodeException and UserNotFoundException are one and the same ResetError; anything else is rethrown.",
            'try { await cognito.send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: email, ConfirmationCode: code, Password: newPassword })); } catch (error) { const name = (error as { name?: string }).name ?? ""; if (name === "InvalidPasswordException" || name === "InvalidParameterException") throw new ResetError("InvalidPasswordException", "The new password does not meet the pool\'s password policy."); if (["CodeMismatchException", "ExpiredCodeException", "UserNotFoundException"].includes(name)) throw new ResetError("CodeMismatchException", "That code is wrong or has expired: ask for a new one."); throw error; }',
          ],
        },
      ],
      "session-check.ts": [
        {
          number: 9,
          concept:
            "origin_jti and auth_time: the claims that tie every token of one sign-in together, refreshed ones included.",
          docs: "https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html",
          more: [
            "No string origin_jti or no numeric auth_time: return a reason (fail closed). Look up records.session(origin_jti) and records.user(sub) (together, with Promise.all). A session record: refused. A user record whose revokedAt is at or after auth_time: refused (same second included). Otherwise undefined.",
            'if (typeof originJti !== "string" || !originJti) return "no origin_jti"; if (typeof authTime !== "number") return "no auth_time"; const [session, user] = await Promise.all([records.session(originJti), records.user(sub)]); if (session) return "its session was signed out"; if (user && authTime <= user.revokedAt) return "its user was signed out everywhere"; return undefined;',
          ],
        },
      ],
      "sign-out-handler.ts": [
        {
          number: 10,
          concept:
            "Revocation that holds: Cognito's RevokeToken and AdminUserGlobalSignOut end refresh, but only your records stop ID tokens already issued.",
          docs: "https://docs.aws.amazon.com/cognito/latest/developerguide/token-revocation.html",
          more: [
            "revokedAt = whole seconds of now(); expiresAt = revokedAt + config.recordLifetimeSeconds. Write the record first (revokeUser(userId) for everywhere, revokeSession(sessionId) otherwise), then Cognito (signOutEverywhere(userId), or revokeRefreshToken(refreshToken): false means a 400). Answer 204 with the CORS headers.",
            'const revokedAt = Math.floor(now() / 1000); const record = { revokedAt, expiresAt: revokedAt + config.recordLifetimeSeconds }; if (everywhere) { await config.revocations.revokeUser(userId, record); await config.cognito.signOutEverywhere(userId); } else { await config.revocations.revokeSession(sessionId, record); if (!(await config.cognito.revokeRefreshToken(refreshToken))) return json(400, { message: "Invalid request: refreshToken is not a refresh token of this app" }); } return { statusCode: 204, headers: { ...cors }, body: "" };',
          ],
        },
      ],
    },
  },
  {
    number: 8,
    slug: "08-identity-pools",
    title: "Identity pools and IAM",
    flowSteps: "Flow B",
    youWrite:
      "the identity pool and its LeadingKeys policy, the client that trades a token for credentials; which authorizer when",
    goingFurther: true,
    todos: {
      "identity-pool.ts": [
        {
          number: 1,
          concept:
            "Attributes for access control: an identity pool maps token claims to principal tags, which policies read as ${aws:PrincipalTag/…}.",
          docs: "https://docs.aws.amazon.com/cognito/latest/developerguide/attributes-for-access-control.html",
          more: [
            'A cognito.CfnIdentityPoolPrincipalTag with identityPoolId (this.identityPool.identityPoolId), identityProviderName (props.userPool.userPoolProviderName), principalTags { tenantId: "custom:tenantId" } and useDefaults false (the defaults would add sub and aud, which no policy here reads).',
            'this.principalTags = new cognito.CfnIdentityPoolPrincipalTag(this, "PrincipalTags", { identityPoolId: this.identityPool.identityPoolId, identityProviderName: props.userPool.userPoolProviderName, principalTags: { tenantId: "custom:tenantId" }, useDefaults: false });',
          ],
        },
        {
          number: 2,
          concept:
            "Fine-grained access to DynamoDB: the dynamodb:LeadingKeys condition key, with ForAllValues and a policy variable.",
          docs: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html",
          more: [
            'One PolicyStatement: actions dynamodb:Query and dynamodb:GetItem only (a Scan has no leading keys, so the condition alone would not stop it), resource the table\'s ARN, condition ForAllValues:StringEquals { "dynamodb:LeadingKeys": ["${aws:PrincipalTag/tenantId}"] }: StringEquals, not StringLike, so acme#idempotency is not acme.',
            'this.authenticatedRole.addToPolicy(new iam.PolicyStatement({ actions: ["dynamodb:GetItem", "dynamodb:Query"], resources: [props.purchasesTable.tableArn], conditions: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["${aws:PrincipalTag/tenantId}"] } } }));',
          ],
        },
      ],
      "flow-b-client.ts": [
        {
          number: 3,
          concept:
            "The enhanced (simplified) authflow: GetId, then GetCredentialsForIdentity, each with the Logins map.",
          docs: "https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flow.html",
          more: [
            "A CognitoIdentityClient (region, endpoint: config.cognitoIdentityEndpoint); Logins = { [loginsKey(region, userPoolId)]: idToken }; GetIdCommand({ IdentityPoolId, Logins }) gives IdentityId; GetCredentialsForIdentityCommand({ IdentityId, Logins }) gives Credentials (AccessKeyId, SecretKey, SessionToken, Expiration). Destroy the client when done.",
            "const client = new CognitoIdentityClient({ region: config.region, endpoint: config.cognitoIdentityEndpoint }); const Logins = { [loginsKey(config.region, config.userPoolId)]: idToken }; const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: config.identityPoolId, Logins })); const { Credentials } = await client.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins })); return { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretKey!, sessionToken: Credentials!.SessionToken!, expiration: Credentials!.Expiration!, identityId: IdentityId! };",
          ],
        },
        {
          number: 4,
          concept:
            "A Query names one partition: KeyConditionExpression on the partition key; IAM's LeadingKeys check reads that value.",
          docs: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.html",
          more: [
            'QueryCommand({ TableName: tableName, KeyConditionExpression: "tenantId = :tenantId", ExpressionAttributeValues: { ":tenantId": tenantId } }); return its Items (or []).',
            'const { Items } = await db.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: "tenantId = :tenantId", ExpressionAttributeValues: { ":tenantId": tenantId } })); return Items ?? [];',
          ],
        },
        {
          number: 5,
          concept: "Signature Version 4 for API Gateway's IAM authorization: the service is execute-api.",
          docs: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html",
          more: [
            'new SignatureV4({ credentials, region, service: "execute-api", sha256: Sha256 }).sign({ method, protocol, hostname, port, path, query, headers: { host } }) from the URL; fetch with the signed headers.',
            'const target = new URL(url); const signer = new SignatureV4({ credentials, region, service: "execute-api", sha256: Sha256 }); const signed = await signer.sign({ method: "GET", protocol: target.protocol, hostname: target.hostname, port: target.port ? Number(target.port) : undefined, path: target.pathname, query: Object.fromEntries(target.searchParams), headers: { host: target.host } }); return fetch(url, { headers: signed.headers as Record<string, string> });',
          ],
        },
      ],
      "when-to-use-what.ts": [
        {
          number: 6,
          concept:
            "API Gateway's ways to control access: Lambda authorizers, Cognito user pool authorizers, IAM, and an HTTP API's JWT authorizers.",
          docs: "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
          more: [
            "Per caller, ask what it holds and what the decision must know: a context or a lookup only your code gives (Lambda); a pool token checked with no code (Cognito user pools); AWS credentials it already signs with (IAM); another OIDC issuer's tokens with scopes, on an HTTP API (JWT).",
            'switch (caller) { case CALLERS[0]: case CALLERS[4]: return { authorizer: "lambda", because: "only your code returns a context / reads a table" }; case CALLERS[1]: return { authorizer: "cognito-user-pools", because: "API Gateway verifies the pool token itself" }; case CALLERS[2]: return { authorizer: "iam", because: "it signs with its role credentials" }; case CALLERS[3]: return { authorizer: "http-api-jwt", because: "any OIDC issuer, audience and scopes" }; }',
          ],
        },
      ],
    },
  },
];
