/** The app client's validities read back from its CloudFormation resource, as the sign-out function's env needs them. */
import { App, CfnParameter, Duration, Stack } from "aws-cdk-lib";
import * as cognito from "aws-cdk-lib/aws-cognito";
import { describe, expect, it } from "vitest";
import { synthesizeUserPool } from "../../shared/local-stack/cognito/user-pool-definition.ts";
import { revocationRecordLifetimeSeconds, tokenLifetimes } from "../../shared/runtime/token-lifetimes.ts";
import { TenantUserPool } from "../02-user-pool/tenant-user-pool.ts";
import { deployedTokenValidities } from "./client-token-lifetimes.ts";

function clientWith(options: cognito.UserPoolClientOptions = {}): cognito.UserPoolClient {
  const stack = new Stack(new App(), "Test");
  return new cognito.UserPool(stack, "Pool").addClient("Client", options);
}

describe("deployedTokenValidities", () => {
  it("reads TenantUserPool's client as the local stack's synthesized one: the same lifetimes", () => {
    const stack = new Stack(new App(), "Test");
    const { userPoolClient } = new TenantUserPool(stack, "Identity");
    const deployed = deployedTokenValidities(userPoolClient);
    const local = synthesizeUserPool().client;
    expect(tokenLifetimes(deployed)).toEqual(tokenLifetimes(local));
    expect(revocationRecordLifetimeSeconds(deployed)).toBe(revocationRecordLifetimeSeconds(local));
  });

  it("a client that sets nothing gets Cognito's defaults (1 h ID token, 30 d refresh token)", () => {
    expect(revocationRecordLifetimeSeconds(deployedTokenValidities(clientWith()))).toBe(30 * 86_400 + 3_600);
  });

  it("follows the client's own settings", () => {
    const client = clientWith({ idTokenValidity: Duration.minutes(5), refreshTokenValidity: Duration.hours(2) });
    expect(tokenLifetimes(deployedTokenValidities(client))).toMatchObject({
      idTokenSeconds: 300,
      refreshTokenSeconds: 7_200,
    });
  });

  it("refuses a validity only known at deploy time (a parameter): the env needs a number", () => {
    const client = clientWith({ idTokenValidity: Duration.hours(1) });
    const parameter = new CfnParameter(Stack.of(client), "IdTokenMinutes", { type: "Number" });
    (client.node.defaultChild as cognito.CfnUserPoolClient).idTokenValidity = parameter.valueAsNumber;
    expect(() => deployedTokenValidities(client)).toThrow(/IdTokenValidity must be a number known at synthesis/);
  });
});
