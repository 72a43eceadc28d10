/**
 * Prints what CloudFormation would receive for this folder's TenantUserPool:
 * the Properties of its user pool and app client, as the checkpoint reads them.
 *
 *   npx tsx steps/02-user-pool/show-template.ts       # yours
 *   npx tsx solutions/02-user-pool/show-template.ts   # the finished construct's
 *
 * No AWS account needed: it synthesizes a stack holding only the construct.
 */
import { App, RemovalPolicy, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { TenantUserPool } from "./tenant-user-pool.ts";

const SHOWN = ["AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient"];

try {
  const stack = new Stack(new App(), "ShowTemplate");
  new TenantUserPool(stack, "Identity", { removalPolicy: RemovalPolicy.DESTROY });
  for (const type of SHOWN) {
    for (const [logicalId, resource] of Object.entries(Template.fromStack(stack).findResources(type))) {
      console.log(`${type} ${logicalId}:`);
      console.log(JSON.stringify((resource as { Properties?: unknown }).Properties ?? {}, null, 2));
    }
  }
} catch (error) {
  // A starter with TODOs left cannot build the construct: say which one, in one line.
  console.error(`The construct could not be synthesized: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
