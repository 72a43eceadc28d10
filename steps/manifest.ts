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
        },
        {
          number: 2,
          concept: "Custom attributes and their mutability.",
          docs: "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html#user-pool-settings-custom-attributes",
        },
        {
          number: 3,
          concept: "App client settings: secrets, auth flows, token validity, read and write attributes.",
          docs: "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-client-apps.html",
        },
      ],
      "auth-client.ts": [
        {
          number: 4,
          concept: "The SignUp and ConfirmSignUp APIs.",
          docs: "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignUp.html",
        },
        {
          number: 5,
          concept: "InitiateAuth with USER_PASSWORD_AUTH.",
          docs: "https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html",
        },
        {
          number: 6,
          concept: "Refreshing tokens with REFRESH_TOKEN_AUTH.",
          docs: "https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-refresh-token.html",
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
          concept: "aws-jwt-verify's CognitoJwtVerifier, and hydrating its JWKS at cold start.",
          docs: "https://github.com/awslabs/aws-jwt-verify#readme",
        },
        {
          number: 2,
          concept: "What API Gateway hands a TOKEN authorizer.",
          docs: "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html",
        },
        {
          number: 3,
          concept: 'How an authorizer says 401: the exact error "Unauthorized".',
          docs: "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html",
        },
        {
          number: 4,
          concept: "aws-jwt-verify's customJwtCheck, for claims it does not check itself.",
          docs: "https://github.com/awslabs/aws-jwt-verify#custom-jwt-and-jwk-checks",
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
        },
        {
          number: 2,
          concept: "The execute-api ARN: arn:aws:execute-api:region:account:api-id/stage/METHOD/path.",
          docs: "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html",
        },
        {
          number: 3,
          concept: "A Lambda authorizer's policy, and what API Gateway caches.",
          docs: "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html",
        },
        {
          number: 4,
          concept: "The authorizer's context map: which values API Gateway passes on.",
          docs: "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html",
        },
        {
          number: 5,
          concept: "An explicit Deny, and the 403 API Gateway answers for it.",
          docs: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html",
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
        },
      ],
      "purchases-repository.ts": [
        {
          number: 2,
          concept: "DynamoDB Query on a partition key, its order and pagination.",
          docs: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.html",
        },
        {
          number: 3,
          concept: "GetItem with the full primary key, and read consistency.",
          docs: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html",
        },
        {
          number: 4,
          concept: "Condition expressions that refuse to overwrite.",
          docs: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html",
        },
        {
          number: 5,
          concept: "A conditional delete, and ConditionalCheckFailedException.",
          docs: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html",
        },
      ],
      "purchases-table.ts": [
        {
          number: 6,
          concept: "Partition and sort keys, and choosing them for tenants.",
          docs: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html",
        },
        {
          number: 7,
          concept: "iam.Grant.addToPrincipal, and least privilege for DynamoDB.",
          docs: "https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_iam.Grant.html",
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
        },
        { number: 2, concept: "ID tokens and access tokens: what token_use tells the authorizer (step 01)." },
        { number: 3, concept: "The aud claim names the app client a token was issued to (step 01, TODO 5)." },
        {
          number: 4,
          concept: "A signature covers header and payload: change either and it no longer verifies (step 01, TODO 3).",
        },
        {
          number: 5,
          concept:
            "The exp claim, and minting a token with the emulator's public key (shared/test-helpers/token-factory.ts).",
        },
        { number: 6, concept: "Which role may call which route: ROUTES in shared/runtime/purchases-api.ts." },
        { number: 7, concept: "A 403 must change nothing: read the purchase back after the refused DELETE." },
        {
          number: 8,
          concept: "API Gateway caches an authorizer's policy per token for every route (step 04, TODO 3).",
        },
        { number: 9, concept: "The tenant comes from the authorizer's context and nowhere else (step 05, TODO 1)." },
        {
          number: 10,
          concept: "A purchase body's fields, and the 400 that names the one that is wrong (step 05's README).",
        },
        { number: 11, concept: "Two tenants, two lists: what one creates the other never sees." },
        { number: 12, concept: "Why a 404 and not a 403: existence is not revealed (step 05's README)." },
      ],
    },
  },
];
