/**
 * The browser's stand-in for `node:crypto` (web-server.ts aliases it). The
 * web app imports step 07's mfa.ts, which imports totp.ts for the `otpauth://`
 * URI it shows at enrolment; totp.ts computes codes with Node's HMAC. The page
 * never computes a code: the user's authenticator app does. So calling this
 * is a bug, and says so.
 */
export function createHmac(): never {
  throw new Error("The web app does not compute TOTP codes: the authenticator app does.");
}
