/**
 * `manager.resolve(names)` for many names at once: each source is asked once for every name
 * still missing (its `getMany` when it has one, else one `get` per name at the same time), in
 * chain order, so the first source that has a name wins, as with `get`. `hush run` and
 * `hush-secrets/config` resolve every secret this way; the per-name cost was most of their time at a
 * thousand secrets. Access events, the cache and errors are as for `get`: one event per name
 * (served, missing, error or denied), and a failing source fails only the names it failed.
 */
import { HushError } from "./errors.js";
import { cachedRead, failedRead, missingRead, servedRead } from "./manager-access.js";
import { notFound, type ManagerContext } from "./manager-context.js";
import type { ResolveIssue, ResolveResult, SecretRecord, SecretSource } from "./types.js";

type Outcome = SecretRecord | undefined | { failed: unknown };

/**
 * Asked for the names the chain did not find, gives the name the chain holds for each one it
 * can (`DATABASE_CONFIG` -> `database.config`); those are asked for once more.
 */
export type Respell = (missing: readonly string[]) => Promise<Map<string, string>>;

/** Resolves canonical, collision-free `names`; never throws a HushError for one name. */
export async function resolveMany(ctx: ManagerContext, names: readonly string[], respell?: Respell): Promise<ResolveResult> {
  const found = new Map<string, SecretRecord>();
  const failed = new Map<string, HushError>();
  const fromCache = new Set<string>();
  const pending: string[] = [];
  for (const name of names) {
    const hit = ctx.cache.fresh(name);
    if (hit) {
      found.set(name, hit.record);
      fromCache.add(name);
    } else pending.push(name);
  }
  const missing = await askChain(ctx, pending, found, failed);
  if (missing.length > 0 && respell) {
    const heldFor = await respell(missing);
    const heldFound = new Map<string, SecretRecord>();
    const heldFailed = new Map<string, HushError>();
    await askChain(ctx, [...new Set(heldFor.values())], heldFound, heldFailed);
    for (const [asked, held] of heldFor) {
      const record = heldFound.get(held);
      const error = heldFailed.get(held);
      if (record) found.set(asked, record);
      else if (error) failed.set(asked, error);
    }
  }

  const secrets: Record<string, SecretRecord> = {};
  const issues: ResolveIssue[] = [];
  const now = Date.now();
  for (const name of names) {
    const error = failed.get(name);
    if (error) {
      issues.push({ name, code: error.code, message: error.message });
      continue;
    }
    const record = found.get(name);
    if (!record) {
      await ctx.tracker.read(missingRead(name));
      issues.push({ name, code: "NOT_FOUND", message: notFound(ctx, name).message });
      continue;
    }
    const recording = ctx.tracker.read(fromCache.has(name) ? cachedRead(record) : servedRead(record), now);
    if (recording !== undefined) {
      try {
        await recording; // fail-closed audit: denied unless recorded
      } catch (e) {
        if (!(e instanceof HushError)) throw e;
        issues.push({ name, code: e.code, message: e.message });
        continue;
      }
    }
    if (!fromCache.has(name)) ctx.cache.put(name, record);
    secrets[name] = record;
  }
  return { secrets, issues };
}

// --- internal ---

/** Asks each source in turn for the names still missing; fills `found` and `failed`, returns the rest. */
async function askChain(ctx: ManagerContext, names: string[], found: Map<string, SecretRecord>, failed: Map<string, HushError>): Promise<string[]> {
  let pending = names;
  for (const source of ctx.sources) {
    if (pending.length === 0) break;
    const outcomes = await ask(source, pending);
    const next: string[] = [];
    for (let i = 0; i < pending.length; i++) {
      const name = pending[i]!;
      const outcome = outcomes[i];
      if (outcome === undefined) next.push(name);
      else if ("failed" in outcome) {
        const e = outcome.failed;
        await ctx.tracker.read(failedRead(name, source.name, e));
        if (!(e instanceof HushError)) throw e; // a bug, not a missing secret: as `get` does
        failed.set(name, e);
      } else found.set(name, outcome);
    }
    pending = next;
  }
  return pending;
}

/** One outcome per name: the record, undefined (not here), or the error of that name. */
async function ask(source: SecretSource, names: string[]): Promise<Outcome[]> {
  if (source.getMany) {
    try {
      return await source.getMany(names);
    } catch (_e) {
      // Which name failed? Ask one by one below, so the others still resolve.
    }
  }
  return Promise.all(names.map((name) => source.get(name).then((r): Outcome => r, (e: unknown): Outcome => ({ failed: e }))));
}
