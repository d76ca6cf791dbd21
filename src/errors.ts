/**
 * The one error class of hush. Every failure is a `HushError` with a code from a closed
 * union, a message that may name a source, a path or a secret *name*, and a one-line hint
 * with the fix. A secret value never appears in any of them.
 *
 * To add a code: add it to `HINTS` (the union is derived from its keys) and to the exit
 * code table in `src/cli/exit-codes.ts`, in the change that first raises it (a test checks that
 * every code is raised somewhere). Edit this file with small, targeted changes.
 */

const HINTS = {
  INVALID_NAME: "Use letters, digits, '_', '.' or '-', starting with a letter or '_', at most 128 characters.",
  NAME_COLLISION: "Two names map to one environment variable; rename or delete one of them.",
  NOT_FOUND: "Set it with `hush set NAME`, or provide it through the environment or a .env file.",
  INVALID_VALUE: "The value cannot be stored or passed on as it is; check it for NUL bytes or unpaired surrogates.",
  INVALID_ARGUMENT: "Check the arguments; `--help` lists what each command accepts.",
  MALFORMED_KEY: "A key file holds 44 characters of url-safe base64 (32 bytes); restore it from your backup.",
  KEY_MISSING: "The key file is missing: restore it from your backup (no other key opens a store written with it), or point `secretsDir` at the folder that holds it.",
  WRONG_KEY: "The key does not open this store; use the key file this store was written with.",
  KEY_EXISTS: "A key is already stored for this environment; hush never replaces a key unasked (`hush key rotate` re-keys the store).",
  STORE_CORRUPT: "The store is damaged; restore it from backup. hush keeps the damaged file as it is.",
  STORE_TRUNCATED: "The store file is empty or cut short; restore it from backup. hush keeps the file as it is.",
  INVALID_TOKEN: "The Fernet token is malformed or was altered; it cannot be decrypted.",
  TOKEN_EXPIRED: "The token is older than the allowed TTL, or dated in the future beyond the allowed clock skew.",
  UNSUPPORTED_CONTENT: "The store holds JSON that JavaScript cannot represent without changing it; see docs/store-format.md.",
  LIMIT_EXCEEDED: "The input is larger or deeper than hush accepts; see docs/store-format.md for the limits.",
  INSECURE_PERMISSIONS: "Others can access a secrets file; run the chmod in the message.",
  LOCK_TIMEOUT: "Another hush process holds the store lock; retry, or remove a lock left by a dead host.",
  WRITE_FAILED: "The write did not happen and the old store is unchanged; check disk space and permissions.",
  READ_FAILED: "The file could not be read; check that it exists and that you may read it.",
  CONCURRENT_MODIFICATION: "Another program rewrote the store while hush was writing; re-run the command.",
  READ_ONLY: "This source cannot be written; write to a writable source such as `local`.",
  VERSION_NOT_FOUND: "Run `hush history NAME` to see the versions that exist.",
  CONFIG_INVALID: "Fix hush.yaml at the path given; `hush doctor` validates it.",
  // Part of the source contract too: an unreachable backend is this error, never "not found".
  SOURCE_UNAVAILABLE: "The backend could not be reached; check the address and that it is running.",
  ACCESS_DENIED: "The backend refused the credentials; check the token or role it is given.",
  // A KMS key could not decrypt (AWS DecryptionFailure, a disabled key, a ciphertext of another key):
  // neither "denied" (the caller was let in) nor a damaged local store.
  KMS_DECRYPT_FAILED: "The KMS key that protects it could not decrypt; check that the key is enabled and that the role may use it (kms:Decrypt).",
  // Part of the source contract (the conformance suite): a deleted or destroyed latest version
  // reads as DELETED, never as an empty string. Kept although no built-in source raises it yet.
  DELETED: "The latest version was deleted or destroyed; restore or rewrite it.",
  SCHEMA_MISMATCH: "The database schema is not the one this hush knows: run `hush db migrate` for an older one, or upgrade hush for a newer one.",
  // A remote backend answered, but not in the shape its API documents (a proxy's HTML page, cut JSON).
  BAD_REPLY: "The backend's reply was not what its API documents; check that the address points at the service itself (not a proxy or a login page).",
  MISSING_DEPENDENCY: "Install the optional package the message names (the command is in the message), then run the command again.",
  AUDIT_FAILED: "Fix what the message names (disk space, permissions of .secrets/); with `audit: required` nothing is served that cannot be recorded.",
  // A scan that could not check everything it was given is never "clean" (FAULTS 30).
  SCAN_INCOMPLETE: "Some input was not scanned (listed above); fix the path or permission, or exclude it with --allow-path.",
  SPAWN_FAILED: "The command could not be started; check that it exists and is executable.",
  ROTATION_IN_PROGRESS: "Another rotation of this secret is under way or was interrupted: `hush rotate NAME --resume` carries on from its pending version.",
  ROTATION_FAILED: "The step named in the message failed and `current` is unchanged; fix the cause, then `hush rotate NAME --resume` carries on from the stored pending version.",
  INTERNAL: "This is a bug in hush; please report it with `--debug` output (it never contains values).",
} as const;

/** Every error code hush can raise. */
export type HushErrorCode = keyof typeof HINTS;

/** Options for {@link HushError}. */
export interface HushErrorOptions {
  /** Replaces the default hint for this code (keep it one line). */
  hint?: string;
  /** The underlying error. Only its code/name is kept, never its message (it may quote data). */
  cause?: unknown;
  /** Which source raised it, when one did. */
  source?: string;
  /** The secret name concerned, when one is. */
  secret?: string;
}

/** Marks a HushError across copies of this module (bundles and plug-ins share the process). */
const HUSH_ERROR = Symbol.for("hush.HushError");

/**
 * The error class of hush. `code` is machine-readable, `hint` tells the fix.
 *
 * @example
 * try { await hush.get("openai_api_key", { required: true }); }
 * catch (e) { if (e instanceof HushError && e.code === "NOT_FOUND") console.error(e.hint); }
 */
export class HushError extends Error {
  /**
   * `instanceof` also recognises a HushError made by another copy of this module in the process:
   * dist/cli-run.js inlines its own, and a plug-in source throws the public entry's.
   */
  static override [Symbol.hasInstance](value: unknown): value is HushError {
    return typeof value === "object" && value !== null && (value as { [HUSH_ERROR]?: unknown })[HUSH_ERROR] === true;
  }

  override readonly name = "HushError";
  readonly code: HushErrorCode;
  readonly hint: string;
  readonly source: string | undefined;
  readonly secret: string | undefined;
  /** `code` (or name) of the underlying error, e.g. "ENOSPC"; never its message. */
  readonly causeCode: string | undefined;

  constructor(code: HushErrorCode, message: string, options: HushErrorOptions = {}) {
    const causeCode = causeCodeOf(options.cause);
    super(withErrno(message, causeCode));
    this.code = code;
    this.hint = options.hint ?? HINTS[code];
    this.source = options.source;
    this.secret = options.secret;
    this.causeCode = causeCode;
  }

  /** The brand {@link HushError}'s `instanceof` looks for. */
  get [HUSH_ERROR](): true {
    return true;
  }

  override toString(): string {
    return `HushError [${this.code}]: ${this.message}`;
  }

  toJSON(): Record<string, string | undefined> {
    return { name: this.name, code: this.code, message: this.message, hint: this.hint, source: this.source, secret: this.secret, causeCode: this.causeCode };
  }
}

/** The default hint for a code. */
export function hintFor(code: HushErrorCode): string {
  return HINTS[code];
}

/** All codes, for the CLI's exit-code table and its test. */
export const ERROR_CODES = Object.keys(HINTS) as HushErrorCode[];

/** A failure's code for access events and messages: a HushError's code, else an errno such as ENOENT; never a message. */
export function errorCodeOf(e: unknown): string | undefined {
  if (e instanceof HushError) return e.code;
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** True when `e` is a HushError (optionally with the given code). */
export function isHushError(e: unknown, code?: HushErrorCode): e is HushError {
  return e instanceof HushError && (code === undefined || e.code === code);
}

// --- internal ---

/**
 * "Cannot write X." + ENOSPC -> "Cannot write X (ENOSPC)." so every file-system failure says
 * which one it was (disk full, read-only, permission). Only errno-shaped codes are added, and
 * only once.
 */
function withErrno(message: string, causeCode: string | undefined): string {
  if (causeCode === undefined || !/^E[A-Z0-9]{2,15}$/.test(causeCode) || message.includes(causeCode)) return message;
  return message.endsWith(".") ? `${message.slice(0, -1)} (${causeCode}).` : `${message} (${causeCode})`;
}

function causeCodeOf(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (typeof cause === "object") {
    const c = cause as { code?: unknown; name?: unknown };
    if (typeof c.code === "string") return c.code;
    if (typeof c.name === "string") return c.name;
  }
  return undefined;
}
