/**
 * The manager's reads: `get`, `getCached`, `getRecord`, `resolve` and `preload`. A name is
 * validated once, at the door (`canonicalName`), and goes on in its canonical form: to the
 * cache (keyed by it), the chain and the tracker. Every read reports to the tracker once.
 */
import { assertNoCollisions, canonicalName, findHeldName } from "./names.js";
import { failedRead, missingRead, servedRead } from "./manager-access.js";
import { coarseClock, type CacheEntry } from "./manager-cache.js";
import { notFound, type ManagerContext } from "./manager-context.js";
import { listNames } from "./manager-list.js";
import { resolveMany } from "./manager-resolve.js";
import type { GetOptions, SecretsManager } from "./manager-types.js";
import type { SecretRecord } from "./types.js";

/** The read methods of a manager over `ctx`. */
export function createReads(ctx: ManagerContext): Pick<SecretsManager, "get" | "getCached" | "getRecord" | "resolve" | "preload"> {
  const { cache, tracker } = ctx;

  async function getRecord(name: string, options?: GetOptions): Promise<SecretRecord | undefined> {
    const canonical = canonicalName(name);
    const hit = cache.fresh(canonical, name);
    if (hit !== undefined) {
      await tracker.read(hit.access);
      return hit.record;
    }
    const record = await walkAnySpelling(ctx, name);
    if (record === undefined) {
      await tracker.read(missingRead(canonical));
      if (options?.required) throw notFound(ctx, canonical);
      return undefined;
    }
    await tracker.read(servedRead(record));
    cache.put(canonical, record, name);
    return record;
  }

  /** A cached read of a spelling already seen, counted; never in fail-closed mode (it must wait). */
  function cachedHit(name: string): CacheEntry | undefined {
    if (tracker.failClosed) return undefined;
    const now = coarseClock();
    const hit = cache.peek(name, now);
    if (hit !== undefined) tracker.read(hit.access, now);
    return hit;
  }

  const resolve: SecretsManager["resolve"] = async (names) => {
    // Without names: every name any source lists.
    const wanted = names ?? (await listNames(ctx));
    const canonical = [...new Set(wanted.map((n) => canonicalName(n)))];
    assertNoCollisions(canonical, "the names asked for");
    // Names from the listing are spelled as the chain holds them; names asked for may not be.
    return resolveMany(ctx, canonical, names === undefined ? undefined : (missing) => respellByListing(ctx, missing));
  };

  return {
    getRecord: getRecord as SecretsManager["getRecord"],
    // A cached hit returns the stored promise: a Map lookup, a clock read and the count.
    get: ((name: string, options?: GetOptions) => cachedHit(name)?.value ?? getRecord(name, options).then((r) => r?.value)) as SecretsManager["get"],
    getCached: (name) => cachedHit(name)?.record.value,
    resolve,
    preload: async (names) => (await resolve(names)).issues,
  };
}

// --- internal ---

/**
 * The record of `name` as asked, else of the one name the chain lists with its env-var form
 * (`get MY_KEY` finds `my-key`, which `run` injects as MY_KEY): the rule of {@link findHeldName}.
 * The chain is listed only on a miss.
 */
async function walkAnySpelling(ctx: ManagerContext, name: string): Promise<SecretRecord | undefined> {
  const record = await walk(ctx, name);
  if (record !== undefined) return record;
  const held = findHeldName(name, await listNames(ctx));
  return held === undefined || canonicalName(held) === canonicalName(name) ? undefined : walk(ctx, held);
}

/** {@link Respell} by the rule of {@link findHeldName}, over one listing of the chain. */
async function respellByListing(ctx: ManagerContext, missing: readonly string[]): Promise<Map<string, string>> {
  const listed = await listNames(ctx);
  const heldFor = new Map<string, string>();
  for (const name of missing) {
    const held = findHeldName(name, listed);
    if (held !== undefined && held !== name) heldFor.set(name, held);
  }
  return heldFor;
}

/** The first record the chain holds for `name` (as asked: a source may keep case); a failing source is reported and thrown. */
async function walk(ctx: ManagerContext, name: string): Promise<SecretRecord | undefined> {
  for (const source of ctx.sources) {
    let record: SecretRecord | undefined;
    try {
      record = await source.get(name);
    } catch (e) {
      await ctx.tracker.read(failedRead(canonicalName(name), source.name, e));
      throw e;
    }
    if (record) return record;
  }
  return undefined;
}
