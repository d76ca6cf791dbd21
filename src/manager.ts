/**
 * The secrets manager: walks the sources in order (first found wins), caches what it found,
 * tracks every access and emits one access event per resolution and per write.
 *
 * @example
 * const hush = createSecretsManager();               // env -> .env files -> .secrets/ (encrypted)
 * const key = await hush.get("openai_api_key", { required: true });
 */
import { resolve as resolvePath, join } from "node:path";
import { errorCodeOf, HushError } from "./errors.js";
import { assertNoCollisions, canonicalName, envName } from "./names.js";
import { DEFAULT_ENVIRONMENT, assertValidEnvironment } from "./crypto/key-file.js";
import { createAccessTracker, type AccessTracker, type Stats } from "./manager-access.js";
import { createDefaultSources } from "./default-sources.js";
import { resolveMany, type ResolveContext } from "./manager-resolve.js";
import type { ResolveResult, SecretExplanation, SecretListing, SecretRecord, SecretSource } from "./types.js";
import type { GetOptions, SecretsManager, SecretsManagerOptions } from "./manager-types.js";

export type { AuditHook, GetOptions, SecretsManager, SecretsManagerOptions, WriteOptions } from "./manager-types.js";

interface CacheEntry {
  record: SecretRecord;
  value: Promise<string>;
  expires: number;
  stats: Stats;
}

/**
 * A coarse clock for the cached path, refreshed every 100 ms by one unref'd timer shared by all
 * managers: reading the time costs more than the rest of a cached read. Access times and cache
 * expiry are therefore accurate to about 100 ms (within a long synchronous burst, to its start).
 */
let coarseNow = Date.now();
let coarseTimer: NodeJS.Timeout | undefined;
function coarseClock(): number {
  if (coarseTimer === undefined) {
    coarseNow = Date.now();
    coarseTimer = setInterval(() => {
      coarseNow = Date.now();
    }, 100);
    coarseTimer.unref();
  }
  return coarseNow;
}

/**
 * Creates a secrets manager.
 *
 * @example
 * const hush = createSecretsManager({ environment: "prod" });
 * const { secrets, issues } = await hush.resolve(["openai_api_key", "database_url"]);
 */
export function createSecretsManager(options: SecretsManagerOptions = {}): SecretsManager {
  const cwd = resolvePath(options.cwd ?? process.cwd());
  const secretsDir = resolvePath(cwd, options.secretsDir ?? join(cwd, ".secrets"));
  const environment = assertValidEnvironment(options.environment ?? (process.env.HUSH_ENV || DEFAULT_ENVIRONMENT));
  const onWarning = onceEach(options.onWarning ?? ((m: string) => process.stderr.write(`hush: warning: ${m}\n`)));
  const sources = options.sources ?? createDefaultSources({ cwd, secretsDir, environment, env: options.env, onWarning });
  const cacheEnabled = options.cache ?? true;
  const ttl = options.cacheTtlMs ?? 60_000;
  const cache = new Map<string, CacheEntry>();
  const tracker: AccessTracker = createAccessTracker(environment, options.actor, options.audit, onWarning);

  async function walk(canonical: string): Promise<SecretRecord | undefined> {
    for (const source of sources) {
      let record: SecretRecord | undefined;
      try {
        record = await source.get(canonical);
      } catch (e) {
        await tracker.readFailed(canonical, source.name, e);
        throw e;
      }
      if (record) return record;
    }
    return undefined;
  }

  /** A fresh cached record of `name`, if any. */
  function cached(name: string): SecretRecord | undefined {
    const hit = cacheEnabled ? cache.get(name) : undefined;
    return hit !== undefined && hit.expires > Date.now() ? hit.record : undefined;
  }

  /** Keeps a record just served, with its access counter (the cached get updates it). */
  function remember(name: string, record: SecretRecord): void {
    if (cacheEnabled) cache.set(name, { record, value: Promise.resolve(record.value), expires: Date.now() + ttl, stats: tracker.statsOf(record.name, record.source) });
  }

  async function getRecord(name: string): Promise<SecretRecord | undefined> {
    const hit = cached(name);
    if (hit !== undefined) {
      await tracker.served(hit);
      return hit;
    }
    const canonical = canonicalName(name);
    const record = await walk(canonical);
    if (!record) {
      await tracker.emit(canonical, "read", "missing");
      return undefined;
    }
    await tracker.served(record);
    remember(name, record);
    return record;
  }

  const resolveContext: ResolveContext = { sources, tracker, cached, remember, notFound: (name) => notFound(name, sources) };

  function get(name: string, getOptions?: GetOptions): Promise<string | undefined> {
    // Fast path: a cached hit without a fail-closed audit returns the stored promise, so a
    // cached read costs a Map lookup, a clock read and the access count.
    const hit = cacheEnabled && !tracker.failClosed ? cache.get(name) : undefined;
    if (hit !== undefined) {
      const now = coarseClock();
      if (hit.expires > now) {
        tracker.servedSync(hit.record, hit.stats, now);
        return hit.value;
      }
    }
    return getRecord(name).then((record) => {
      if (record) return record.value;
      if (getOptions?.required) throw notFound(canonicalName(name), sources);
      return undefined;
    });
  }

  function getCached(name: string): string | undefined {
    const hit = cacheEnabled && !tracker.failClosed ? cache.get(name) : undefined;
    if (hit === undefined) return undefined;
    const now = coarseClock();
    if (hit.expires <= now) return undefined;
    tracker.servedSync(hit.record, hit.stats, now);
    return hit.record.value;
  }

  function writableSource(sourceName: string | undefined, capability: "set" | "versions" | "rollback"): SecretSource {
    const candidates = sources.filter((s) => typeof s[capability] === "function");
    const source = sourceName === undefined ? candidates[0] : sources.find((s) => s.name === sourceName);
    if (!source) {
      throw new HushError(sourceName === undefined ? "READ_ONLY" : "INVALID_ARGUMENT", sourceName === undefined ? `No source in the chain supports ${capability}.` : `No source named "${sourceName}" in the chain.`);
    }
    if (typeof source[capability] !== "function") throw new HushError("READ_ONLY", `The ${source.name} source does not support ${capability}.`, { source: source.name });
    return source;
  }

  async function write<T>(name: string, action: "write" | "delete" | "rollback", source: SecretSource, run: () => Promise<T>, versionOf: (r: T) => number | undefined): Promise<T> {
    try {
      const result = await run();
      cache.clear();
      await tracker.emit(name, action, "served", source.name, versionOf(result));
      return result;
    } catch (e) {
      cache.clear();
      await tracker.emit(name, action, "error", source.name, undefined, errorCodeOf(e));
      throw e;
    }
  }

  async function listedNames(): Promise<string[]> {
    const all = new Set<string>();
    for (const names of await Promise.all(sources.map((s) => s.list()))) for (const n of names) all.add(canonicalName(n));
    return [...all].sort();
  }

  async function assertNoNameClash(canonical: string, source: SecretSource): Promise<void> {
    const names = await source.list();
    const clash = names.filter((n) => n !== canonical && envName(n) === envName(canonical));
    if (clash.length) assertNoCollisions([canonical, ...clash], `the ${source.name} source`);
  }

  const manager: SecretsManager = {
    cwd,
    secretsDir,
    environment,
    sources,
    get,
    getCached,
    getRecord,
    async preload(names?: string[]) {
      return (await manager.resolve(names)).issues;
    },

    async resolve(names?: string[]): Promise<ResolveResult> {
      // Without names: every name any source lists (list() would also probe each name in every
      // source for shadowing, which resolving does not need).
      const wanted = names ?? (await listedNames());
      const canonical = [...new Set(wanted.map((n) => canonicalName(n)))];
      assertNoCollisions(new Set(canonical), "the names asked for");
      return resolveMany(resolveContext, canonical);
    },

    async set(name, value, writeOptions = {}) {
      const canonical = canonicalName(name);
      if (typeof value !== "string") throw new HushError("INVALID_VALUE", `The value of "${canonical}" must be a string.`, { secret: canonical });
      const source = writableSource(writeOptions.source, "set");
      await assertNoNameClash(canonical, source);
      const record = await write(canonical, "write", source, () => source.set!(canonical, value), (r) => r.version);
      // Loaded lazily: the provider registry is only needed on writes.
      const { formatWarningFor } = await import("./adapters/format-check.js");
      const formatWarning = formatWarningFor(canonical, value);
      if (formatWarning) onWarning(formatWarning);
      const shadow = sources.slice(0, sources.indexOf(source)).find((s) => s.name === "env" || s.name === "dotenv");
      if (shadow && (await shadow.get(canonical))) onWarning(`"${canonical}" is also set in ${shadow.name}, which comes first and shadows the value just written.`);
      return record;
    },

    async delete(name, writeOptions = {}) {
      const canonical = canonicalName(name);
      const source = writableSource(writeOptions.source, "set");
      return write(canonical, "delete", source, () => source.delete!(canonical), () => undefined);
    },

    async list(): Promise<SecretListing[]> {
      const all = await listedNames();
      assertNoCollisions(all, "the configured sources");
      const listings: SecretListing[] = [];
      for (const name of all) {
        const found: SecretRecord[] = [];
        for (const s of sources) {
          const r = await s.get(name);
          if (r) found.push(r);
        }
        const winner = found[0];
        if (!winner) continue;
        listings.push({ name, envName: envName(name), source: winner.source, shadowed: found.slice(1).map((r) => r.source), version: winner.version, updatedAt: winner.updatedAt });
      }
      return listings;
    },

    async explain(name): Promise<SecretExplanation> {
      const canonical = canonicalName(name);
      const rows: SecretExplanation["sources"] = [];
      for (const s of sources) {
        try {
          const r = await s.get(canonical);
          rows.push(r ? { source: s.name, found: true, version: r.version, updatedAt: r.updatedAt, location: r.location } : { source: s.name, found: false });
        } catch (e) {
          rows.push({ source: s.name, found: false, error: e instanceof HushError ? `${e.code}: ${e.message}` : `error (${errorCodeOf(e) ?? "unknown"})` });
        }
      }
      return { name: canonical, envName: envName(canonical), winner: rows.find((r) => r.found)?.source, sources: rows };
    },

    async versions(name, writeOptions = {}) {
      return writableSource(writeOptions.source, "versions").versions!(canonicalName(name));
    },

    async rollback(name, toVersion, writeOptions = {}) {
      const canonical = canonicalName(name);
      const source = writableSource(writeOptions.source, "rollback");
      return write(canonical, "rollback", source, () => source.rollback!(canonical, toVersion), (r) => r.version);
    },

    accessReport: () => tracker.report(),
    onAccess: (listener) => tracker.subscribe(listener),
    clearCache: () => cache.clear(),
    async dispose() {
      cache.clear();
      await tracker.flush();
      await Promise.all(sources.map((s) => s.dispose?.()));
    },
  };
  return manager;
}

let defaultManager: Promise<SecretsManager> | undefined;

/**
 * Reads one secret through the chain of the current folder: the one hush.yaml describes (found
 * upward from the working directory), else env -> .env -> .secrets/. The manager is opened once.
 *
 * @example
 * import { getSecret } from "hush";
 * const apiKey = await getSecret("openai_api_key", { required: true });
 */
export async function getSecret(name: string, options?: GetOptions): Promise<string | undefined> {
  // Loaded lazily: config/open imports this module, and plain createSecretsManager users never need it.
  defaultManager ??= import("./config/open.js").then(async ({ openConfiguredManager }) => (await openConfiguredManager()).manager);
  return (await defaultManager).get(name, options);
}

// --- internal ---

function notFound(name: string, sources: readonly SecretSource[]): HushError {
  return new HushError("NOT_FOUND", `Secret "${name}" was not found in any source (looked in: ${sources.map((s) => s.name).join(", ")}; variable ${envName(name)}).`, { secret: name });
}

/** Passes each distinct warning on once (a lax permission would otherwise warn on every read). */
function onceEach(sink: (message: string) => void): (message: string) => void {
  const seen = new Set<string>();
  return (m) => {
    if (seen.size > 1000) seen.clear();
    if (seen.has(m)) return;
    seen.add(m);
    sink(m);
  };
}

