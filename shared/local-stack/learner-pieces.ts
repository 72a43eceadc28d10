/**
 * Which code the local stack serves for each piece of the system: the
 * learner's, from `steps/`, once that piece's TODOs are done, and the
 * reference, from `solutions/`, for the rest. `npm run local` and
 * `npm run demo -- --mine` both start the stack from this selection.
 *
 * A piece is one module of a step folder, its entry, plus every module the
 * entry imports from that same folder, followed import by import (only what
 * runs: type-only imports are left out):
 *
 * | piece | entry | the files that make it today |
 * | --- | --- | --- |
 * | user pool | `steps/02-user-pool/tenant-user-pool.ts` (`TenantUserPool`) | that file (TODOs 1–3); not `auth-client.ts`, which the stack does not run |
 * | authorizer | `steps/03-authorizer/authorizer.ts` (`createAuthorizer`) | that file (TODOs 1–4), with the given files it imports from its folder |
 * | policy | `steps/04-policy-and-context/tenant-policy.ts` (`buildTenantPolicy`) | that file (TODOs 1–5) |
 * | purchases handler | `steps/05-tenant-scoped-lambda/purchases-handler.ts` (`createPurchasesHandler`) | it and `purchases-repository.ts` (TODOs 1–5), with the given `http-responses.ts`, `pagination.ts`, `purchase.ts`, `idempotent-create.ts`; not `purchases-table.ts` (TODOs 6–7), the CDK table, which the stack does not run |
 * | session check | `steps/07-sessions/session-check.ts` (`whyRefused`) | that file (TODO 9): run after the authorizer, whoever's it is |
 * | sign-out | `steps/07-sessions/sign-out-handler.ts` (`createSignOutHandler`) | that file (TODO 10); not `totp.ts`, `session.ts`, `mfa.ts`, `password-reset.ts`: client code, which the stack does not run |
 *
 * A piece is the learner's when none of its files calls `todo()` (comments
 * do not count). One that does not load (a syntax error, a missing export, a
 * construct that does not synthesize) falls back to the reference, with one
 * line saying why and where.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { transformSync } from "esbuild";
import { TenantUserPool } from "../../solutions/02-user-pool/tenant-user-pool.ts";
import { createAuthorizer } from "../../solutions/03-authorizer/authorizer.ts";
import { buildTenantPolicy } from "../../solutions/04-policy-and-context/tenant-policy.ts";
import { createPurchasesHandler } from "../../solutions/05-tenant-scoped-lambda/purchases-handler.ts";
import { whyRefused } from "../../solutions/07-sessions/session-check.ts";
import { createSignOutHandler } from "../../solutions/07-sessions/sign-out-handler.ts";
import { PROJECT_ROOT } from "../project-root.ts";
import { synthesizeUserPool, type UserPoolConstruct } from "./cognito/user-pool-definition.ts";
import type { LocalStackOptions } from "./local-stack.ts";
import { firstLine } from "../first-line.ts";

export type PieceId = "userPool" | "authorizer" | "policy" | "purchasesHandler" | "sessionCheck" | "signOutHandler";

interface Piece<T> {
  id: PieceId;
  /** How a person calls it. */
  label: string;
  /** The folder under `steps/` (and `solutions/`). */
  slug: string;
  /** The module the stack imports; the piece is it and what it imports from its folder. */
  entry: string;
  /** The export the stack uses. */
  exportName: string;
  reference: T;
  /** Whether a loaded export can be used (a function, a class); throws a sentence when not. */
  check(value: unknown): asserts value is T;
}

const isFunction = (exportName: string) =>
  function check(value: unknown) {
    if (typeof value !== "function") throw new Error(`it does not export a function ${exportName}`);
  };

const PIECES = {
  userPool: {
    id: "userPool",
    label: "user pool",
    slug: "02-user-pool",
    entry: "tenant-user-pool.ts",
    exportName: "TenantUserPool",
    reference: TenantUserPool as UserPoolConstruct,
    check(value: unknown): asserts value is UserPoolConstruct {
      if (typeof value !== "function") throw new Error("it does not export a class TenantUserPool");
      // Loading a construct is synthesizing it: a CDK validation error shows here, not as a stack that will not start.
      synthesizeUserPool(value as UserPoolConstruct);
    },
  } satisfies Piece<UserPoolConstruct>,
  authorizer: {
    id: "authorizer",
    label: "authorizer",
    slug: "03-authorizer",
    entry: "authorizer.ts",
    exportName: "createAuthorizer",
    reference: createAuthorizer,
    check: isFunction("createAuthorizer"),
  } satisfies Piece<typeof createAuthorizer>,
  policy: {
    id: "policy",
    label: "policy",
    slug: "04-policy-and-context",
    entry: "tenant-policy.ts",
    exportName: "buildTenantPolicy",
    reference: buildTenantPolicy,
    check: isFunction("buildTenantPolicy"),
  } satisfies Piece<typeof buildTenantPolicy>,
  purchasesHandler: {
    id: "purchasesHandler",
    label: "purchases handler",
    slug: "05-tenant-scoped-lambda",
    entry: "purchases-handler.ts",
    exportName: "createPurchasesHandler",
    reference: createPurchasesHandler,
    check: isFunction("createPurchasesHandler"),
  } satisfies Piece<typeof createPurchasesHandler>,
  sessionCheck: {
    id: "sessionCheck",
    label: "session check",
    slug: "07-sessions",
    entry: "session-check.ts",
    exportName: "whyRefused",
    reference: whyRefused,
    check: isFunction("whyRefused"),
  } satisfies Piece<typeof whyRefused>,
  signOutHandler: {
    id: "signOutHandler",
    label: "sign-out",
    slug: "07-sessions",
    entry: "sign-out-handler.ts",
    exportName: "createSignOutHandler",
    reference: createSignOutHandler,
    check: isFunction("createSignOutHandler"),
  } satisfies Piece<typeof createSignOutHandler>,
} as const;

/** The pieces in step order. */
export const PIECE_IDS: readonly PieceId[] = [
  "userPool",
  "authorizer",
  "policy",
  "purchasesHandler",
  "sessionCheck",
  "signOutHandler",
];

export interface PieceChoice {
  id: PieceId;
  label: string;
  owner: "yours" | "reference";
  /** The step folder, as a person would type it (relative to the repository when inside it). */
  folder: string;
  /** The piece's files in the step folder, entry first (absolute paths); empty when the entry is missing. */
  files: string[];
  /** The TODO numbers still open in those files. */
  openTodos: number[];
  /** Why the reference is served, when it is. */
  reason?: string;
  /** Set when the learner's piece was done but does not load: the one line that says why, with file:line. */
  loadError?: string;
}

export interface PieceSelection {
  choices: PieceChoice[];
  /** What to pass to startLocalStack. */
  stackOptions: Required<
    Pick<
      LocalStackOptions,
      "userPoolConstruct" | "createAuthorizer" | "createPurchasesHandler" | "whyRefused" | "createSignOutHandler"
    >
  >;
  /** One line: "user pool: yours (steps/02-user-pool) · authorizer: reference, … · …". */
  summary: string;
  /** One line per learner piece that fell back because it does not load. */
  warnings: string[];
}

export interface SelectOptions {
  /** The folder holding the step folders (default: the repository's `steps/`). Tests pass another. */
  stepsRoot?: string;
  /** Serve the reference for every piece (`npm run local -- --reference`). */
  reference?: boolean;
}

/** Picks, piece by piece, the learner's code or the reference, and loads the learner's. */
export async function selectPieces(options: SelectOptions = {}): Promise<PieceSelection> {
  const stepsRoot = resolve(options.stepsRoot ?? join(PROJECT_ROOT, "steps"));
  const loaded: Partial<Record<PieceId, unknown>> = {};
  const choices: PieceChoice[] = [];
  for (const id of PIECE_IDS) {
    const piece: Piece<unknown> = PIECES[id];
    const folder = join(stepsRoot, piece.slug);
    const entry = join(folder, piece.entry);
    const base = { id, label: piece.label, folder: displayPath(folder) };
    if (options.reference) {
      choices.push({ ...base, owner: "reference", files: [], openTodos: [], reason: "--reference" });
      continue;
    }
    if (!existsSync(entry)) {
      choices.push({
        ...base,
        owner: "reference",
        files: [],
        openTodos: [],
        reason: `${displayPath(entry)} not found`,
      });
      continue;
    }
    const files = pieceFiles(entry);
    const openTodos = [...new Set(files.flatMap((file) => openTodosIn(file)))].sort((a, b) => a - b);
    if (openTodos.length > 0) {
      const reason = `${base.folder} has open TODOs (${openTodos.join(", ")})`;
      choices.push({ ...base, owner: "reference", files, openTodos, reason });
      continue;
    }
    try {
      const module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
      const value = module[piece.exportName];
      piece.check(value);
      loaded[id] = value;
      choices.push({ ...base, owner: "yours", files, openTodos });
    } catch (error) {
      const loadError = `${piece.label}: yours does not load, serving the reference: ${whereItBroke(error, files)}`;
      choices.push({ ...base, owner: "reference", files, openTodos, reason: "yours does not load", loadError });
    }
  }

  const userPool = (loaded.userPool as UserPoolConstruct | undefined) ?? PIECES.userPool.reference;
  const authorizer = (loaded.authorizer as typeof createAuthorizer | undefined) ?? createAuthorizer;
  const policy = (loaded.policy as typeof buildTenantPolicy | undefined) ?? buildTenantPolicy;
  const purchases = (loaded.purchasesHandler as typeof createPurchasesHandler | undefined) ?? createPurchasesHandler;
  const sessionCheck = (loaded.sessionCheck as typeof whyRefused | undefined) ?? whyRefused;
  const signOut = (loaded.signOutHandler as typeof createSignOutHandler | undefined) ?? createSignOutHandler;
  const owner = (id: PieceId) => choices.find((c) => c.id === id)!;

  return {
    choices,
    stackOptions: {
      userPoolConstruct: userPool,
      // Whichever authorizer, it builds its policy with whichever builder was picked.
      async createAuthorizer(config) {
        try {
          return await authorizer({ ...config, buildPolicy: policy });
        } catch (error) {
          throw whose(owner("authorizer"), "failed at cold start", error);
        }
      },
      createPurchasesHandler(config) {
        try {
          return purchases(config);
        } catch (error) {
          throw whose(owner("purchasesHandler"), "failed to start", error);
        }
      },
      whyRefused: sessionCheck,
      createSignOutHandler(config) {
        try {
          return signOut(config);
        } catch (error) {
          throw whose(owner("signOutHandler"), "failed to start", error);
        }
      },
    },
    summary: choices.map(describeChoice).join(" · "),
    warnings: choices.flatMap((c) => (c.loadError ? [c.loadError] : [])),
  };
}

/** "authorizer: yours (steps/03-authorizer)" or "policy: reference, steps/04-policy-and-context has open TODOs (3)". */
export function describeChoice(choice: PieceChoice): string {
  if (choice.owner === "yours") return `${choice.label}: yours (${choice.folder})`;
  if (choice.reason === "--reference") return `${choice.label}: reference`;
  return `${choice.label}: reference, ${choice.reason}`;
}

/**
 * The entry and every module it imports, at run time, from its own folder,
 * transitively (`./x.ts`, `../03-authorizer/x.ts` is another folder: left out).
 */
export function pieceFiles(entry: string): string[] {
  const folder = dirname(entry);
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    for (const specifier of runtimeImports(readFileSync(file, "utf8"), file)) {
      if (!specifier.startsWith(".")) continue;
      const target = resolve(dirname(file), specifier);
      if (dirname(target) === folder) visit(target);
    }
  };
  visit(entry);
  return [...seen];
}

/** The numbers of the `todo("n: …")` calls left in a file; a call without a number counts as 0. */
export function openTodosIn(file: string): number[] {
  const code = codeOf(readFileSync(file, "utf8"), file);
  return [...code.matchAll(/(?<![\w$.])todo\s*\(\s*(?:(["'`])(\d+))?/g)].map((m) => Number(m[2] ?? 0));
}

/** The module specifiers a file imports at run time (type-only imports are erased first). */
function runtimeImports(source: string, file: string): string[] {
  const code = codeOf(source, file);
  return [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)(["'])([^"']+)\1/g)].map((m) => m[2]!);
}

/**
 * The file as JavaScript: no comments, no types. A file that does not parse is
 * returned as it is: its `todo(` calls still count, and its import fails with
 * the line to fix.
 */
function codeOf(source: string, file: string): string {
  try {
    return transformSync(source, { loader: "ts", sourcefile: file, format: "esm" }).code;
  } catch {
    return source;
  }
}

/** "steps/03-authorizer/authorizer.ts:12: Expected "}" but found "2"": where the learner's code broke. */
export function whereItBroke(error: unknown, files: string[]): string {
  const message = error instanceof Error ? error.message : String(error);
  const text = stripAnsi(`${message}\n${error instanceof Error ? (error.stack ?? "") : ""}`);
  let best: { index: number; file: string; line: string; detail?: string } | undefined;
  for (const file of files) {
    // Tools name the file absolutely or relative to the working folder: match its last two segments.
    const tail = file.split(sep).slice(-2).join("/");
    const pattern = new RegExp(`${escapeRegExp(tail)}:(\\d+)(?::\\d+)?(?::\\s*ERROR:\\s*([^\\n]*))?`);
    const match = pattern.exec(text);
    if (match && (!best || match.index < best.index)) {
      best = { index: match.index, file, line: match[1]!, detail: match[2] };
    }
  }
  const detail =
    best?.detail?.trim() || firstLine(stripAnsi(message).replace(/^Transform failed with \d+ errors?:\s*/i, ""));
  return best ? `${displayPath(best.file)}:${best.line}: ${detail}` : `${displayPath(files[0] ?? "")}: ${detail}`;
}

/** A learner's piece that throws as the stack starts: the stack does not start, and one sentence says whose it was. */
function whose(choice: PieceChoice, what: string, error: unknown): unknown {
  if (choice.owner !== "yours") return error;
  const message = error instanceof Error ? error.message : String(error);
  return new Error(
    `Your ${choice.label} (${choice.folder}) ${what}: ${firstLine(message)} (\`--reference\` serves the reference).`,
    { cause: error },
  );
}

function displayPath(path: string): string {
  const inside = relative(PROJECT_ROOT, path);
  return inside && !inside.startsWith("..") && !isAbsolute(inside) ? inside.split(sep).join("/") : path;
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
