/**
 * The one table from error codes to process exit codes. Only `cli/main` ends the process.
 * 0 ok · 1 "found something" (scan findings, check failures, verify failures) · 2 usage ·
 * 3-10 by family, below. A child's own exit code is passed through by `hush run`.
 */
import type { HushErrorCode } from "../index.js";

/** A command that reports findings (scan, check, audit verify) found some. */
export const EXIT_FOUND = 1;
export const EXIT_USAGE = 2;
/**
 * `hush rotate --due`: something is still due (a `--dry-run`, a secret without a rotator, a revoke
 * in its grace period). 0 means all done; a failed rotation or revoke exits with ROTATION_FAILED's 11.
 */
export const EXIT_ROTATION_STILL_DUE = 1;

export const EXIT_CODES: Record<HushErrorCode, number> = {
  INVALID_NAME: 2,
  INVALID_ARGUMENT: 2,
  INVALID_VALUE: 2,
  NAME_COLLISION: 3,
  CONFIG_INVALID: 3,
  NOT_FOUND: 4,
  VERSION_NOT_FOUND: 4,
  DELETED: 4,
  MALFORMED_KEY: 5,
  KEY_MISSING: 5,
  WRONG_KEY: 5,
  KEY_EXISTS: 5,
  INSECURE_PERMISSIONS: 5,
  KMS_DECRYPT_FAILED: 5,
  STORE_CORRUPT: 6,
  STORE_TRUNCATED: 6,
  INVALID_TOKEN: 6,
  TOKEN_EXPIRED: 6,
  UNSUPPORTED_CONTENT: 6,
  LIMIT_EXCEEDED: 6,
  LOCK_TIMEOUT: 7,
  WRITE_FAILED: 7,
  READ_FAILED: 7,
  CONCURRENT_MODIFICATION: 7,
  READ_ONLY: 7,
  SOURCE_UNAVAILABLE: 8,
  ACCESS_DENIED: 8,
  BAD_REPLY: 8,
  MISSING_DEPENDENCY: 8,
  SCHEMA_MISMATCH: 6,
  AUDIT_FAILED: 9,
  SCAN_INCOMPLETE: 10,
  SPAWN_FAILED: 127,
  ROTATION_IN_PROGRESS: 7,
  ROTATION_FAILED: 11,
  INTERNAL: 70,
};
