/**
 * The manager's batch write, `setMany`: many values into one source, in one write when the source
 * has `setMany` (one lock, one rewrite: a bulk import is linear, not quadratic), else one `set` per
 * name. Like `set`, it writes a name under the spelling the source already holds (`DB_URL` updates
 * `db.url`; the Python layout keeps the case as written), empties the cache and emits one access
 * event per name (all at once, so an audit trail takes them in one batch).
 */
import { HushError, errorCodeOf } from "./errors.js";
import { assertNoCollisions, assertValidName, envName, heldNameIndex } from "./names.js";
import type { ManagerContext } from "./manager-context.js";
import type { SecretsManager } from "./manager-types.js";
import type { SecretRecord } from "./types.js";
import { writableSource } from "./manager-write.js";

/** `setMany` of a manager over `ctx`. */
export function createBatchWrite(ctx: ManagerContext): Pick<SecretsManager, "setMany"> {
  return {
    async setMany(entries, options = {}) {
      const source = writableSource(ctx, options.source, "set");
      const batch = await asHeld(checkedBatch(entries), source.list.bind(source), source.name);
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

/** Valid names, string values, no variable twice (each name validated once: a batch may hold 10,000). */
function checkedBatch(entries: readonly (readonly [string, string])[]): [string, string][] {
  if (!Array.isArray(entries)) throw new HushError("INVALID_ARGUMENT", "setMany takes an array of [name, value] pairs.");
  const seen = new Set<string>();
  return entries.map((entry): [string, string] => {
    if (!Array.isArray(entry) || entry.length !== 2) throw new HushError("INVALID_ARGUMENT", "setMany takes an array of [name, value] pairs.");
    const name = entry[0];
    assertValidName(name);
    if (typeof entry[1] !== "string") throw new HushError("INVALID_VALUE", `The value of "${name}" must be a string.`, { secret: name });
    if (seen.has(name)) throw new HushError("INVALID_ARGUMENT", `"${name}" is given twice in one batch; nothing was written.`, { secret: name });
    seen.add(name);
    return [name, entry[1]];
  });
}

/**
 * Two names of one variable in the batch are refused (`db.url` and `DB_URL`); each name is then
 * written under the spelling the source holds, as `set` does (one list() for the whole batch).
 */
async function asHeld(batch: [string, string][], list: () => Promise<string[]>, sourceName: string): Promise<[string, string][]> {
  const inBatch = new Map<string, string>();
  for (const [name] of batch) {
    const other = inBatch.get(envName(name));
    if (other !== undefined) assertNoCollisions([other, name], "the batch");
    inBatch.set(envName(name), name);
  }
  const held = heldNameIndex(await list(), `the ${sourceName} source`);
  return batch.map(([name, value]) => [held(name) ?? name, value]);
}

async function setOneByOne(set: (name: string, value: string) => Promise<SecretRecord>, batch: [string, string][]): Promise<SecretRecord[]> {
  const records: SecretRecord[] = [];
  for (const [name, value] of batch) records.push(await set(name, value));
  return records;
}
