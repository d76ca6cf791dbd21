/**
 * The one mapping from what a remote backend answered to hush's error codes, shared by every
 * remote source so "denied" never reads as "absent" (STYLE: one function per backend, the
 * wording in one place):
 *
 * | backend said | hush |
 * | --- | --- |
 * | 401, 403 | ACCESS_DENIED |
 * | 404 | not here: `undefined`, no error |
 * | 429, 5xx (503 = a sealed Vault), connection refused/reset, timeout | SOURCE_UNAVAILABLE |
 * | a reply not shaped as documented | BAD_REPLY |
 *
 * Every error names the source and the path (never the value) and carries the attempts made, for
 * `--debug` (appended to its stack, which only `--debug` prints).
 */
import { HushError, type HushErrorCode } from "../../errors.js";
import { formatAttempts, type RetryAttempt } from "./retry.js";

/** Where a failure happened: the source's name, what was being done and the path (never a value). */
export interface RemoteWhere {
  source: string;
  /** `read`, `write`, `list`, `delete`, `login`... */
  operation: string;
  /** The backend path or key (`secret/data/apps/llm`), when there is one. */
  path?: string;
  /** The secret's hush name, when there is one. */
  secret?: string;
}

/** The error for an HTTP status, or undefined for a 2xx and for 404 ("not here"). */
export function errorForStatus(status: number, where: RemoteWhere, detail?: string): HushError | undefined {
  if ((status >= 200 && status < 300) || status === 404) return undefined;
  const what = `${where.source}: ${where.operation}${where.path !== undefined ? ` of ${where.path}` : ""}`;
  const extra = detail ? `: ${detail}` : "";
  if (status === 401 || status === 403) return remoteError("ACCESS_DENIED", `${what} was denied (HTTP ${status})${extra}.`, where);
  if (status === 429) return remoteError("SOURCE_UNAVAILABLE", `${what} was rate-limited (HTTP 429) and the retries ran out${extra}.`, where, { hint: "The backend is throttling hush; retry later, or raise cacheTtl so fewer reads reach it." });
  if (status === 503) return remoteError("SOURCE_UNAVAILABLE", `${what} failed: the backend is unavailable or sealed (HTTP 503)${extra}.`, where);
  if (status >= 500) return remoteError("SOURCE_UNAVAILABLE", `${what} failed: the backend answered HTTP ${status}${extra}.`, where);
  return new HushError("BAD_REPLY", `${what} failed: the backend answered HTTP ${status}${extra}.`, { ...whereOptions(where), hint: "hush sent a request the backend refused; check the source's options (mount, path, namespace)." });
}

/** A connection that failed or a request that timed out (`ECONNREFUSED`, `ECONNRESET`, `ETIMEDOUT`...). */
export function connectionError(cause: unknown, where: RemoteWhere, timeoutMs?: number): HushError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  const what = `${where.source}: ${where.operation}${where.path !== undefined ? ` of ${where.path}` : ""}`;
  if (code === "ETIMEDOUT") return remoteError("SOURCE_UNAVAILABLE", `${what} timed out${timeoutMs !== undefined ? ` after ${timeoutMs} ms` : ""}.`, where, { cause, hint: "The backend is slow or unreachable; check it, or raise the source's timeout." });
  return remoteError("SOURCE_UNAVAILABLE", `${what} failed: the backend could not be reached.`, where, { cause });
}

/** A reply that is not what the API documents (cut JSON, HTML, a missing field). Never quotes the reply. */
export function malformedReply(where: RemoteWhere, what: string): HushError {
  return new HushError("BAD_REPLY", `${where.source}: ${where.operation}${where.path !== undefined ? ` of ${where.path}` : ""}: the reply is malformed (${what}).`, whereOptions(where));
}

/** A HushError for a remote source: names the source and the secret. */
export function remoteError(code: HushErrorCode, message: string, where: RemoteWhere, options: { hint?: string; cause?: unknown } = {}): HushError {
  return new HushError(code, message, { ...whereOptions(where), ...options });
}

/** Appends the attempts to `error`'s stack (printed by `--debug` only); returns `error`. */
export function withAttemptLog<E extends Error>(error: E, attempts: readonly RetryAttempt[]): E {
  if (attempts.length > 0) error.stack = `${error.stack ?? String(error)}\n${formatAttempts(attempts)}`;
  return error;
}

/** True for the failures that mean "the backend could not answer" (last-known-good may step in). */
export function isUnavailable(e: unknown): boolean {
  return e instanceof HushError && e.code === "SOURCE_UNAVAILABLE";
}

// --- internal ---

/** The source and secret of `where`, as HushError options. */
function whereOptions(where: RemoteWhere): { source: string; secret?: string } {
  return { source: where.source, ...(where.secret !== undefined ? { secret: where.secret } : {}) };
}
