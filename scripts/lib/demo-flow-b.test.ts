import { describe, expect, it } from "vitest";
import { flowBConfig, isRefusal, refusalOf, sdkCallLine } from "./demo-flow-b.ts";

const outputs = {
  ApiUrl: "http://127.0.0.1:1/prod/",
  UserPoolId: "us-east-1_pool",
  UserPoolClientId: "client",
  Region: "us-east-1",
  TableName: "prod-purchases",
  IdentityPoolId: "us-east-1:identity-pool",
};

describe("the Flow B chapter's settings", () => {
  it("come from the outputs; on AWS (no local endpoints) the SDK's own endpoints", () => {
    expect(flowBConfig(outputs)).toEqual({
      region: "us-east-1",
      identityPoolId: "us-east-1:identity-pool",
      userPoolId: "us-east-1_pool",
      tableName: "prod-purchases",
      cognitoIdentityEndpoint: undefined,
      dynamoDbEndpoint: undefined,
    });
  });

  it("are absent for a stack deployed before step 08 (no IdentityPoolId): the chapter is skipped", () => {
    const { IdentityPoolId: _none, ...older } = outputs;
    expect(flowBConfig(older as typeof outputs)).toBeUndefined();
  });
});

describe("an SDK call's line", () => {
  it("names the operation and what it is called with, leaving out what is not set", () => {
    const line = sdkCallLine("DynamoDB.Scan", { TableName: "t", endpoint: undefined }, "signed with $KEY");
    expect(line.replace(/\u001b\[[0-9;]*m/g, "")).toBe("sdk DynamoDB.Scan TableName=t  signed with $KEY");
  });
});

describe("a refusal", () => {
  it("is the error's name and message, and nothing when the call succeeded", async () => {
    const denied = Object.assign(new Error("User: … is not authorized to perform: dynamodb:Scan"), {
      name: "AccessDeniedException",
    });
    const refusal = await refusalOf(Promise.reject(denied));
    expect(refusal).toEqual({ name: "AccessDeniedException", message: denied.message });
    expect(isRefusal(refusal, "AccessDeniedException")).toBe(true);
    expect(isRefusal(await refusalOf(Promise.resolve({ Items: [] })), "AccessDeniedException")).toBe(false);
  });
});
