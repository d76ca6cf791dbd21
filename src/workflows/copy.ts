/**
 * `hush copy` and `hush diff`: secrets between two sources of the chain, by source name as
 * configured (`local`, `dotenv`, `postgres`, ...).
 *
 * - {@link copySecrets} copies values from one source into another writable one, in batches
 *   (the target's `setMany`: all or nothing per batch), with progress. Names the target holds
 *   with the same value are left alone; with a different value they are reported as conflicts
 *   and left alone unless `overwrite`. The origin is never changed, so a failure loses nothing:
 *   the result says what was copied before it and what was not.
 * - {@link diffSources} lists names present in one source only and names whose values differ,
 *   by comparing HMAC-SHA256 of the values under a random key made for the run (compared in
 *   constant time). It never returns or prints a value.
 *
 * Reads and writes go through managers of the project (same environment, same audit trail), so
 * each read and write is audited as any other. Values live in memory only as long as a batch.
 *
 * @example
 * const r = await copySecrets({ from: "local", to: "postgres", dryRun: true });
 * const d = await diffSources({ a: "local", b: "postgres" });
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { HushError, errorCodeOf } from "../errors.js";
import { createSecretsManager } from "../manager.js";
import type { SecretsManager } from "../manager-types.js";
import { canonicalName } from "../names.js";
import type { SecretSource } from "../types.js";
import type { ConfiguredManager } from "../config/open.js";
import { withProject, type ProjectOptions } from "./project.js";

/** Progress of a copy, after each batch. */
export interface CopyProgress {
  done: number;
  total: number;
}

/** Options of {@link copySecrets}. */
export interface CopySecretsOptions extends ProjectOptions {
  /** Source to read from (its name in the chain). */
  from: string;
  /** Writable source to write to. */
  to: string;
  /** Only these names. @default every name `from` lists */
  names?: string[];
  /** Say what would be copied; write nothing. @default false */
  dryRun?: boolean;
  /** Replace values that differ in the target (a new version there). @default false: reported as conflicts */
  overwrite?: boolean;
  /** Names per batch (one `setMany` each). @default 100 */
  batchSize?: number;
  /** Called after each batch. @default none */
  onProgress?: (progress: CopyProgress) => void;
}

/** What {@link copySecrets} did. Names only, never values. */
export interface CopySecretsResult {
  from: string;
  to: string;
  dryRun: boolean;
  /** Written to the target (or, in a dry run, that would be). */
  copied: string[];
  /** Already in the target with the same value. */
  unchanged: string[];
  /** In the target with a different value, left alone (no `overwrite`). */
  conflicts: string[];
  /** Asked for but not in the origin. */
  missing: string[];
  /** Not copied because the copy stopped at `failure`. */
  notCopied: string[];
  /** Why the copy stopped (the batch that failed was not written; the ones before it were). */
  failure?: { code: string; message: string };
}

/** Copies secrets from one source of the chain to another; see the module comment. */
export async function copySecrets(options: CopySecretsOptions): Promise<CopySecretsResult> {
  return withProject(options, async (project) => {
    const { from, to } = pickSources(project.manager, options.from, options.to);
    if (typeof to.set !== "function") throw new HushError("READ_ONLY", `The ${to.name} source cannot be written; copy to a writable source.`, { source: to.name });
    const readFrom = sourceReader(project, from);
    const readTo = sourceReader(project, to);
    const names = options.names?.map((n) => canonicalName(n)) ?? (await from.list()).map((n) => canonicalName(n));
    const result: CopySecretsResult = { from: from.name, to: to.name, dryRun: options.dryRun === true, copied: [], unchanged: [], conflicts: [], missing: [], notCopied: [] };
    const batchSize = Math.max(1, options.batchSize ?? 100);
    const key = randomBytes(32);
    for (let i = 0; i < names.length; i += batchSize) {
      const batch = names.slice(i, i + batchSize);
      if (result.failure) {
        result.notCopied.push(...batch);
        continue;
      }
      try {
        const [origin, target] = [await readFrom(batch), await readTo(batch)];
        const writes: [string, string][] = [];
        for (const name of batch) {
          const value = origin.get(name);
          const there = target.get(name);
          if (value === undefined) result.missing.push(name);
          else if (there !== undefined && sameValue(key, value, there)) result.unchanged.push(name);
          else if (there !== undefined && !options.overwrite) result.conflicts.push(name);
          else writes.push([name, value]);
        }
        if (writes.length > 0 && !options.dryRun) await project.manager.setMany(writes, { source: to.name });
        result.copied.push(...writes.map(([name]) => name));
      } catch (e) {
        result.failure = { code: errorCodeOf(e) ?? "INTERNAL", message: e instanceof HushError ? e.message : "the copy failed" };
        result.notCopied.push(...batch);
      }
      options.onProgress?.({ done: Math.min(i + batchSize, names.length), total: names.length });
    }
    return result;
  });
}

/** Options of {@link diffSources}. */
export interface DiffSourcesOptions extends ProjectOptions {
  /** One source's name. */
  a: string;
  /** The other's. */
  b: string;
}

/** What {@link diffSources} found. Names only, never values. */
export interface DiffSourcesResult {
  a: string;
  b: string;
  /** Names only `a` lists. */
  onlyInA: string[];
  /** Names only `b` lists. */
  onlyInB: string[];
  /** Names both list whose values differ. */
  differ: string[];
  /** How many names both list with equal values. */
  same: number;
}

/** Compares two sources by name and keyed hash of value; see the module comment. */
export async function diffSources(options: DiffSourcesOptions): Promise<DiffSourcesResult> {
  return withProject(options, async (project) => {
    const { from: a, to: b } = pickSources(project.manager, options.a, options.b);
    const [namesA, namesB] = [new Set((await a.list()).map((n) => canonicalName(n))), new Set((await b.list()).map((n) => canonicalName(n)))];
    const both = [...namesA].filter((n) => namesB.has(n)).sort();
    const key = randomBytes(32); // per run: the hashes mean nothing outside it
    const [valuesA, valuesB] = [await sourceReader(project, a)(both), await sourceReader(project, b)(both)];
    const result: DiffSourcesResult = { a: a.name, b: b.name, onlyInA: [...namesA].filter((n) => !namesB.has(n)).sort(), onlyInB: [...namesB].filter((n) => !namesA.has(n)).sort(), differ: [], same: 0 };
    for (const name of both) {
      const [x, y] = [valuesA.get(name), valuesB.get(name)];
      // Listed but not readable as listed (a race with a delete): a difference, not "same".
      if (x === undefined || y === undefined || !sameValue(key, x, y)) result.differ.push(name);
      else result.same++;
    }
    return result;
  });
}

// --- internal ---

function pickSources(manager: SecretsManager, a: string, b: string): { from: SecretSource; to: SecretSource } {
  const byName = (name: string): SecretSource => {
    const s = manager.sources.find((x) => x.name === name);
    if (!s) throw new HushError("INVALID_ARGUMENT", `No source named "${name}" in the chain (it has: ${manager.sources.map((x) => x.name).join(", ")}).`);
    return s;
  };
  if (a === b) throw new HushError("INVALID_ARGUMENT", `Both sides are the source "${a}"; name two different sources.`);
  return { from: byName(a), to: byName(b) };
}

/**
 * Reads names from one source through a manager of that source alone (the project's
 * environment and audit trail), so every read is audited; a failure of any name fails the batch.
 */
function sourceReader(project: ConfiguredManager, source: SecretSource): (names: string[]) => Promise<Map<string, string>> {
  const { manager, audit } = project;
  // Not disposed here: the source belongs to the project's manager, which disposes it.
  const only = createSecretsManager({ cwd: manager.cwd, secretsDir: manager.secretsDir, environment: manager.environment, sources: [source], cache: false, audit, onWarning: () => undefined });
  return async (names) => {
    const { secrets, issues } = await only.resolve(names);
    const failed = issues.find((i) => i.code !== "NOT_FOUND");
    if (failed) throw new HushError(failed.code as never, `Reading "${failed.name}" from the ${source.name} source failed (${failed.code}).`, { source: source.name });
    return new Map(Object.entries(secrets).map(([name, r]) => [name, r.value]));
  };
}

/** Equal values, compared as HMACs under the run's key in constant time (never the values themselves). */
function sameValue(key: Buffer, a: string, b: string): boolean {
  return timingSafeEqual(createHmac("sha256", key).update(a, "utf8").digest(), createHmac("sha256", key).update(b, "utf8").digest());
}
