/**
 * The browser origins the API allows (CORS), as instructors set them in CDK
 * context: `corsAllowOrigins` in cdk.json or `cdk deploy -c corsAllowOrigins=...`.
 */
import { LOCAL_WEB_APP_ORIGIN } from "../../shared/runtime/purchases-api.ts";

/** The context key that sets the browser origins allowed by CORS. */
export const CORS_ORIGINS_CONTEXT_KEY = "corsAllowOrigins";
/** The web app on the learner's machine, until an instructor names the deployed app's origin. */
export const DEFAULT_CORS_ALLOW_ORIGINS: readonly string[] = [LOCAL_WEB_APP_ORIGIN];

/**
 * The CORS origins from the context value: an array (cdk.json), or a string
 * (`-c corsAllowOrigins=...`) holding a JSON array or a comma-separated list.
 */
export function corsOriginsFromContext(value: unknown): readonly string[] {
  if (value === undefined || value === null || value === "") return DEFAULT_CORS_ALLOW_ORIGINS;
  let origins: unknown = value;
  if (typeof value === "string") {
    const text = value.trim();
    origins = text.startsWith("[") ? JSON.parse(text) : text.split(",");
  }
  if (!Array.isArray(origins)) {
    throw new Error(`Context ${CORS_ORIGINS_CONTEXT_KEY} must be an array of origins or a comma-separated string.`);
  }
  const cleaned = origins.map((origin) => String(origin).trim()).filter((origin) => origin.length > 0);
  if (cleaned.length === 0) return DEFAULT_CORS_ALLOW_ORIGINS;
  for (const origin of cleaned) {
    if (origin !== "*" && !/^https?:\/\/[^/\s'"]+$/.test(origin)) {
      throw new Error(
        `Context ${CORS_ORIGINS_CONTEXT_KEY}: "${origin}" is not an origin like https://app.example.com ` +
          "(scheme and host, no path).",
      );
    }
  }
  return cleaned;
}

/**
 * The one origin that actual responses carry in `Access-Control-Allow-Origin`:
 * the first listed. The preflight answers every origin, but the function's
 * header and API Gateway's gateway responses are a single static value.
 */
export function responseOriginOf(origins: readonly string[]): string {
  const [first] = origins;
  if (first === undefined) throw new Error("CORS needs at least one allowed origin.");
  return first;
}
