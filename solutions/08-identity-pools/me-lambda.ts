/** The GET /me, /me/cognito and /me/iam Lambda entry: configuration from the environment. */
import { createMeHandler } from "./me-handler.ts";

export const handler = createMeHandler({ corsAllowOrigin: process.env.CORS_ALLOW_ORIGIN });
