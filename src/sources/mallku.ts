/**
 * The `mallku` source: reads and writes, without loss, the `.secrets/` folder of the Python
 * reference design (`SecretsManager` in fsgeek/Mallku), so a Python app and hush can share it.
 *
 * ```yaml
 * sources:
 *   - type: mallku
 *     options: { dir: .secrets }      # holds .encryption.key and mallku-secrets.json.encrypted
 * ```
 *
 * In hush.yaml the folder (`dir`, relative to hush.yaml; `--secrets-dir` wins) is the only
 * option; `permissions` and `keyFile` are options of {@link createMallkuSource} for programs.
 *
 * Layout: `.encryption.key` (44-character Fernet key), `mallku-secrets.json.encrypted` (one
 * Fernet token of `json.dumps(dict)`), `<name>.secret` (a Fernet token of `json.dumps(value)`);
 * a per-key file wins over the consolidated file. No TTL is applied (Python applies none).
 *
 * - get("DATABASE_CONFIG") finds `database.config`: names match exactly first (Python's lookup,
 *   case kept), else through their env-var form; two stored keys with one env-var form are a
 *   NAME_COLLISION. `set` writes the stored key, else the name as typed (case kept).
 * - As Python reads: a stored `null` is not found; a `<name>.secret` that cannot be decrypted is
 *   passed over (with a warning naming it) for the consolidated file when that holds the name.
 * - A non-string value (dict, number, list...) comes back as compact JSON text with
 *   `encoding: "json"`. JSON edge cases (NaN, big integers, lone surrogates, BOM): see
 *   `mallku/python-json.ts` and docs/store-format.md.
 * - Permissions: a folder copied through git or a read-only share (0755/0644, 0555/0444) is
 *   read with a warning naming the chmod (`warn-on-read`), but written only when the folder
 *   is 0700 and its files 0600.
 * - Writes (`set`, `setMany`: one rewrite for a batch) go through `./mallku/write.ts`: lock, atomic replace, a concurrent rewrite by a
 *   Python app detected (CONCURRENT_MODIFICATION), an unreadable store never replaced.
 */
import { join, resolve } from "node:path";
import { HushError } from "../errors.js";
import { readKeyFile } from "../crypto/key-file.js";
import { checkPrivate, type PermissionPolicy } from "../fs/permissions.js";
import { assertValidName, envName, isValidName } from "../names.js";
import type { SecretRecord, SecretSource, SourceCheck } from "../types.js";
import { hasLoneSurrogate, type PyJson, type PyObject } from "./mallku/python-json.js";
import { CONSOLIDATED_FILE, contentId, listPerKeyFiles, loadConsolidated, loadTokenJson, matchStoredKey, readTokenFile, toRecord } from "./mallku/read.js";
import { updateMallku, updateMallkuMany } from "./mallku/write.js";
import { option } from "../config/options-schema.js";
import { defineSourceType, sourceFolder } from "./descriptor.js";

/** Options for {@link createMallkuSource}. */
export interface MallkuSourceOptions {
  /** The folder of the Python layout. @default `<process.cwd()>/.secrets` */
  secretsDir?: string;
  /** The Fernet key file. @default `<secretsDir>/.encryption.key` */
  keyFile?: string;
  /**
   * `strict`: refuse to read or write unless the folder is 0700 and the files 0600.
   * `warn-on-read`: read over-permissive files with a warning naming the chmod, but refuse to
   * write (INSECURE_PERMISSIONS) until they are fixed.
   * @default "warn-on-read"
   */
  permissions?: "strict" | "warn-on-read";
  /** Receives permission warnings (each one once per source). @default writes `hush: warning: ...` to stderr */
  onWarning?: (message: string) => void;
  /** The source's name in records and errors. @default "mallku" */
  name?: string;
  /** How long a write waits for another hush writer's lock. @default 10000 */
  lockTimeoutMs?: number;
}

/** `- type: mallku` in hush.yaml: the options it accepts there, and how it is made from them. */
export const mallkuSourceType = defineSourceType({
  type: "mallku",
  summary: "the `.secrets/` folder of the Python reference design (Mallku), read and written without loss",
  options: {
    dir: option.path({ description: "the Python-made folder, relative to hush.yaml (`--secrets-dir` wins)", docDefault: ".secrets" }),
  },
  create: (options, context) => createMallkuSource({ secretsDir: sourceFolder(options.dir, context), onWarning: context.onWarning }),
});

const SOURCE_NAME = "mallku";

/**
 * Creates the `mallku` source over a Python-made `.secrets/` folder.
 *
 * @example
 * const mallku = createMallkuSource({ secretsDir: "/srv/app/.secrets" });
 * const record = await mallku.get("DATABASE_CONFIG"); // { value: '{"host":...}', encoding: "json" }
 */
export function createMallkuSource(options: MallkuSourceOptions = {}): SecretSource {
  const folder = openFolder(options);
  return { name: folder.sourceName, ...readMethods(folder), ...writeMethods(folder, options.lockTimeoutMs ?? 10_000), check: () => checkFolder(folder) };
}

// --- internal ---

/** One mallku source's folder, settings and parse cache. */
interface Folder {
  sourceName: string;
  secretsDir: string;
  keyFile: string;
  consolidatedPath: string;
  policy: PermissionPolicy;
  warn: (message: string) => void;
  /** Parsed token files by path, with the id (key + bytes) they were parsed from. */
  cache: Map<string, { id: string; value: PyJson }>;
}

function openFolder(options: MallkuSourceOptions): Folder {
  const secretsDir = resolve(options.secretsDir ?? join(process.cwd(), ".secrets"));
  const keyFile = resolve(options.keyFile ?? join(secretsDir, ".encryption.key"));
  const consolidatedPath = join(secretsDir, CONSOLIDATED_FILE);
  const policy: PermissionPolicy = (options.permissions ?? "warn-on-read") === "strict" ? "strict" : "warn";
  if (options.permissions !== undefined && options.permissions !== "strict" && options.permissions !== "warn-on-read") {
    throw new HushError("CONFIG_INVALID", `The mallku source's permissions must be "strict" or "warn-on-read".`);
  }
  const warn = onceEach(options.onWarning ?? ((m) => process.stderr.write(`hush: warning: ${m}\n`)));
  return { sourceName: options.name ?? SOURCE_NAME, secretsDir, keyFile, consolidatedPath, policy, warn, cache: new Map() };
}

/** Reads and parses one token file, reusing the parse when key and bytes are unchanged. */
function loadFile(folder: Folder, path: string, consolidated: boolean): PyJson | undefined {
  const { keyFile, policy, warn, secretsDir, cache } = folder;
  if (!checkPrivate(path, "file", policy, warn)) return undefined;
  const file = readTokenFile(path);
  if (file === undefined) return undefined;
  const key = readKeyFile(keyFile, policy, warn);
  const id = contentId(key, file);
  const hit = cache.get(path);
  if (hit?.id === id) return hit.value;
  const value = consolidated ? loadConsolidated(key, keyFile, file, secretsDir) : loadTokenJson(key, keyFile, file, secretsDir);
  cache.set(path, { id, value });
  return value;
}

/** Both files' keys: per-key files (name -> path) and the consolidated dict. */
interface Layout {
  perKey: Map<string, string>;
  dict: PyObject;
}

function loadLayout(folder: Folder): Layout {
  checkPrivate(folder.secretsDir, "dir", folder.policy, folder.warn);
  const perKey = listPerKeyFiles(folder.secretsDir);
  const dict = (loadFile(folder, folder.consolidatedPath, true) as PyObject | undefined) ?? new Map<string, PyJson>();
  return { perKey, dict };
}

/** get and list. */
function readMethods(folder: Folder) {
  const { sourceName, secretsDir } = folder;
  return {
    async get(name: string): Promise<SecretRecord | undefined> {
      assertValidName(name);
      const layout = loadLayout(folder);
      const key = matchStoredKey(name, [...layout.perKey.keys(), ...layout.dict.keys()], secretsDir);
      const found = key === undefined ? undefined : effectiveValue(folder, layout, key, "throw");
      return found && toRecord(key!, found.value, found.location, sourceName);
    },
    list: async (): Promise<string[]> => listNames(folder),
  };
}

/** Names whose value reads as Python reads it: not `null`, and readable (else warned, by name). */
async function listNames(folder: Folder): Promise<string[]> {
  const layout = loadLayout(folder);
  const { perKey, dict } = layout;
  const skipped = [...dict.keys()].filter((k) => !isValidName(k)).length;
  if (skipped > 0) folder.warn(`${folder.consolidatedPath} holds ${skipped} key(s) that are not valid secret names; hush does not list or serve them, and keeps them on rewrite.`);
  const keys = [...dict.keys()].filter(isValidName);
  for (const k of [...perKey.keys()].sort()) if (!dict.has(k)) keys.push(k);
  return keys.filter((k) => effectiveValue(folder, layout, k, "warn") !== undefined);
}

/** Why a `<name>.secret` could not be used: its content, not the folder's permissions or the disk. */
const UNREADABLE_CONTENT = new Set(["STORE_CORRUPT", "STORE_TRUNCATED", "WRONG_KEY", "LIMIT_EXCEEDED", "UNSUPPORTED_CONTENT"]);

/**
 * `key`'s value as the Python reference reads it: its `<key>.secret` file, else the consolidated
 * file; a `null` stored in either is "not found" (Python's `None`). A per-key file that cannot
 * be decrypted or parsed is passed over with a warning naming it, as Python passes over it (and
 * logs it), when the consolidated file holds the key; otherwise its error is thrown (`get`) or
 * warned and the key left out (`list`): a failure never reads as "not found".
 */
function effectiveValue(folder: Folder, { perKey, dict }: Layout, key: string, onFailure: "throw" | "warn"): { value: NonNullable<PyJson>; location: string } | undefined {
  const perKeyPath = perKey.get(key);
  if (perKeyPath !== undefined) {
    try {
      const value = loadFile(folder, perKeyPath, false);
      if (value === null) return undefined;
      if (value !== undefined) return { value, location: perKeyPath };
    } catch (e) {
      if (!(e instanceof HushError) || !UNREADABLE_CONTENT.has(e.code)) throw e;
      if (dict.has(key)) {
        folder.warn(`cannot read "${key}" from ${perKeyPath} (${e.code}); read from ${folder.consolidatedPath} instead, as the Python app does. Restore or remove that file.`);
      } else if (onFailure === "throw") throw e;
      else {
        folder.warn(`"${key}" is left out: ${perKeyPath} cannot be read (${e.code}), and ${folder.consolidatedPath} does not hold it.`);
        return undefined;
      }
    }
  }
  const value = dict.get(key);
  return value === undefined || value === null ? undefined : { value, location: folder.consolidatedPath };
}

/** set and delete, through ./mallku/write.ts; each write drops the parse cache. */
function writeMethods(folder: Folder, lockTimeoutMs: number) {
  const { sourceName, cache } = folder;
  const writeContext = { secretsDir: folder.secretsDir, keyFile: folder.keyFile, lockTimeoutMs };
  return {
    async set(name: string, value: string): Promise<SecretRecord> {
      assertValidName(name);
      assertWritableValue(name, value, sourceName);
      const done = await updateMallku(writeContext, name, value);
      cache.clear();
      return { name: done.key, value, source: sourceName, location: done.perKeyPath ?? done.consolidatedPath, encoding: "string" };
    },
    /** One lock and one rewrite of the consolidated file for the whole batch (./mallku/write.ts). */
    async setMany(entries: readonly (readonly [string, string])[]): Promise<SecretRecord[]> {
      const batch = distinctEntries(entries, sourceName);
      for (const [name, value] of batch) assertWritableValue(name, value, sourceName);
      if (batch.length === 0) return [];
      const done = await updateMallkuMany(writeContext, batch);
      cache.clear();
      return done.map((d, i) => ({ name: d.key, value: batch[i]![1], source: sourceName, location: d.perKeyPath ?? d.consolidatedPath, encoding: "string" }));
    },
    async delete(name: string): Promise<boolean> {
      assertValidName(name);
      const done = await updateMallku(writeContext, name, undefined);
      cache.clear();
      return done.existed;
    },
  };
}

function assertWritableValue(name: string, value: unknown, sourceName: string): void {
  if (typeof value !== "string") throw new HushError("INVALID_VALUE", `The value of "${name}" must be a string.`, { source: sourceName, secret: name });
  if (hasLoneSurrogate(value)) {
    throw new HushError("INVALID_VALUE", `The value of "${name}" holds an unpaired UTF-16 surrogate; hush stores only text that UTF-8 can carry.`, { source: sourceName, secret: name });
  }
}

/** The batch's names checked and kept as given (the layout keeps stored keys as written); one env-var form only once. */
function distinctEntries(entries: readonly (readonly [string, string])[], sourceName: string): [string, string][] {
  if (!Array.isArray(entries)) throw new HushError("INVALID_ARGUMENT", `setMany takes an array of [name, value] pairs.`, { source: sourceName });
  const seen = new Set<string>();
  return entries.map((entry) => {
    if (!Array.isArray(entry) || entry.length !== 2) throw new HushError("INVALID_ARGUMENT", `setMany takes an array of [name, value] pairs.`, { source: sourceName });
    const name = assertValidName(entry[0]);
    if (seen.has(envName(name))) throw new HushError("INVALID_ARGUMENT", `"${name}" is given twice in one batch; nothing was written.`, { source: sourceName, secret: name });
    seen.add(envName(name));
    return [name, entry[1]];
  });
}

/** `check()` for `hush doctor`: permissions as problems with their chmod, and whether the files open. */
async function checkFolder(folder: Folder): Promise<SourceCheck> {
  const { secretsDir, keyFile, consolidatedPath } = folder;
  const problems: { message: string; fix: string }[] = [];
  const collect = (m: string) => problems.push({ message: m.replace(/ Fix: .*$/, ""), fix: m.replace(/^.* Fix: /, "") });
  try {
    for (const [path, kind] of [[secretsDir, "dir"], [keyFile, "file"], [consolidatedPath, "file"]] as const) checkPrivate(path, kind, "warn", collect);
    const names = await listNames(folder);
    return { ok: problems.length === 0, detail: `${names.length} secrets in ${secretsDir}`, problems };
  } catch (e) {
    return { ok: false, detail: e instanceof HushError ? `${e.code}: ${e.message}` : `unexpected error in ${secretsDir}`, problems };
  }
}

/** Wraps a warning sink so each distinct message is passed on once. */
function onceEach(sink: (message: string) => void): (message: string) => void {
  const seen = new Set<string>();
  return (message) => {
    if (seen.has(message)) return;
    seen.add(message);
    sink(message);
  };
}
