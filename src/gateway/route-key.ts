/**
 * A route's key that follows rotation. The gateway used to read each key once, at start; after
 * `hush rotate` or `hush set` a long-running gateway kept sending the old one. Now the key is
 * read again, through the manager (so the chain, its cache and the audit of reads apply):
 *
 * - **at once on a change notification** (key-watch.ts: the sources' `watch`: the local store's
 *   file watch, the postgres source's LISTEN, the polled watch of Vault), which is prompt and
 *   costs nothing while nothing changes; and
 * - **after `refreshMs` (30 s by default), by the first request that comes**, for sources that
 *   cannot notify (AWS, Google, .env files) or a notification that was missed. It is driven by
 *   requests, not by a timer, so an idle gateway reads nothing (no audit records, no backend
 *   calls); the request waits for that read (a cache hit of the manager, as a rule).
 *
 * A read that fails (denied, unreachable, corrupt) or finds no value never reads as "no key" and
 * never keeps the old key on its own: the route refuses with 503 (`key-unreadable`,
 * `key-missing`) until a read succeeds again. The old key keeps being served only when the
 * source itself says so by its normal semantics: a remote source's last-known-good copy within
 * its `maxStaleness` is a successful read, and the manager's cache (`cacheTtlMs`) is one too.
 *
 * After a change the old key stays in the redaction set for `previousKeyMs` (10 min by
 * default): an upstream may still echo it (a reply in flight, a log it returns).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Transform } from "node:stream";
import { errorCodeOf } from "../errors.js";
import { redactStreamFactory } from "../scan/redact.js";
import type { SecretRecord } from "../types.js";
import { GatewayRefusal } from "./forward.js";
import { authHeader, type PlannedRoute } from "./routes.js";

/** Default time between re-reads of a key that no notification announced. */
export const DEFAULT_KEY_REFRESH_MS = 30_000;
/** Default time an old key is still removed from replies after a change. */
export const DEFAULT_PREVIOUS_KEY_MS = 10 * 60_000;
/** After a failed read, requests are refused without a new read for this long (no storm on a down backend). */
export const KEY_RETRY_MS = 1_000;
/** Old keys kept for redaction at most (the oldest goes first). */
const MAX_RETIRED = 8;

/** How a route's key is read again. Absent: the key never changes (tests, a fixed key). */
export interface KeyRefresh {
  /** Reads the route's secret (the manager's `getRecord`). */
  read(): Promise<SecretRecord | undefined>;
  /** @default DEFAULT_KEY_REFRESH_MS */
  refreshMs?: number;
  /** @default DEFAULT_PREVIOUS_KEY_MS */
  previousKeyMs?: number;
  /** Names the failure's code, never a value. */
  onWarning?(message: string): void;
  /** For tests. @default Date.now */
  now?(): number;
}

/** The key of a route: holds it in memory only; never log or serialise it. */
export interface RouteKey {
  /** The header that carries the current key upstream, and its value. */
  readonly auth: [string, string];
  /** Every form of the current key and of the recent old ones, by label (`x`, `x.base64`, `x.previous`, ...). */
  readonly forms: Map<string, string>;
  /** A stream that removes every one of {@link forms} (compiled once per set of forms). */
  newRedactor(): Transform;
  /** Undefined: the key may be used now. A promise: a re-read is due; it rejects with a 503 GatewayRefusal when the key cannot be had. */
  ready(): Promise<void> | undefined;
  /** A source announced a change of the secret: re-read it now. */
  changed(): Promise<void>;
  /** The current key and the recent old ones (so `hush run --gateway` keeps all of them from the child). */
  values(): string[];
}

/** The key of `plan`, starting with `key`. */
export function createRouteKey(plan: PlannedRoute, key: string, refresh?: KeyRefresh): RouteKey {
  const label = plan.secret || plan.name;
  const now = refresh?.now ?? Date.now;
  const refreshMs = refresh?.refreshMs ?? DEFAULT_KEY_REFRESH_MS;
  const previousKeyMs = refresh?.previousKeyMs ?? DEFAULT_PREVIOUS_KEY_MS;
  let current = { key, digest: digestOf(key), auth: authHeader(plan.auth, key) };
  let retired: { key: string; until: number }[] = [];
  let forms = new Map<string, string>();
  let redactor: () => Transform = () => undefined as never;
  let readAt = now();
  let failure: { refusal: GatewayRefusal; at: number } | undefined;
  let reading: Promise<void> | undefined;

  const rebuild = () => {
    forms = allForms(plan, label, current, retired);
    redactor = redactStreamFactory(forms);
  };
  const expire = () => {
    const t = now();
    if (retired.length > 0 && retired.at(-1)!.until <= t) {
      retired = retired.filter((r) => r.until > t);
      rebuild();
    }
  };
  const use = (value: string) => {
    const digest = digestOf(value);
    if (timingSafeEqual(digest, current.digest)) return;
    retired = [{ key: current.key, until: now() + previousKeyMs }, ...retired].slice(0, MAX_RETIRED);
    current = { key: value, digest, auth: authHeader(plan.auth, value) };
    rebuild();
  };
  const reread = (): Promise<void> =>
    (reading ??= (async () => {
      try {
        const record = await refresh!.read();
        if (!record || record.value.length === 0) {
          failure = { refusal: new GatewayRefusal(503, "key-missing", `The secret of route "${plan.name}" is no longer set; requests are refused until it is.`), at: now() };
          refresh!.onWarning?.(`gateway route "${plan.name}": its secret "${plan.secret}" is no longer set; requests are refused (503) until it is.`);
          return;
        }
        use(record.value);
        readAt = now();
        failure = undefined;
      } catch (e) {
        if (!failure) refresh!.onWarning?.(`gateway route "${plan.name}": its key cannot be read again (${errorCodeOf(e) ?? "error"}); requests are refused (503) until it can.`);
        failure = { refusal: new GatewayRefusal(503, "key-unreadable", `The key of route "${plan.name}" cannot be read now; requests are refused until it can.`), at: now() };
      } finally {
        reading = undefined;
      }
    })());
  const settled = (p: Promise<void>) =>
    p.then(() => {
      if (failure) throw failure.refusal;
    });
  rebuild();

  return {
    get auth() {
      return current.auth;
    },
    get forms() {
      expire();
      return forms;
    },
    newRedactor() {
      expire();
      return redactor();
    },
    ready() {
      if (!refresh) return undefined;
      if (reading) return settled(reading);
      const t = now();
      if (failure) return t - failure.at < KEY_RETRY_MS ? Promise.reject(failure.refusal) : settled(reread());
      return t - readAt >= refreshMs ? settled(reread()) : undefined;
    },
    // A change announced during a read may have come after that read's value: read once more after it.
    changed: () => (!refresh ? Promise.resolve() : reading ? reading.then(reread) : reread()),
    values: () => [current.key, ...retired.map((r) => r.key)],
  };
}

// --- internal ---

function digestOf(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** The current key's forms under `label`, each old one's under `label.previous`, `label.previous-2`, ... */
function allForms(plan: PlannedRoute, label: string, current: { key: string; auth: [string, string] }, retired: readonly { key: string }[]): Map<string, string> {
  const forms = keyForms(label, current.key, current.auth[1]);
  retired.forEach((r, i) => {
    for (const [l, v] of keyForms(`${label}.previous${i === 0 ? "" : `-${i + 1}`}`, r.key, authHeader(plan.auth, r.key)[1])) forms.set(l, v);
  });
  return forms;
}

function keyForms(label: string, key: string, authValue: string): Map<string, string> {
  const forms = new Map<string, string>([[label, key]]);
  const b64 = Buffer.from(key, "utf8").toString("base64");
  forms.set(`${label}.base64`, b64);
  forms.set(`${label}.base64url`, Buffer.from(key, "utf8").toString("base64url"));
  // Unpadded base64 is a prefix of the padded form; basic auth's credentials are their own form.
  if (b64.endsWith("=")) forms.set(`${label}.base64-unpadded`, b64.replace(/=+$/, ""));
  if (authValue.startsWith("Basic ")) forms.set(`${label}.basic`, authValue.slice(6));
  return forms;
}
