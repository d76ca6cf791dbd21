/**
 * `hush import`: copies secrets from a `.env` file (a dotenvx-encrypted one decrypted), a JSON
 * object or a Python (Mallku) `.secrets/` folder into one writable source of the manager, in one
 * batch write (`setMany`). Names the target source already holds are skipped unless `overwrite`
 * is set, so an import never silently replaces a value; only the target is compared (the chain
 * also reads `.env` itself, so comparing with the chain would skip every name of `.env`).
 *
 * Afterwards it says which imported names a source earlier in the chain still provides (a `.env`
 * the dotenv source reads shadows the store), and `removeSource` removes the imported file once
 * every one of its values is in the target and read back equal.
 *
 * @example
 * const result = await importSecrets(manager, ".env", { removeSource: true });
 * result.imported; // ["openai_api_key", ...]; result.sourceRemoved: true
 */
import { HushError } from "../errors.js";
import { envName, findCollisions } from "../names.js";
import type { SecretsManager } from "../manager.js";
import type { SecretSource } from "../types.js";
import { readImportInput, type ImportFormat } from "./import-read.js";
import { removeImportedFile } from "./import-remove.js";

export type { ImportFormat } from "./import-read.js";

export interface ImportOptions {
  /** @default guessed: a folder is `mallku`, `*.json` is `json`, anything else `dotenv` */
  format?: ImportFormat;
  /** Replace names that already exist in the target source. @default false */
  overwrite?: boolean;
  /** Report what would happen without writing. @default false */
  dryRun?: boolean;
  /** Target source. @default the first writable */
  source?: string;
  /**
   * Remove the imported file after the import, only once every value in it is stored in the
   * target and read back equal (a file, not a folder). @default false
   */
  removeSource?: boolean;
  /** Where `DOTENV_PRIVATE_KEY*` are looked for, for a dotenvx-encrypted file. @default process.env */
  env?: NodeJS.ProcessEnv;
  onProgress?: (done: number, total: number) => void;
  onWarning?: (message: string) => void;
}

export interface ImportResult {
  format: ImportFormat;
  /** The source written to. */
  target: string;
  imported: string[];
  skipped: { name: string; reason: string }[];
  /**
   * Imported names that a source before the target still provides, so reads get that value;
   * `location` is where (a file and key for dotenv), as the source reports it, never a value.
   */
  shadowed: { name: string; source: string; location?: string }[];
  /** `dotenvx` when the input was dotenvx-encrypted and was decrypted. */
  encryption?: "dotenvx";
  /** True when `removeSource` removed the input file. */
  sourceRemoved: boolean;
}

export async function importSecrets(manager: SecretsManager, path: string, options: ImportOptions = {}): Promise<ImportResult> {
  const target = targetSource(manager, options.source);
  const input = await readImportInput(path, options.format, options.env ?? process.env, options.onWarning);
  if (options.removeSource && input.format === "mallku") throw new HushError("INVALID_ARGUMENT", `--remove-source removes an imported file, not a folder; ${path} is kept (a Python app may still use it).`);
  const { entries } = input;
  const collisions = findCollisions(entries.map(([n]) => n));
  if (collisions.length) throw new HushError("NAME_COLLISION", `The input has names that map to one variable: ${collisions.map((g) => g.join(" and ")).join("; ")}.`);
  const held = new Set((await target.list()).map(envName));
  const result: ImportResult = { format: input.format, target: target.name, imported: [], skipped: [], shadowed: [], encryption: input.encryption, sourceRemoved: false };
  const toWrite: [string, string][] = [];
  for (const [name, value] of entries) {
    if (held.has(envName(name)) && !options.overwrite) result.skipped.push({ name, reason: `exists in ${target.name} (use --overwrite)` });
    else toWrite.push([name, value]);
  }
  if (!options.dryRun && toWrite.length > 0) await manager.setMany(toWrite, { source: target.name });
  result.imported = toWrite.map(([n]) => n);
  options.onProgress?.(entries.length, entries.length);
  if (options.removeSource && !options.dryRun) {
    await removeImportedFile(path, input, target);
    result.sourceRemoved = true;
  }
  result.shadowed = await shadowedNames(manager, target, entries.map(([n]) => n), options.onWarning);
  return result;
}

// --- internal ---

/** The source named, or the first writable one (the manager's own choice for `set`). */
function targetSource(manager: SecretsManager, name: string | undefined): SecretSource {
  const source = name === undefined ? manager.sources.find((s) => typeof s.set === "function") : manager.sources.find((s) => s.name === name);
  if (!source) {
    if (name === undefined) throw new HushError("READ_ONLY", "No source in the chain supports set.");
    throw new HushError("INVALID_ARGUMENT", `No source named "${name}" in the chain.`);
  }
  if (typeof source.set !== "function") throw new HushError("READ_ONLY", `The ${source.name} source does not support set.`, { source: source.name });
  return source;
}

/** Names that a source before `target` in the chain provides (read without values leaving here). */
async function shadowedNames(manager: SecretsManager, target: SecretSource, names: string[], onWarning?: (m: string) => void): Promise<ImportResult["shadowed"]> {
  const shadowed: ImportResult["shadowed"] = [];
  const seen = new Set<string>();
  for (const source of manager.sources.slice(0, manager.sources.indexOf(target))) {
    try {
      const records = source.getMany ? await source.getMany(names) : await Promise.all(names.map((n) => source.get(n)));
      records.forEach((r, i) => {
        if (r && !seen.has(names[i]!)) shadowed.push({ name: names[i]!, source: source.name, ...(r.location !== undefined && { location: r.location }) });
        if (r) seen.add(names[i]!);
      });
    } catch (e) {
      onWarning?.(`Could not check whether the ${source.name} source shadows the imported names (${e instanceof HushError ? e.code : "error"}).`);
    }
  }
  return shadowed;
}
