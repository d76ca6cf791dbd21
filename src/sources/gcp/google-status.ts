/**
 * The canonical Google status (`PERMISSION_DENIED`, `NOT_FOUND`, ...) of an error thrown by a
 * `@google-cloud/*` client, whichever way it arrived:
 * - a google-gax `GoogleError` with a numeric gRPC `code` (gRPC mode, and REST replies that gax
 *   decodes itself);
 * - a gaxios `GaxiosError` (REST mode with google-auth-library >= 10: `auth.fetch` throws on a
 *   non-2xx reply before gax decodes it), whose HTTP `status` is known and whose message is the
 *   reply's JSON error body (`{"error": {"code", "message", "status"}}`);
 * - a network failure (ECONNREFUSED, ECONNRESET, a timeout) with an errno-style code.
 * Only the status name is read from the body; its message is never kept (it may name things).
 */

/** google.rpc.Code by number. */
const BY_NUMBER = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"] as const;

/** HTTP status -> the canonical status Google maps it from (https://cloud.google.com/apis/design/errors). */
const BY_HTTP: Record<number, string> = { 400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 499: "CANCELLED", 500: "INTERNAL", 501: "UNIMPLEMENTED", 502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED" };

/** A canonical status name, `NETWORK` for a connection that failed, or undefined when unknown. */
export function googleStatusOf(e: unknown): string | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const err = e as { code?: unknown; status?: unknown; message?: unknown; name?: unknown; response?: { status?: unknown } };
  const http = typeof err.status === "number" ? err.status : typeof err.response?.status === "number" ? err.response.status : undefined;
  if (http !== undefined) return statusFromBody(err.message) ?? BY_HTTP[http] ?? (http >= 500 ? "UNAVAILABLE" : "UNKNOWN");
  if (typeof err.code === "number" && err.code >= 0 && err.code < BY_NUMBER.length) return BY_NUMBER[err.code];
  if (typeof err.code === "string" && /^E[A-Z]+$/.test(err.code)) return "NETWORK";
  if (err.name === "AbortError" || err.name === "FetchError" || (err.name === "TypeError" && err.message === "fetch failed")) return "NETWORK";
  return undefined;
}

// --- internal ---

function statusFromBody(message: unknown): string | undefined {
  if (typeof message !== "string" || !message.startsWith("{")) return undefined;
  try {
    const status = (JSON.parse(message) as { error?: { status?: unknown } }).error?.status;
    return typeof status === "string" && /^[A-Z_]{2,40}$/.test(status) ? status : undefined;
  } catch {
    return undefined; // a body that is not JSON: the HTTP status decides
  }
}
