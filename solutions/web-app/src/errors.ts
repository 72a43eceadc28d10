/**
 * The API's and Cognito's refusals in words a person can act on. The roles
 * that may call a route come from the API's own definition, so the message
 * cannot drift from the policy.
 */
import { ROUTES, routeResourcePattern, type HttpMethod } from "../../../shared/runtime/purchases-api.ts";

export interface Problem {
  /** What to show. */
  message: string;
  /** The form field to mark, when the API named one. */
  field?: string;
  /** The session is over: show the sign-in. */
  signIn?: boolean;
}

/** The roles whose policy allows `method path` (path without the stage). */
export function rolesFor(method: string, path: string): readonly string[] {
  const route = ROUTES.find((r) => {
    if (r.method !== (method as HttpMethod)) return false;
    // The method ARN's resource pattern: `{id}` is `*`, one path segment here.
    const pattern = routeResourcePattern(r).slice(r.method.length);
    const source = pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join("[^/]+");
    return new RegExp(`^${source}$`).test(path);
  });
  return route?.roles ?? [];
}

const list = (items: readonly string[]) =>
  items.length <= 1 ? (items[0] ?? "nobody") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;

/** A response that is not a success, as a problem to show. */
export function problemOf(status: number, bodyText: string, request: { method: string; path: string; role: string }) {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(bodyText) as Record<string, unknown>;
  } catch {
    // Not JSON: the status says enough.
  }
  const apiMessage = String(body.message ?? body.Message ?? "");
  switch (status) {
    case 400: {
      const errors = Array.isArray(body.errors) ? (body.errors as { field?: string; message?: string }[]) : [];
      const first = errors[0];
      if (first?.field)
        return {
          message: `Check “${FIELD_LABELS[first.field] ?? first.field}”: it ${first.message}.`,
          field: first.field,
        };
      return { message: `The API refused the request: ${apiMessage || "bad request"}.` };
    }
    case 401:
      return {
        message: "Your session has ended (the API refused the token, even after a refresh): sign in again.",
        signIn: true,
      };
    case 403: {
      if (/explicit deny/i.test(apiMessage))
        return {
          message:
            "Your account belongs to no tenant, so the authorizer denies every call (an explicit Deny). Tenants are assigned by an operator.",
        };
      const roles = rolesFor(request.method, request.path);
      return {
        message: `Only ${article(list(roles))} may do this; you are a ${request.role}. (403: ${apiMessage.includes("not authorized") ? "API Gateway refused it: your role's policy has no Allow for this route" : "the function checked your role again and refused"}.)`,
      };
    }
    case 404:
      return { message: "That purchase is not in your tenant, or it is gone." };
    case 422:
      return { message: apiMessage || "The API could not process that request." };
    case 429:
      return { message: "Too many requests: wait a second and try again." };
    default:
      return { message: `The API answered ${status}${apiMessage ? `: ${apiMessage}` : ""}.` };
  }
}

export const FIELD_LABELS: Record<string, string> = { item: "Item", amountCents: "Amount", currency: "Currency" };

/** Cognito's exceptions (from the SDK, in mfa.ts's calls) in words; the AuthClient's AuthErrors carry their own. */
const COGNITO_WORDS: Record<string, string> = {
  NotAuthorizedException: "Incorrect email or password.",
  UserNotFoundException: "Incorrect email or password.",
  UserNotConfirmedException: "This account is not confirmed yet: enter the code sent by email first.",
  CodeMismatchException: "That code is wrong: type the current code from your authenticator app.",
  EnableSoftwareTokenMFAException: "That code is wrong: type the current code from your authenticator app.",
  ExpiredCodeException: "That code has expired.",
  InvalidParameterException: "Cognito refused a value: check the fields.",
  TooManyRequestsException: "Too many attempts: wait a moment.",
};

export function cognitoProblem(error: unknown): string {
  const { name, code, message } = (error ?? {}) as { name?: string; code?: string; message?: string };
  if (name === "AuthError") return message ?? "Cognito refused.";
  const key = code ?? name ?? "";
  if (COGNITO_WORDS[key]) return COGNITO_WORDS[key];
  if (error instanceof TypeError) return "Cognito could not be reached from the browser: is the stack running?";
  return message ?? String(error);
}

const article = (phrase: string) => `${/^[aeiou]/i.test(phrase) ? "an" : "a"} ${phrase}`;
