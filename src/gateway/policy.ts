/**
 * A route's policy at request time: the allow-list (`METHOD /path-glob`), the rate limit, the
 * per-run request cap, the per-run token and spend caps (usage-account.ts) and the request-size limit. In a glob, `*` matches within one path segment
 * and `**` across segments (`GET /v1/customers/*` allows `/v1/customers/cus_1`, not
 * `/v1/customers/cus_1/delete`). Paths are checked as sent, after {@link isCleanPath} refused the
 * forms that could mean another path upstream (`..`, `//`, encoded `/`, `.` or `\`).
 */
import type { RoutePolicy } from "./types.js";
import { createUsageAccount, type UsageAccount } from "./usage-account.js";

/** Why a request is refused, as the gateway answers it. */
export interface Refusal {
  status: number;
  /** Small, stable, value-free (`not-allowed`, `rate-limited`, ...). */
  code: string;
  message: string;
}

/** The checks of one route, with its counters (per gateway, that is per run). */
export interface RoutePolicyState {
  /** A refusal for `method path` (path without the query), or undefined when allowed. Counts the request when allowed. */
  admit(method: string, path: string, now: number): Refusal | undefined;
  readonly maxRequestBytes: number;
  /** The token / spend account, on a route with `maxTokens` or `maxSpend`. */
  readonly usage: UsageAccount | undefined;
}

/** Builds the state of a policy. `defaultMaxBytes` applies when the policy sets no size limit. */
export function createPolicyState(policy: RoutePolicy, defaultMaxBytes: number): RoutePolicyState {
  const allow = policy.allow?.map(compileAllowEntry);
  const times: number[] = [];
  let served = 0;
  const usage = createUsageAccount(policy);
  return {
    maxRequestBytes: policy.maxRequestBytes ?? defaultMaxBytes,
    usage,
    admit(method, path, now) {
      if (allow && !allow.some((test) => test(method, path))) return { status: 403, code: "not-allowed", message: `${method} on this path is not in the route's allow-list.` };
      if (policy.maxRequests !== undefined && served >= policy.maxRequests) {
        return { status: 429, code: "request-cap", message: `The route's cap of ${policy.maxRequests} requests for this run is reached.` };
      }
      const capped = usage?.check();
      if (capped) return capped;
      if (policy.rateLimit) {
        const since = now - policy.rateLimit.perMs;
        while (times.length > 0 && times[0]! <= since) times.shift();
        if (times.length >= policy.rateLimit.count) return { status: 429, code: "rate-limited", message: `The route allows ${policy.rateLimit.count} requests per ${policy.rateLimit.perMs / 1000} s.` };
        times.push(now);
      }
      served++;
      return undefined;
    },
  };
}

/** `GET /v1/charges*` -> a test of method and path. Throws on a malformed entry (validated earlier). */
export function compileAllowEntry(entry: string): (method: string, path: string) => boolean {
  const m = ALLOW_ENTRY.exec(entry.trim());
  if (!m) throw new Error("malformed allow entry"); // hush.yaml validation refuses these first
  const method = m[1]!.toUpperCase();
  const pattern = new RegExp(`^${globSource(m[2]!)}$`);
  return (requestMethod, path) => (method === "*" || method === requestMethod.toUpperCase()) && pattern.test(path);
}

/** The form of an allow entry: a method (or `*`), one space, a path glob starting with `/`. */
export const ALLOW_ENTRY = /^(\*|[A-Za-z]{1,16})\s+(\/[^\s]*)$/;

/**
 * False for a path that a server could read as another path: dot segments, empty segments,
 * backslashes, encoded `/`, `\`, `.` or `%`, and control characters. Such a request is refused
 * (400) rather than normalised, so an allow-list cannot be walked around.
 */
export function isCleanPath(path: string): boolean {
  if (!path.startsWith("/") || path.length > 8192) return false;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i); // a UTF-16 unit: a control character, space, DEL, `\` or `#` is one on its own
    if (c <= 0x20 || c === 0x7f || c === 0x5c || c === 0x23) return false;
  }
  if (/%(2f|5c|2e|25|00)/i.test(path)) return false;
  return !path.split("/").slice(1).some((seg, i, all) => seg === "." || seg === ".." || (seg === "" && i < all.length - 1));
}

/** `60/min`, `10/s`, `1000/h`, `5000/day` -> count and window, or undefined. */
export function parseRateLimit(text: string): { count: number; perMs: number } | undefined {
  const m = /^([1-9][0-9]{0,6})\s*\/\s*(s|sec|second|min|minute|h|hour|d|day)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2]!;
  const perMs = unit.startsWith("s") ? 1000 : unit.startsWith("m") ? 60_000 : unit.startsWith("h") ? 3_600_000 : 86_400_000;
  return { count: Number(m[1]), perMs };
}

// --- internal ---

function globSource(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      out += ".*";
      i++;
    } else if (c === "*") out += "[^/]*";
    else out += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return out;
}
