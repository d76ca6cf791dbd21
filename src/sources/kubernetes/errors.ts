/**
 * What the Kubernetes API answered, as hush's errors (the one mapping of the kubernetes source).
 * Codes follow the shared remote toolkit (../remote/errors.ts); an RBAC denial (403) names the
 * verb, the resource and the user from the API server's `Status`, with the Role that fixes it.
 * Messages never quote a reply: only names matching Kubernetes' own patterns are taken from it.
 */
import { HushError } from "../../errors.js";
import { connectionError, errorForStatus, malformedReply, remoteError, withAttemptLog, type RemoteWhere } from "../remote/errors.js";
import { attemptsOf, parseRetryAfter, type RetryDecision } from "../remote/retry.js";

/** What was being done: the RBAC verb, and the Secret. */
export interface KubernetesWhere extends RemoteWhere {
  verb: "get" | "create" | "update" | "watch";
  namespace: string;
  /** The Secret's name. */
  secretName: string;
}

/** The SDK's `ApiException`, by shape (the SDK is loaded lazily, so no `instanceof`). */
export interface ApiExceptionLike {
  code: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** True for the SDK's `ApiException` (an HTTP status other than 2xx). */
export function isApiException(e: unknown): e is ApiExceptionLike {
  return typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "number" && "headers" in e;
}

/** True for a 404 (the Secret is not there: "not here"). */
export function isNotFound(e: unknown): boolean {
  return isApiException(e) && e.code === 404;
}

/** True for a 409 (a resourceVersion conflict on replace, AlreadyExists on create). */
export function isConflict(e: unknown): boolean {
  return isApiException(e) && e.code === 409;
}

/** The retry policy: 429 (with its Retry-After), 5xx and connection failures; never a timeout or a 4xx. */
export function retryKubernetes(outcome: { value: unknown } | { error: unknown }): RetryDecision | undefined {
  if (!("error" in outcome)) return undefined;
  const e = outcome.error;
  if (isApiException(e)) {
    if (e.code === 429) return { reason: "429", retryAfterMs: parseRetryAfter(e.headers?.["retry-after"]) };
    if (e.code >= 500) return { reason: String(e.code) };
    return undefined;
  }
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && CONNECTION_CODES.has(code)) return { reason: code };
  return undefined;
}

/** The HushError for anything a call threw (after its retries), with the attempts for `--debug`. */
export function kubernetesError(e: unknown, where: KubernetesWhere, timeoutMs: number): HushError {
  if (e instanceof HushError) return e;
  return withAttemptLog(mapError(e, where, timeoutMs), attemptsOf(e));
}

// --- internal ---

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "UND_ERR_SOCKET"]);

function mapError(e: unknown, where: KubernetesWhere, timeoutMs: number): HushError {
  if (isApiException(e)) {
    const status = statusOf(e.body);
    if (e.code === 403) return rbacDenied(where, status?.message);
    if (e.code === 401) {
      return remoteError("ACCESS_DENIED", `${where.source}: the API server refused the credentials (HTTP 401) on ${where.verb} of secrets/${where.secretName}.`, where, {
        hint: "The service-account token (or the kubeconfig's user) is expired or unknown to this cluster; check tokenFile / kubeconfig.",
      });
    }
    return errorForStatus(e.code, where, status?.reason) ?? malformedReply(where, `HTTP ${e.code}`);
  }
  const name = (e as { name?: unknown } | undefined)?.name;
  if (name === "AbortError" || name === "TimeoutError") return connectionError({ code: "ETIMEDOUT" }, where, timeoutMs);
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && CONNECTION_CODES.has(code)) return connectionError(e, where);
  // JSON that does not parse (the SDK's SyntaxError quotes it: never passed on), or an unexpected shape.
  return malformedReply(where, "not the JSON the Kubernetes API documents");
}

/** 403: "denied", naming the verb, the resource and the user, with the Role that grants it. */
function rbacDenied(where: KubernetesWhere, message: string | undefined): HushError {
  const user = message && /User "(system:[a-z0-9:.-]{1,200}|[A-Za-z0-9@:._-]{1,200})"/.exec(message)?.[1];
  const verb = (message && /cannot ([a-z]{1,20}) resource "secrets"/.exec(message)?.[1]) || where.verb;
  const who = user ? ` for ${user}` : "";
  const sa = user && /^system:serviceaccount:([a-z0-9-]+):([a-z0-9.-]+)$/.exec(user);
  const binding = sa ? ` && kubectl create rolebinding hush-${verb}-secrets -n ${where.namespace} --role=hush-${verb}-secrets --serviceaccount=${sa[1]}:${sa[2]}` : "";
  return remoteError("ACCESS_DENIED", `${where.source}: RBAC denied "${verb}" on resource "secrets" (secrets/${where.secretName}) in namespace "${where.namespace}"${who} (HTTP 403).`, where, {
    hint: `Grant the verb with a Role: kubectl create role hush-${verb}-secrets -n ${where.namespace} --verb=${verb} --resource=secrets --resource-name=${where.secretName}${binding}`,
  });
}

/** The `Status` object of an error reply (the SDK hands its text), or undefined. */
function statusOf(body: unknown): { message?: string; reason?: string } | undefined {
  let parsed: unknown = body;
  if (typeof body === "string") {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return undefined;
    }
  }
  if (typeof parsed !== "object" || parsed === null || (parsed as { kind?: unknown }).kind !== "Status") return undefined;
  const { message, reason } = parsed as { message?: unknown; reason?: unknown };
  return {
    ...(typeof message === "string" ? { message } : {}),
    ...(typeof reason === "string" && /^[A-Za-z]{1,40}$/.test(reason) ? { reason } : {}),
  };
}
