/** What a purchase is, and what a client may send to create one. */
import { z } from "zod";

/** The body of `POST /purchases`. Strict: an unknown field (a `tenantId`, say) is a 400, not ignored. */
export const NewPurchaseSchema = z.strictObject({
  item: z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters"),
  amountCents: z
    .number({ error: "must be a number" })
    .int("must be a whole number of cents")
    .positive("must be greater than 0")
    .max(100_000_000_00, "must be at most 10,000,000,000 cents"),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be three upper-case letters, like USD"),
});

export type NewPurchase = z.infer<typeof NewPurchaseSchema>;

export interface Purchase extends NewPurchase {
  tenantId: string;
  /** A ULID: sorts by creation time, so the newest come first in a reversed Query. */
  purchaseId: string;
  /** The `sub` of the user who recorded it. */
  createdBy: string;
  createdAt: string;
}

export interface FieldError {
  field: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * The largest body a purchase request may have. A real one is under 300 bytes
 * (its item is at most 200 characters); 16 KiB leaves room for any client
 * while bounding what a request can make the function parse and answer.
 */
export const MAX_BODY_BYTES = 16 * 1024;
/** An unknown field's name is echoed back at most this long, so an answer never grows with the input. */
export const MAX_FIELD_NAME_LENGTH = 64;

export const BODY_TOO_LARGE: FieldError = {
  field: "body",
  message: `must be at most ${MAX_BODY_BYTES} bytes (16 KiB)`,
};

/** Bytes, not characters: what the function holds in memory is what counts. */
export function isBodyTooLarge(body: string | null | undefined): boolean {
  return body != null && Buffer.byteLength(body, "utf8") > MAX_BODY_BYTES;
}

/** Parses a raw request body into a new purchase, or the list of what is wrong with it, by field. */
export function parseNewPurchase(body: string | null | undefined): Parsed<NewPurchase> {
  if (!body) return { ok: false, errors: [{ field: "body", message: "is required: send a JSON object" }] };
  // Refused before JSON.parse: parsing, validating and naming the errors all grow with the body.
  if (isBodyTooLarge(body)) return { ok: false, errors: [BODY_TOO_LARGE] };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, errors: [{ field: "body", message: "is not valid JSON" }] };
  }
  const result = NewPurchaseSchema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, errors: result.error.issues.flatMap(toFieldErrors) };
}

function toFieldErrors(issue: z.core.$ZodIssue): FieldError[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      field: truncate(key, MAX_FIELD_NAME_LENGTH),
      message: "is not an allowed field",
    }));
  }
  const field = issue.path.length > 0 ? issue.path.join(".") : "body";
  const message = issue.code === "invalid_type" && issue.path.length === 0 ? "must be a JSON object" : issue.message;
  return [{ field, message }];
}

const truncate = (text: string, length: number) => (text.length > length ? `${text.slice(0, length)}…` : text);

/** ULIDs: 26 Crockford base-32 characters. Anything else cannot be a purchase id. */
export function isPurchaseId(value: string): boolean {
  return /^[0-9A-HJKMNP-TV-Z]{26}$/.test(value);
}
