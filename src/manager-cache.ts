/**
 * The manager's cache of resolved records: one entry per canonical name, fresh for `ttlMs`.
 * A lookup by a spelling already seen (`OPENAI_API_KEY` as well as `openai_api_key`) reaches the
 * same entry through an index of spellings, so the cached read is one Map lookup, without
 * validating the name again: only names that passed the door (`canonicalName`) are indexed.
 */
import { cachedRead, type ReadAccess } from "./manager-access.js";
import type { SecretRecord } from "./types.js";

/** One cached record. Updated in place when refreshed, so every spelling sees the new one. */
export interface CacheEntry {
  record: SecretRecord;
  /** The value as a settled promise: the cached `get` hands it out as it is. */
  value: Promise<string>;
  /** Until when it is served, in ms since the epoch. */
  expires: number;
  /** The served read this entry stands for, handed to the tracker on every cached read. */
  access: ReadAccess;
}

/** See the module comment. */
export interface SecretCache {
  /** The fresh entry of `name` as asked, when that spelling was seen; `now` may be the coarse clock. */
  peek(name: string, now: number): CacheEntry | undefined;
  /** The fresh entry of a canonical name; indexes `asked` (another spelling of it) to that entry. */
  fresh(canonical: string, asked?: string): CacheEntry | undefined;
  /** Keeps a record just served under its canonical name, and indexes the spelling asked. */
  put(canonical: string, record: SecretRecord, asked?: string): void;
  /** Makes the entries of these canonical names stale (every spelling); undefined: all of them. */
  forget(names: readonly string[] | undefined): void;
  clear(): void;
}

/** Options of {@link createSecretCache}. */
export interface SecretCacheOptions {
  /** @default true */
  enabled?: boolean;
  /** @default 60000 */
  ttlMs?: number;
}

/** Most spellings indexed beside the canonical names before the index is rebuilt from scratch. */
const MAX_SPELLINGS = 10_000;

/** Creates the cache (a disabled one keeps nothing). */
export function createSecretCache(options: SecretCacheOptions = {}): SecretCache {
  const ttl = options.ttlMs ?? 60_000;
  if (options.enabled === false) return { peek: () => undefined, fresh: () => undefined, put: () => undefined, forget: () => undefined, clear: () => undefined };
  const entries = new Map<string, CacheEntry>();
  const bySpelling = new Map<string, CacheEntry>();

  function index(asked: string | undefined, entry: CacheEntry): void {
    if (asked === undefined || bySpelling.has(asked)) return;
    if (bySpelling.size >= MAX_SPELLINGS) {
      bySpelling.clear();
      for (const [name, e] of entries) bySpelling.set(name, e);
    }
    bySpelling.set(asked, entry);
  }

  return {
    peek(name, now) {
      const hit = bySpelling.get(name);
      return hit !== undefined && hit.expires > now ? hit : undefined;
    },
    fresh(canonical, asked) {
      const hit = entries.get(canonical);
      if (hit === undefined || hit.expires <= Date.now()) return undefined;
      index(asked, hit);
      return hit;
    },
    put(canonical, record, asked) {
      const expires = Date.now() + ttl;
      let entry = entries.get(canonical);
      if (entry === undefined) {
        entry = { record, value: Promise.resolve(record.value), expires, access: cachedRead(record) };
        entries.set(canonical, entry);
        index(canonical, entry);
      } else Object.assign(entry, { record, value: Promise.resolve(record.value), expires, access: cachedRead(record) });
      index(asked, entry);
    },
    forget(names) {
      if (names === undefined) return this.clear();
      for (const name of names) {
        const entry = entries.get(name);
        if (entry) entry.expires = 0;
      }
    },
    clear() {
      entries.clear();
      bySpelling.clear();
    },
  };
}

/**
 * A coarse clock for the cached path, refreshed every 100 ms by one unref'd timer shared by all
 * managers: reading the time costs more than the rest of a cached read. Access times and cache
 * expiry are therefore accurate to about 100 ms (within a long synchronous burst, to its start).
 */
export function coarseClock(): number {
  if (coarseTimer === undefined) {
    coarseNow = Date.now();
    coarseTimer = setInterval(() => {
      coarseNow = Date.now();
    }, 100);
    coarseTimer.unref();
  }
  return coarseNow;
}

// --- internal ---

let coarseNow = Date.now();
let coarseTimer: NodeJS.Timeout | undefined;
