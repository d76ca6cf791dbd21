/**
 * `manager.onChange(name, callback)`: calls `callback` with the new record each time the value
 * that `get(name)` would serve changes (a rotation's finish, a `hush set`, a rollback), through
 * the sources' `watch` (the local store's file watch, the postgres source's LISTEN). The first
 * read sets the baseline and does not call back. A record is compared by source, version and a
 * SHA-256 of its value (constant-time), so a value never sits in a comparison that leaks timing.
 * A failed re-read goes to `onWarning` (its code, never a value) and the next change tries again.
 *
 * @example
 * const stop = hush.onChange("database_url", (record) => pool.reconnect(record?.value));
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { errorCodeOf } from "./errors.js";
import { canonicalName } from "./names.js";
import type { ManagerContext } from "./manager-context.js";
import type { SecretRecord } from "./types.js";

/** Receives the new record (undefined when the secret was removed). */
export type ChangeCallback = (record: SecretRecord | undefined) => void | Promise<void>;

/** The manager's `onChange`, over `ctx` and its `getRecord`. */
export function createOnChange(ctx: ManagerContext, getRecord: (name: string) => Promise<SecretRecord | undefined>) {
  const stops = new Set<() => void>();
  function onChange(name: string, callback: ChangeCallback): () => void {
    const canonical = canonicalName(name);
    // The baseline is what get() serves now: the cached record, taken at once. A caller that read
    // the value and then subscribed is told of a change made in between, even one made before the
    // sources' watchers were in place (their first read would otherwise take it as the baseline).
    const cached = ctx.cache.fresh(canonical);
    let last: Fingerprint | undefined = cached ? fingerprint(cached.record) : undefined;
    let reading = Promise.resolve();
    const check = () => {
      reading = reading.then(async () => {
        try {
          ctx.cache.forget([canonical]);
          const record = await getRecord(canonical);
          const next = fingerprint(record);
          const changed = last !== undefined && !same(last, next);
          last = next;
          if (changed) await callback(record);
        } catch (e) {
          ctx.onWarning(`onChange("${canonical}"): re-reading after a change failed (${errorCodeOf(e) ?? "error"}); the next change tries again.`);
        }
      });
    };
    check();
    const unwatch = ctx.sources
      .filter((s) => typeof s.watch === "function")
      .map((s) => s.watch!((change) => {
        if (change.names === undefined || change.names.includes(canonical)) check();
      }));
    const stop = () => {
      for (const u of unwatch.splice(0)) u();
      stops.delete(stop);
    };
    stops.add(stop);
    return stop;
  }
  return { onChange, stopAll: () => [...stops].forEach((s) => s()) };
}

// --- internal ---

interface Fingerprint {
  source: string | undefined;
  version: number | undefined;
  digest: Buffer;
}

function fingerprint(record: SecretRecord | undefined): Fingerprint {
  return { source: record?.source, version: record?.version, digest: createHash("sha256").update(record ? `1:${record.value}` : "0:").digest() };
}

function same(a: Fingerprint, b: Fingerprint): boolean {
  return a.source === b.source && a.version === b.version && timingSafeEqual(a.digest, b.digest);
}
