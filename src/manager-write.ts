/**
 * The manager's writes: `set`, `delete`, `rollback` (and `versions`, which asks the writable
 * source). Each write goes to one source (the first that can, or the one named), empties the
 * cache and emits one access event, served or error.
 */
import { errorCodeOf, HushError } from "./errors.js";
import { assertValidName, canonicalName, findHeldName } from "./names.js";
import type { ManagerContext } from "./manager-context.js";
import type { SecretsManager } from "./manager-types.js";
import type { AccessAction, SecretRecord, SecretSource } from "./types.js";

/** The write methods of a manager over `ctx`. */
export function createWrites(ctx: ManagerContext): Pick<SecretsManager, "set" | "delete" | "versions" | "rollback"> {
  return {
    async set(name, value, options = {}) {
      const canonical = canonicalName(name);
      if (typeof value !== "string") throw new HushError("INVALID_VALUE", `The value of "${canonical}" must be a string.`, { secret: canonical });
      const source = writableSource(ctx, options.source, "set");
      // The source gets the name as typed (the Python layout keeps its case), or the one it holds.
      const held = await heldName(name, source);
      const record = await write(ctx, canonicalName(held), "write", source, () => source.set!(held, value), (r) => r.version);
      await warnAfterSet(ctx, canonical, value, source);
      return record;
    },
    async delete(name, options = {}) {
      assertValidName(name); // at the door, before any source is asked
      const source = writableSource(ctx, options.source, "set");
      const held = await heldName(name, source);
      return write(ctx, canonicalName(held), "delete", source, () => source.delete!(held), () => undefined);
    },
    async versions(name, options = {}) {
      return writableSource(ctx, options.source, "versions").versions!(canonicalName(name));
    },
    async rollback(name, toVersion, options = {}) {
      const canonical = canonicalName(name);
      const source = writableSource(ctx, options.source, "rollback");
      return write(ctx, canonical, "rollback", source, () => source.rollback!(canonical, toVersion), (r) => r.version);
    },
  };
}

// --- internal ---

/** The source named, or the first that has `capability`; READ_ONLY / INVALID_ARGUMENT otherwise (also for manager-write-many.ts). */
export function writableSource(ctx: ManagerContext, sourceName: string | undefined, capability: "set" | "versions" | "rollback"): SecretSource {
  const source = sourceName === undefined ? ctx.sources.find((s) => typeof s[capability] === "function") : ctx.sources.find((s) => s.name === sourceName);
  if (!source) {
    if (sourceName === undefined) throw new HushError("READ_ONLY", `No source in the chain supports ${capability}.`);
    throw new HushError("INVALID_ARGUMENT", `No source named "${sourceName}" in the chain.`);
  }
  if (typeof source[capability] !== "function") throw new HushError("READ_ONLY", `The ${source.name} source does not support ${capability}.`, { source: source.name });
  return source;
}

/** Runs one write: the cache is emptied whatever happens, and one event says how it went. */
async function write<T>(ctx: ManagerContext, name: string, action: Exclude<AccessAction, "read">, source: SecretSource, run: () => Promise<T>, versionOf: (r: T) => number | undefined): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (e) {
    ctx.cache.clear();
    await ctx.tracker.write({ name, action, outcome: "error", source: source.name, errorCode: errorCodeOf(e) });
    throw e;
  }
  ctx.cache.clear();
  await ctx.tracker.write({ name, action, outcome: "served", source: source.name, version: versionOf(result) });
  return result;
}

/**
 * The name to write: the one `source` already holds for it (`DATABASE_CONFIG` updates
 * `database.config`, `AZURE_OPENAI_API_KEY` a key stored in that case), else `name` as typed.
 * NAME_COLLISION when the source holds two names for one variable.
 */
async function heldName(name: string, source: SecretSource): Promise<string> {
  return findHeldName(name, await source.list(), `the ${source.name} source`) ?? name;
}

/** Warnings after a write: a known provider's key in the wrong format; each source before it that shadows the value. */
async function warnAfterSet(ctx: ManagerContext, canonical: string, value: string, source: SecretSource): Promise<void> {
  // Loaded lazily: the provider registry is only needed on writes.
  const { formatWarningFor } = await import("./adapters/format-check.js");
  const formatWarning = formatWarningFor(canonical, value);
  if (formatWarning) ctx.onWarning(formatWarning);
  // Every source that comes first and holds the name wins over the value just written, not only the first one.
  for (const earlier of ctx.sources.slice(0, ctx.sources.indexOf(source))) {
    let shadow: SecretRecord | undefined;
    try {
      shadow = await earlier.get(canonical);
    } catch (e) {
      ctx.onWarning(`could not check whether the ${earlier.name} source, which comes first, shadows "${canonical}" (${errorCodeOf(e) ?? "error"}).`);
      continue;
    }
    if (shadow) ctx.onWarning(`"${canonical}" is also set in ${earlier.name}${shadow.location ? ` (${shadow.location})` : ""}, which comes first and shadows the value just written in ${source.name}.`);
  }
}
