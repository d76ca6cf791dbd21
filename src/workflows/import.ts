/**
 * `hush import`: copies secrets from a `.env` file, a JSON object or a Python (Mallku)
 * `.secrets/` folder into the manager's writable source. Existing names are skipped unless
 * `overwrite` is set, so an import never silently replaces a value.
 */
import { readFileSync, statSync } from "node:fs";
import { parse as parseDotenv } from "dotenv";
import { HushError } from "../errors.js";
import { canonicalName, findCollisions, isValidName } from "../names.js";
import type { SecretsManager } from "../manager.js";
import { createMallkuSource } from "../sources/mallku.js";

export type ImportFormat = "dotenv" | "json" | "mallku";

export interface ImportOptions {
  /** @default guessed: a folder is `mallku`, `*.json` is `json`, anything else `dotenv` */
  format?: ImportFormat;
  /** Replace names that already exist in the target source. @default false */
  overwrite?: boolean;
  /** Report what would happen without writing. @default false */
  dryRun?: boolean;
  /** Target source. @default the first writable */
  source?: string;
  onProgress?: (done: number, total: number) => void;
  onWarning?: (message: string) => void;
}

export interface ImportResult {
  format: ImportFormat;
  imported: string[];
  skipped: { name: string; reason: string }[];
}

/** Largest input file read. */
const MAX_INPUT_BYTES = 64 * 1024 * 1024;

export async function importSecrets(manager: SecretsManager, path: string, options: ImportOptions = {}): Promise<ImportResult> {
  const format = options.format ?? guessFormat(path);
  const entries = await readEntries(path, format, options.onWarning);
  const collisions = findCollisions(entries.map(([n]) => n));
  if (collisions.length) throw new HushError("NAME_COLLISION", `The input has names that map to one variable: ${collisions.map((g) => g.join(" and ")).join("; ")}.`);
  const existing = new Set((await manager.list()).filter((l) => l.source === (options.source ?? l.source)).map((l) => l.name));
  const result: ImportResult = { format, imported: [], skipped: [] };
  let done = 0;
  for (const [name, value] of entries) {
    if (existing.has(name) && !options.overwrite) result.skipped.push({ name, reason: "exists (use --overwrite)" });
    else {
      if (!options.dryRun) await manager.set(name, value, { source: options.source });
      result.imported.push(name);
    }
    options.onProgress?.(++done, entries.length);
  }
  return result;
}

// --- internal ---

function guessFormat(path: string): ImportFormat {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new HushError("READ_FAILED", `Cannot read ${path}.`, { cause: e });
  }
  if (isDir) return "mallku";
  return path.endsWith(".json") ? "json" : "dotenv";
}

async function readEntries(path: string, format: ImportFormat, onWarning?: (m: string) => void): Promise<[string, string][]> {
  if (format === "mallku") {
    const source = createMallkuSource({ secretsDir: path, onWarning });
    const out: [string, string][] = [];
    for (const name of await source.list()) {
      const record = await source.get(name);
      if (record) out.push([canonicalName(name), record.value]);
    }
    return out;
  }
  const text = readText(path);
  if (format === "dotenv") return keep(Object.entries(parseDotenv(text)), path, onWarning);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (_e) {
    // JSON.parse messages quote the input, which may be a secret: report the position-free fact.
    throw new HushError("INVALID_ARGUMENT", `${path} is not valid JSON.`);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) throw new HushError("INVALID_ARGUMENT", `${path} must hold a JSON object of names to string values.`);
  const pairs: [string, string][] = [];
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== "string") throw new HushError("INVALID_VALUE", `The value of "${isValidName(k) ? k : "(invalid name)"}" in ${path} is not a string.`);
    pairs.push([k, v]);
  }
  return keep(pairs, path, onWarning);
}

function keep(pairs: [string, string][], path: string, onWarning?: (m: string) => void): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of pairs) {
    if (isValidName(k)) out.push([canonicalName(k), v]);
    else onWarning?.(`${path}: skipped a key that is not a valid secret name.`);
  }
  return out;
}

function readText(path: string): string {
  try {
    const size = statSync(path).size;
    if (size > MAX_INPUT_BYTES) throw new HushError("LIMIT_EXCEEDED", `${path} is larger than ${MAX_INPUT_BYTES} bytes.`);
    return readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  } catch (e) {
    if (e instanceof HushError) throw e;
    throw new HushError("READ_FAILED", `Cannot read ${path}.`, { cause: e });
  }
}
