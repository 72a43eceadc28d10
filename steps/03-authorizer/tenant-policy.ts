/**
 * Given: the policy builder the handler answers with once a token is verified.
 *
 * `buildTenantPolicy(claims, methodArn)` returns `{ principalId, policyDocument, context }`:
 * `principalId` is the token's `sub`; the policy allows `execute-api:Invoke` on the
 * routes of the caller's role (from `cognito:groups`) in this API and stage; the
 * context carries `tenantId`, `userId`, `email` and `role` to the purchases function.
 * A verified token without `custom:tenantId` gets an explicit Deny: a 403.
 *
 * Writing it is step 04. This file re-exports step 04's finished builder rather
 * than copying it: one implementation, which every step and the deployed stack
 * share, so no copy can drift from it. Read it in
 * solutions/04-policy-and-context/tenant-policy.ts when you want to; it is
 * step 04's answer.
 */
export {
  buildTenantPolicy,
  type TenantClaims,
  type TenantContext,
} from "../../solutions/04-policy-and-context/tenant-policy.ts";
