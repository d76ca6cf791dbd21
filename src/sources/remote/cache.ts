/**
 * A per-source cache of records with a TTL, stale-while-revalidate and `refresh()`, wrapped around
 * any source (the AWS caching client's model). A value younger than `ttlMs` is served from memory;
 * one older, but within `staleWhileRevalidateMs` more, is served while a single background read
 * replaces it; anything older is read again before it is served. "Not here" is cached too.
 *
 * A change wins over the TTL: `refresh()` drops entries at once, a write through the wrapper drops
 * its name, and when the source can `watch`, every change it reports drops the names it names
 * (or everything) before the subscribers hear of it. The users of the AWS caching client most
 * often complain of values that stay stale after a rotation (aws-secretsmanager-agent #33).
 *
 * Failures are never cached. A background read that finds the name denied or deleted drops it, so
 * the next read throws; one that cannot reach the backend keeps the entry only for the rest of its
 * stale window, and says so once.
 *
 * @example
 * const source = withCache(createVaultSource(...), { ttlMs: 60_000 });
 * await source.refresh(); // after a rotation
 */
import { HushError } from "../../errors.js";
import type { SecretRecord, SecretSource, SourceChange } from "../../types.js";
import { copyCapabilities } from "./wrap.js";

/** Options of {@link withCache}. */
export interface CacheOptions {
  /** How long a read is served from memory. 0 turns the cache off. */
  ttlMs: number;
  /** After the TTL, how much longer the old value is served while it is read again. @default ttlMs */
  staleWhileRevalidateMs?: number;
  /** Receives warnings (never values). */
  onWarning?(message: string): void;
  /** For tests: the clock. @default Date.now */
  now?(): number;
}

/** A source with a cache in front, and `refresh()`. */
export type CachedSource = SecretSource & {
  /** Drops the cached entries of `names` (every entry when absent); the next read goes to the backend. */
  refresh(names?: readonly string[]): Promise<void>;
};

/** Wraps `source` in the cache; every capability of `source` is kept, and only those. */
export function withCache(source: SecretSource, options: CacheOptions): CachedSource {
  const entries = createEntries(source, options);
  const wrapped: CachedSource = {
    name: source.name,
    get: async (name) => {
      const hit = entries.cached(name);
      return hit ? hit.record : entries.load(name);
    },
    list: () => source.list(),
    refresh: async (names) => entries.drop(names),
  };
  if (source.getMany) wrapped.getMany = cachedGetMany(source.getMany.bind(source), entries);
  wrapWrites(source, wrapped, entries.drop);
  // Rotation: stage and discard leave `current` as it is; promote changes it (wrapWrites drops it).
  copyCapabilities(source, wrapped, ["versions", "getVersion", "stage", "getPending", "discardPending", "check", "remoteLocation"]);
  if (source.watch) {
    const watch = source.watch.bind(source);
    wrapped.watch = (onChange: (change: SourceChange) => void) =>
      watch((change) => {
        entries.drop(change.names);
        onChange(change);
      });
  }
  if (source.dispose) {
    const dispose = source.dispose.bind(source);
    wrapped.dispose = async () => {
      entries.drop();
      await dispose();
    };
  }
  return wrapped;
}

// --- internal ---

type Drop = (names?: readonly string[]) => void;

/** The entries, the reads in flight, and what was dropped when (a read begun before a drop is not kept). */
interface Entries {
  cached(name: string): { record: SecretRecord | undefined } | undefined;
  load(name: string): Promise<SecretRecord | undefined>;
  /** A stamp for a batch read about to start. */
  begin(): number;
  keep(name: string, record: SecretRecord | undefined, started: number): void;
  drop: Drop;
}

function createEntries(source: SecretSource, options: CacheOptions): Entries {
  const now = options.now ?? Date.now;
  const ttl = options.ttlMs;
  const swr = options.staleWhileRevalidateMs ?? ttl;
  const entries = new Map<string, { record: SecretRecord | undefined; at: number }>();
  const inflight = new Map<string, Promise<SecretRecord | undefined>>();
  const droppedAt = new Map<string, number>();
  let droppedAllAt = 0;
  let clock = 0;

  const drop: Drop = (names) => {
    clock++;
    if (!names) {
      entries.clear();
      inflight.clear();
      droppedAt.clear();
      droppedAllAt = clock;
      return;
    }
    for (const n of names) {
      entries.delete(n);
      inflight.delete(n); // a read begun before the change must not be handed to later readers
      droppedAt.set(n, clock);
    }
  };
  const keep = (name: string, record: SecretRecord | undefined, started: number) => {
    if (ttl <= 0 || started < droppedAllAt || started < (droppedAt.get(name) ?? 0)) return;
    entries.set(name, { record, at: now() });
  };
  const load = (name: string): Promise<SecretRecord | undefined> => {
    const pending = inflight.get(name);
    if (pending) return pending;
    const started = ++clock;
    const p: Promise<SecretRecord | undefined> = source
      .get(name)
      .then((record) => (keep(name, record, started), record))
      .finally(() => {
        if (inflight.get(name) === p) inflight.delete(name);
      });
    inflight.set(name, p);
    return p;
  };
  const revalidate = (name: string) => {
    if (inflight.has(name)) return;
    load(name).catch((e: unknown) => {
      if (e instanceof HushError && e.code === "SOURCE_UNAVAILABLE") options.onWarning?.(`${source.name}: could not re-read ${name} (${e.code}); serving the value read ${Math.round((now() - (entries.get(name)?.at ?? now())) / 1000)} s ago until its stale window ends.`);
      else drop([name]);
    });
  };
  const cached = (name: string): { record: SecretRecord | undefined } | undefined => {
    const e = entries.get(name);
    if (!e || ttl <= 0) return undefined;
    const age = now() - e.at;
    if (age < ttl) return e;
    if (age < ttl + swr) {
      revalidate(name);
      return e;
    }
    entries.delete(name);
    return undefined;
  };
  return { cached, load, keep, drop, begin: () => ++clock };
}

/** getMany that reads only the names not cached, in one call. */
function cachedGetMany(many: NonNullable<SecretSource["getMany"]>, entries: Entries): NonNullable<SecretSource["getMany"]> {
  return async (names) => {
    const out: (SecretRecord | undefined)[] = new Array<SecretRecord | undefined>(names.length);
    const missing: number[] = [];
    names.forEach((n, i) => {
      const hit = entries.cached(n);
      if (hit) out[i] = hit.record;
      else missing.push(i);
    });
    if (missing.length === 0) return out;
    const started = entries.begin();
    const read = await many(missing.map((i) => names[i]!));
    missing.forEach((i, k) => {
      out[i] = read[k];
      entries.keep(names[i]!, read[k], started);
    });
    return out;
  };
}

/** The writes of `source`, each dropping the names it touched once it settles (a failed write may have landed). */
function wrapWrites(source: SecretSource, wrapped: SecretSource, drop: Drop): void {
  const after = async <T>(p: Promise<T>, names: readonly string[]): Promise<T> => {
    try {
      return await p;
    } finally {
      drop(names);
    }
  };
  if (source.set && source.delete) {
    const set = source.set.bind(source);
    const del = source.delete.bind(source);
    wrapped.set = async (name, value) => after(set(name, value), [name]);
    wrapped.delete = async (name) => after(del(name), [name]);
  }
  if (source.setMany) {
    const setMany = source.setMany.bind(source);
    wrapped.setMany = async (batch) => after(setMany(batch), batch.map(([n]) => n));
  }
  if (source.rollback) {
    const rollback = source.rollback.bind(source);
    wrapped.rollback = async (name, to) => after(rollback(name, to), [name]);
  }
  if (source.promote) {
    const promote = source.promote.bind(source);
    wrapped.promote = async (name, version) => after(promote(name, version), [name]);
  }
}
