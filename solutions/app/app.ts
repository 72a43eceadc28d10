/**
 * The CDK app: `npx cdk synth | deploy | destroy` from the repository root
 * (cdk.json runs this file with tsx). The stack goes to the account and Region
 * of the caller's AWS credentials and profile.
 */
import { App, Aspects } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { STACK_NAME } from "../../shared/outputs-file.ts";
import { AuthWorkshopStack } from "./workshop-stack.ts";

const app = new App();

new AuthWorkshopStack(app, STACK_NAME, {
  stackName: STACK_NAME,
  env: {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  },
});

// Every AwsSolutions finding is either fixed or suppressed with a reason
// (nag-suppressions.ts); an unsuppressed error fails `cdk synth`.
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));

app.synth();
