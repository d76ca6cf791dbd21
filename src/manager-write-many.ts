/**
 * The manager's batch write, `setMany`: many values into one source, in one write when the source
 * has `setMany` (one lock, one rewrite: a bulk import is linear, not quadratic), else one `set` per
 * name. Like `set`, it refuses a name the source holds in another spelling, empties the cache and
 * emits one access event per name (all at once, so an audit trail takes them in one batch).
 */
import { HushError, errorCodeOf } from "./errors.js";
import { assertNoCollisions, canonicalName, envName, findCollisions } from "./names.js";
import type { ManagerContext } from "./manager-context.js";
import type { SecretsManager } from "./manager-types.js";
import type { SecretRecord } from "./types.js";
import { writableSource } from "./manager-write.js";

/** `setMany` of a manager over `ctx`. */
export function createBatchWrite(ctx: ManagerContext): Pick<SecretsManager, "setMany"> {
  return {
    async setMany(entries, options = {}) {
      const batch = checkedBatch(entries);
      const source = writableSource(ctx, options.source, "set");
      await assertNoNameClashes(batch.map(([n]) => n), source.list.bind(source), source.name);
      let records: SecretRecord[];
      try {
        records = source.setMany ? await source.setMany(batch) : await setOneByOne(source.set!.bind(source), batch);
      } catch (e) {
        ctx.cache.clear();
        await Promise.all(batch.map(([name]) => ctx.tracker.write({ name, action: "write", outcome: "error", source: source.name, errorCode: errorCodeOf(e) })));
        throw e;
      }
      ctx.cache.clear();
      await Promise.all(records.map((r) => ctx.tracker.write({ name: r.name, action: "write", outcome: "served", source: source.name, version: r.version })));
      // Loaded lazily: the provider registry is only needed on writes.
      const { formatWarningFor } = await import("./adapters/format-check.js");
      for (const [name, value] of batch) {
        const warning = formatWarningFor(name, value);
        if (warning) ctx.onWarning(warning);
      }
      return records;
    },
  };
}

// --- internal ---

/** Canonical names, string values, no name twice and no two names of one variable. */
function checkedBatch(entries: readonly (readonly [string, string])[]): [string, string][] {
  if (!Array.isArray(entries)) throw new HushError("INVALID_ARGUMENT", "setMany takes an array of [name, value] pairs.");
  const batch = entries.map((entry): [string, string] => {
    if (!Array.isArray(entry) || entry.length !== 2) throw new HushError("INVALID_ARGUMENT", "setMany takes an array of [name, value] pairs.");
    const name = canonicalName(entry[0]);
    if (typeof entry[1] !== "string") throw new HushError("INVALID_VALUE", `The value of "${name}" must be a string.`, { secret: name });
    return [name, entry[1]];
  });
  const names = batch.map(([n]) => n);
  if (new Set(names).size !== names.length) {
    const twice = names.find((n, i) => names.indexOf(n) !== i)!;
    throw new HushError("INVALID_ARGUMENT", `"${twice}" is given twice in one batch; nothing was written.`, { secret: twice });
  }
  assertNoCollisions(names, "the batch");
  return batch;
}

/** A name the source holds in another spelling of the same variable is refused (one list for the batch). */
async function assertNoNameClashes(names: string[], list: () => Promise<string[]>, sourceName: string): Promise<void> {
  const held = new Map<string, string[]>();
  for (const n of await list()) held.set(envName(n), [...(held.get(envName(n)) ?? []), n]);
  for (const name of names) {
    const clash = (held.get(envName(name)) ?? []).filter((n) => n !== name);
    if (clash.length) assertNoCollisions([name, ...clash], `the ${sourceName} source`);
  }
  if (findCollisions(names).length) assertNoCollisions(names, "the batch");
}

async function setOneByOne(set: (name: string, value: string) => Promise<SecretRecord>, batch: [string, string][]): Promise<SecretRecord[]> {
  const records: SecretRecord[] = [];
  for (const [name, value] of batch) records.push(await set(name, value));
  return records;
}
