/**
 * The outputs file: the stack's outputs in the shape `cdk deploy --outputs-file`
 * writes (`{ "<StackName>": { ApiUrl, ... } }`), so every script and the
 * validation suite can target the local stack or AWS by reading one file.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { PROJECT_ROOT } from "./project-root.ts";

/** The CDK stack's construct id and CloudFormation name. */
export const STACK_NAME = "AuthWorkshop";
export type Target = "local" | "aws";

/** The stack's CloudFormation outputs; `cdk deploy --outputs-file` writes these keys, the local stack too. */
export const OUTPUT_KEYS = [
  "ApiUrl",
  "UserPoolId",
  "UserPoolClientId",
  "Region",
  "TableName",
  "IdentityPoolId",
] as const;
export type DeployedOutputs = Record<(typeof OUTPUT_KEYS)[number], string>;

export interface StackOutputs extends DeployedOutputs {
  /** Local stack only: the emulators' endpoints. */
  CognitoEndpoint?: string;
  DynamoDbEndpoint?: string;
  /** Local stack only: the identity pool's Cognito Identity endpoint (GetId, GetCredentialsForIdentity). */
  CognitoIdentityEndpoint?: string;
}

/** `WORKSHOP_OUTPUTS_FILE` points a run at another stack (the validation step's checkpoint does). */
export function outputsFilePath(target: Target): string {
  return process.env.WORKSHOP_OUTPUTS_FILE ?? join(PROJECT_ROOT, ".workshop", `outputs.${target}.json`);
}

export async function writeOutputsFile(
  target: Target,
  outputs: StackOutputs,
  file = outputsFilePath(target),
): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ [STACK_NAME]: outputs }, null, 2)}\n`);
  return file;
}

/** Reads the outputs, or says in one sentence what to run first. */
export async function readOutputsFile(target: Target): Promise<StackOutputs> {
  const file = outputsFilePath(target);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new Error(
      target === "aws"
        ? `No deployed stack found (${file} is missing): run \`npm run deploy\` first.`
        : `No local stack found (${file} is missing): run \`npm run local\` in another terminal first.`,
    );
  }
  const outputs = (JSON.parse(text) as Record<string, StackOutputs>)[STACK_NAME];
  if (!outputs?.ApiUrl) throw new Error(`${file} has no ${STACK_NAME} outputs: deploy or start the stack again.`);
  return outputs;
}
