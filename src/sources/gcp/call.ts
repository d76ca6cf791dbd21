/**
 * One call to Google, as the `gcp` source makes every call: a per-request timeout, bounded jittered
 * retries of RESOURCE_EXHAUSTED, UNAVAILABLE, DEADLINE_EXCEEDED and dropped connections (the
 * remote toolkit's `withRetries`, honouring `Retry-After`), and the one mapping of Google's
 * statuses to hush's codes:
 *
 * | Google | hush |
 * | --- | --- |
 * | PERMISSION_DENIED, UNAUTHENTICATED | ACCESS_DENIED |
 * | NOT_FOUND | "not here", when the caller expects it |
 * | RESOURCE_EXHAUSTED, UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, no connection, timeout | retried, then SOURCE_UNAVAILABLE |
 * | ABORTED (a stale etag) | CONCURRENT_MODIFICATION |
 * | a reply that is not JSON | BAD_REPLY |
 *
 * The SDK's own retries are switched off per call (`retry: null`), so the two never multiply.
 * Used by the `gcp` source and the `gcp-kms` key provider (which words its own denials).
 */
import { HushError } from "../../errors.js";
import { connectionError, malformedReply, remoteError, withAttemptLog, type RemoteWhere } from "../remote/errors.js";
import { attemptsOf, withRetries, type RetryDecision } from "../remote/retry.js";
import { googleStatusOf } from "./google-status.js";

/** How calls are made: from the source's options. */
export interface CallSettings {
  timeoutMs: number;
  /** Most attempts per call, the first included. @default 4 */
  attempts?: number;
  /** For tests: the retry timer. */
  sleep?(ms: number): Promise<void>;
}

/** The outcome of a call whose expected failure statuses the caller handles itself. */
export type CallOutcome<T, S extends string> = { ok: true; value: T } | { ok: false; status: S };

/** Call options that switch the SDK's own retries off and give it the same timeout. */
export function sdkCallOptions(settings: CallSettings): object {
  return { retry: null, timeout: settings.timeoutMs };
}

/**
 * Runs `call` with the timeout and retries; returns its value, or `{ ok: false, status }` for a
 * status in `expected` (e.g. NOT_FOUND); throws a HushError for everything else.
 * `retryOn` narrows what is retried (a write retries only what cannot have been applied).
 */
export async function callGoogle<T, S extends string = never>(
  settings: CallSettings,
  where: RemoteWhere,
  call: (attempt: number) => Promise<T>,
  options: { expected?: readonly S[]; retryable?: (status: string) => boolean } = {},
): Promise<CallOutcome<T, S>> {
  const retryable = options.retryable ?? isTransient;
  try {
    const value = await withRetries((n) => withTimeout(call(n), settings.timeoutMs), {
      operation: `${where.operation}${where.path !== undefined ? ` ${where.path}` : ""}`,
      attempts: settings.attempts ?? 4,
      ...(settings.sleep ? { sleep: settings.sleep } : {}),
      retryOn: (outcome) => ("error" in outcome ? retryDecision(outcome.error, retryable) : undefined),
    });
    return { ok: true, value };
  } catch (e) {
    const status = googleStatusOf(e);
    if (status !== undefined && (options.expected as readonly string[] | undefined)?.includes(status)) return { ok: false, status: status as S };
    throw withAttemptLog(mapGoogleError(e, status, where, settings.timeoutMs), attemptsOf(e));
  }
}

/** The HushError for a Google failure (`status`: its canonical status, when known). */
export function mapGoogleError(e: unknown, status: string | undefined, where: RemoteWhere, timeoutMs?: number): HushError {
  if (e instanceof HushError) return e;
  const what = `${where.source}: ${where.operation}${where.path !== undefined ? ` of ${where.path}` : ""}`;
  switch (status) {
    case "PERMISSION_DENIED":
      return remoteError("ACCESS_DENIED", `${what} was denied (PERMISSION_DENIED).`, where, { cause: e, hint: "Grant the caller roles/secretmanager.secretAccessor on the secret (or its prefix); `hush doctor` shows the identity in use." });
    case "UNAUTHENTICATED":
      return remoteError("ACCESS_DENIED", `${what} was refused: the credentials are missing, expired or invalid (UNAUTHENTICATED).`, where, { cause: e, hint: "Run `gcloud auth application-default login`, or check GOOGLE_APPLICATION_CREDENTIALS / the workload identity binding." });
    case "ABORTED":
      return remoteError("CONCURRENT_MODIFICATION", `${what} was refused: the secret changed since hush read it (etag mismatch).`, where, { cause: e });
    case "NETWORK":
      return connectionError(e, where, timeoutMs);
    case "RESOURCE_EXHAUSTED":
      return remoteError("SOURCE_UNAVAILABLE", `${what} was rate-limited (RESOURCE_EXHAUSTED) and the retries ran out.`, where, { cause: e, hint: "Google is throttling this project's calls; retry later, or (Secret Manager) raise cacheTtl so fewer reads reach it." });
    case "UNAVAILABLE":
    case "DEADLINE_EXCEEDED":
    case "INTERNAL":
      return remoteError("SOURCE_UNAVAILABLE", `${what} failed: Google answered ${status}.`, where, { cause: e });
    case "NOT_FOUND":
      return remoteError("NOT_FOUND", `${what}: not found.`, where, { cause: e, hint: "Check the project, location and secret id (prefix and secrets.NAME.remote.key in hush.yaml)." });
    case "INVALID_ARGUMENT":
    case "FAILED_PRECONDITION":
    case "OUT_OF_RANGE":
    case "ALREADY_EXISTS":
      return remoteError("INVALID_ARGUMENT", `${what} was refused by Google (${status}).`, where, { cause: e, hint: "Check the options and the resource name (secret ids are letters, digits, '_' and '-', at most 255)." });
  }
  if (e instanceof SyntaxError || (e as { name?: unknown } | undefined)?.name === "SyntaxError") return malformedReply(where, "not JSON");
  return remoteError("SOURCE_UNAVAILABLE", `${what} failed (${status ?? "an unknown error"}).`, where, { cause: e });
}

// --- internal ---

function isTransient(status: string): boolean {
  return status === "RESOURCE_EXHAUSTED" || status === "UNAVAILABLE" || status === "DEADLINE_EXCEEDED" || status === "INTERNAL" || status === "NETWORK";
}

function retryDecision(error: unknown, retryable: (status: string) => boolean): RetryDecision | undefined {
  const status = googleStatusOf(error);
  if (status === undefined || !retryable(status)) return undefined;
  const decision: RetryDecision = { reason: status };
  const after = retryAfterMs(error);
  if (after !== undefined) decision.retryAfterMs = after;
  return decision;
}

/** `Retry-After` of a GaxiosError's reply (delta-seconds), in ms. */
function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: unknown } } | undefined)?.response?.headers;
  if (typeof headers !== "object" || headers === null) return undefined;
  // gaxios hands a fetch Headers (of its own fetch: not always this realm's class), or a plain object.
  const get = (headers as { get?: unknown }).get;
  const raw = typeof get === "function" ? (get as (n: string) => unknown).call(headers, "retry-after") : (headers as Record<string, unknown>)["retry-after"];
  return typeof raw === "string" && /^\d{1,6}$/.test(raw.trim()) ? Number(raw.trim()) * 1000 : undefined;
}

/** `promise`, or an ETIMEDOUT error after `ms` (the SDK's REST transport has no deadline of its own). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      (promise as { cancel?: () => void }).cancel?.();
      reject(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" }));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
