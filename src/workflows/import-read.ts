/**
 * What `hush import` reads: the entries of a `.env` file (a dotenvx-encrypted one decrypted, see
 * ./import-dotenvx.ts), a JSON object, or a Python (Mallku) `.secrets/` folder, with the facts the
 * import needs afterwards (keys skipped, the file's identity for `--remove-source`).
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { HushError } from "../errors.js";
import { canonicalName, isValidName } from "../names.js";
import { readTrustedFile } from "../fs/read-trusted-file.js";
import { createMallkuSource } from "../sources/mallku.js";
import { decryptDotenvx, isDotenvxFile } from "./import-dotenvx.js";

export type ImportFormat = "dotenv" | "json" | "mallku";

/** What was read. */
export interface ImportInput {
  format: ImportFormat;
  /** Canonical name and value, in file order. */
  entries: [string, string][];
  /** Keys left out because they are not valid secret names (their count; never the keys themselves). */
  invalidKeys: number;
  /** `dotenvx` when the file was dotenvx-encrypted and its values were decrypted. */
  encryption?: "dotenvx";
  /** The file as it was read (for a file input), to tell whether it changed before it is removed. */
  identity?: string;
}

/** Largest input file read. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Reads `path` as `format` (default: a folder is `mallku`, `*.json` is `json`, anything else `dotenv`). */
export async function readImportInput(path: string, format: ImportFormat | undefined, env: NodeJS.ProcessEnv, onWarning?: (m: string) => void): Promise<ImportInput> {
  const isDir = statOf(path).isDirectory();
  const chosen = format ?? (isDir ? "mallku" : path.endsWith(".json") ? "json" : "dotenv");
  if (chosen === "mallku") return { format: chosen, entries: await readMallku(path, onWarning), invalidKeys: 0 };
  if (isDir) throw new HushError("INVALID_ARGUMENT", `${path} is a folder; --format ${chosen} reads a file.`);
  const { text, identity } = readText(path);
  let pairs = chosen === "dotenv" ? Object.entries(parseDotenv(text)) : jsonPairs(text, path);
  let encryption: "dotenvx" | undefined;
  if (chosen === "dotenv" && isDotenvxFile(pairs)) {
    pairs = await decryptDotenvx(pairs, path, env);
    encryption = "dotenvx";
  }
  const entries: [string, string][] = [];
  let invalidKeys = 0;
  for (const [k, v] of pairs) {
    if (isValidName(k)) entries.push([canonicalName(k), v]);
    else invalidKeys++;
  }
  if (invalidKeys) onWarning?.(`${path}: skipped ${invalidKeys} key(s) that are not valid secret names.`);
  return { format: chosen, entries, invalidKeys, encryption, identity };
}

/** A string that changes when the file at `path` is replaced or rewritten. */
export function fileIdentity(path: string): string {
  const st = statOf(path);
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

// --- internal ---

function statOf(path: string) {
  try {
    return statSync(path);
  } catch (e) {
    throw new HushError("READ_FAILED", `Cannot read ${path}.`, { cause: e });
  }
}

/**
 * The Python layout: `.encryption.key` beside `mallku-secrets.json.encrypted` or `<name>.secret`
 * files. Anything else (an empty folder, a hush store, a typo) is an error, never "imported 0".
 */
async function readMallku(path: string, onWarning?: (m: string) => void): Promise<[string, string][]> {
  let files: string[];
  try {
    files = readdirSync(path);
  } catch (e) {
    throw new HushError("READ_FAILED", `Cannot read the folder ${path}.`, { cause: e });
  }
  const stores = files.filter((f) => f === "mallku-secrets.json.encrypted" || f.endsWith(".secret"));
  if (!files.includes(".encryption.key") || stores.length === 0) {
    const hushStore = files.some((f) => f.endsWith(".store"));
    const what = hushStore
      ? "it holds a hush store (*.store), which hush already reads: point --secrets-dir at it instead of importing"
      : !files.includes(".encryption.key")
        ? "it has no .encryption.key"
        : "it has a key but no mallku-secrets.json.encrypted and no <name>.secret file, so it holds no secrets";
    throw new HushError("INVALID_ARGUMENT", `${path} is not a Python (Mallku) secrets folder: ${what}. Nothing was imported.`, {
      hint: "Give a .env file, a JSON file, or a folder holding .encryption.key and mallku-secrets.json.encrypted.",
    });
  }
  const source = createMallkuSource({ secretsDir: join(path), onWarning });
  const out: [string, string][] = [];
  for (const name of await source.list()) {
    const record = await source.get(name);
    if (record) out.push([canonicalName(name), record.value]);
  }
  return out;
}

function jsonPairs(text: string, path: string): [string, string][] {
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
  return pairs;
}

/** The file's text (a regular file of yours or root's, size-bounded) and its identity as read. */
function readText(path: string): { text: string; identity: string } {
  const identity = fileIdentity(path);
  const bytes = readTrustedFile(path, { what: "the input file", maxBytes: MAX_INPUT_BYTES });
  if (bytes === undefined) throw new HushError("READ_FAILED", `Cannot read ${path}: it does not exist.`);
  return { text: bytes.toString("utf8").replace(/^\uFEFF/, ""), identity };
}
