/**
 * The `dotenv` source: `.env` then `.env.<environment>` in the project folder, parsed by the
 * `dotenv` package's own parser (so parsing equals dotenv's exactly). The environment file wins
 * over `.env`. Read-only: hush writes secrets to an encrypted store, never to a plaintext file.
 *
 * ```yaml
 * sources:
 *   - type: dotenv
 *     options: { files: [.env, .env.local] }
 * ```
 */
import { statSync } from "node:fs";
import { readTrustedFile } from "../fs/read-trusted-file.js";
import { resolve } from "node:path";
import type { SecretRecord, SecretSource } from "../types.js";
import { HushError } from "../errors.js";
import { assertNoCollisions, envName, isValidName } from "../names.js";
import { createTurnFlag } from "../fs/turn-cache.js";
import { option } from "../config/options-schema.js";
import { defineSourceType } from "./descriptor.js";

/** Options of {@link createDotenvSource}. */
export interface DotenvSourceOptions {
  /** Folder the files are relative to. @default process.cwd() */
  cwd?: string;
  /** Environment, for the default file list. @default "dev" */
  environment?: string;
  /** Files in increasing precedence. @default [".env", ".env.<environment>"] */
  files?: string[];
  /** Called for keys that are not valid secret names (they are skipped). */
  onWarning?: (message: string) => void;
}

/** `- type: dotenv` in hush.yaml (files relative to the project folder). */
export const dotenvSourceType = defineSourceType({
  type: "dotenv",
  summary: "`.env` files, parsed by the dotenv package (read-only)",
  options: {
    files: option.paths({ description: "files in increasing precedence", docDefault: "[.env, .env.<environment>]" }),
  },
  create: (options, context) => createDotenvSource({ cwd: context.root, environment: context.environment, files: options.files, onWarning: context.onWarning }),
});

const SOURCE_NAME = "dotenv";
/** Largest .env file read; dotenv files are small, and a huge one is a mistake. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

interface Entry {
  value: string;
  file: string;
  key: string;
}

/** Creates the `dotenv` source. */
export function createDotenvSource(options: DotenvSourceOptions = {}): SecretSource {
  const cwd = resolve(options.cwd ?? process.cwd());
  const files = (options.files ?? [".env", `.env.${options.environment ?? "dev"}`]).map((f) => resolve(cwd, f));
  let stamp = "";
  let entries = new Map<string, Entry>();
  const warned = new Set<string>();
  const checkedThisTurn = createTurnFlag();

  /**
   * Re-parses when any file changed (a stat per file, at most once per event-loop turn).
   * Returns NEEDS_PARSER when a file exists and dotenv's parser is not loaded yet.
   */
  function load(): Map<string, Entry> | typeof NEEDS_PARSER {
    if (checkedThisTurn.fresh) return entries;
    const stats = files.map((f) => statOrUndefined(f));
    const next = stats.map((s) => (s ? `${s.ino}:${s.size}:${s.mtimeMs}` : "-")).join("|");
    if (next === stamp) {
      checkedThisTurn.mark();
      return entries;
    }
    const parse = dotenvParse;
    if (parse === undefined && stats.some((s) => s !== undefined)) return NEEDS_PARSER;
    const fresh = new Map<string, Entry>();
    files.forEach((file, i) => {
      if (!stats[i]) return;
      if (stats[i].size > MAX_FILE_BYTES) throw new HushError("LIMIT_EXCEEDED", `${file} is larger than ${MAX_FILE_BYTES} bytes.`, { source: SOURCE_NAME });
      const parsed = parse!(readText(file));
      const keys: string[] = [];
      for (const [key, value] of Object.entries(parsed)) {
        if (!isValidName(key)) {
          if (!warned.has(key)) options.onWarning?.(`${file}: skipped a key that is not a valid secret name.`);
          warned.add(key);
          continue;
        }
        keys.push(key);
        fresh.set(envName(key), { value, file, key });
      }
      assertNoCollisions(keys, file); // as written: `a_key` and `A_KEY` are two values for one variable
    });
    entries = fresh;
    stamp = next;
    checkedThisTurn.mark();
    return entries;
  }

  /** The entries now; loads dotenv's parser the first time a file exists. */
  async function current(): Promise<Map<string, Entry>> {
    const loaded = load();
    if (loaded !== NEEDS_PARSER) return loaded;
    dotenvParse ??= await loadDotenvParse();
    const again = load();
    if (again === NEEDS_PARSER) throw new HushError("INTERNAL", "dotenv's parser could not be loaded.", { source: SOURCE_NAME });
    return again;
  }

  function recordOf(entries: Map<string, Entry>, name: string): SecretRecord | undefined {
    const entry = entries.get(envName(name));
    if (!entry) return undefined;
    return { name, value: entry.value, source: SOURCE_NAME, location: `${entry.file}:${entry.key}` };
  }

  return {
    name: SOURCE_NAME,
    async get(name: string): Promise<SecretRecord | undefined> {
      return recordOf(await current(), name);
    },
    async getMany(names: readonly string[]): Promise<(SecretRecord | undefined)[]> {
      const entries = await current();
      return names.map((name) => recordOf(entries, name));
    },
    async list(): Promise<string[]> {
      return [...(await current()).values()].map((e) => e.key.toLowerCase());
    },
    async check() {
      const present = files.filter((f) => statOrUndefined(f));
      await current();
      return { ok: true, detail: present.length ? `reads ${present.join(", ")}` : `no file (${files.map((f) => f.slice(cwd.length + 1) || f).join(", ")})` };
    },
  };
}

// --- internal ---

const NEEDS_PARSER = Symbol("needs dotenv's parser");

/**
 * dotenv's parser, loaded the first time a .env file exists: most `hush run` projects keep
 * their secrets in the store, and loading dotenv costs every start-up about a millisecond.
 */
let dotenvParse: ((text: string) => Record<string, string>) | undefined;

async function loadDotenvParse(): Promise<(text: string) => Record<string, string>> {
  // A CommonJS package: bundled with code splitting, its functions are on `default`.
  const mod = (await import("dotenv")) as typeof import("dotenv") & { default?: typeof import("dotenv") };
  return mod.parse ?? mod.default!.parse;
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new HushError("READ_FAILED", `Cannot read ${path}.`, { cause: e, source: SOURCE_NAME });
  }
}

/** The file's text: a regular file of yours or root's, within the size limit (FAULTS 25, 28). */
function readText(path: string): string {
  const bytes = readTrustedFile(path, { what: "the .env file", maxBytes: MAX_FILE_BYTES, source: SOURCE_NAME });
  if (bytes === undefined) throw new HushError("READ_FAILED", `Cannot read ${path}: it vanished while hush read it.`, { source: SOURCE_NAME });
  return bytes.toString("utf8");
}

