/**
 * The workshop's Lambda functions as they are deployed: the handler code of a
 * step's solution, bundled by esbuild into one ES module.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { PROJECT_ROOT } from "../../shared/project-root.ts";
import type { FunctionName } from "../../shared/runtime/purchases-api.ts";

const entry = (relativeToSolutions: string): string =>
  fileURLToPath(new URL(`../${relativeToSolutions}`, import.meta.url));

/** Lambda entry file of each function named in ROUTES, plus the authorizer. */
export const LAMBDA_ENTRIES = {
  // Step 03's token check wrapped in step 07's session check (a signed-out session is refused).
  authorizer: entry("07-sessions/authorizer-lambda.ts"),
  purchases: entry("05-tenant-scoped-lambda/lambda.ts"),
  signOut: entry("07-sessions/sign-out-lambda.ts"),
  // GET /me, /me/cognito and /me/iam: what each authorizer type says about the caller (step 08).
  me: entry("08-identity-pools/me-lambda.ts"),
} as const satisfies Record<FunctionName | "authorizer", string>;

export interface WorkshopFunctionProps {
  /** The handler's source file, one of {@link LAMBDA_ENTRIES}. */
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly description: string;
  readonly environment: Record<string, string>;
}

/**
 * A Node.js function as the workshop deploys them: ESM (the authorizer uses
 * top-level await to load the JWKS at cold start), minified with a source
 * map, arm64, its own log group with a retention, and a role that may write
 * to that log group and nothing else until something is granted.
 *
 * The log group (`<id>Logs`) and the role (`<id>Role`) are created beside
 * the function in `scope`, not in a construct of their own: wrapping them
 * would change their logical IDs and make CloudFormation replace them.
 */
export function workshopFunction(scope: Construct, id: string, props: WorkshopFunctionProps): nodejs.NodejsFunction {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: logs.RetentionDays.ONE_WEEK,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  // Our own role instead of AWSLambdaBasicExecutionRole, which allows
  // creating and writing to every log group in the account.
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
    description: `Execution role of ${id}`,
  });
  logGroup.grantWrite(role);

  return new nodejs.NodejsFunction(scope, id, {
    entry: props.entry,
    handler: "handler",
    description: props.description,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: Duration.seconds(props.timeoutSeconds),
    role,
    logGroup,
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: join(PROJECT_ROOT, "package-lock.json"),
    environment: {
      ...props.environment,
      NODE_OPTIONS: "--enable-source-maps",
    },
    bundling: {
      format: nodejs.OutputFormat.ESM,
      target: "node24",
      mainFields: ["module", "main"],
      // CommonJS dependencies bundled into an ES module may still call
      // require() for Node built-ins; give them a real one.
      banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      // esbuild's warnings and errors only (the bundle sizes are reported by the tests).
      logLevel: nodejs.LogLevel.WARNING,
      // The AWS SDK v3 is in the Node.js runtime: not bundled (the CDK default).
    },
  });
}
