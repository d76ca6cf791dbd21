/**
 * The `dotenv` source: `.env` then `.env.<environment>` in the project folder, parsed by the
 * `dotenv` package's own parser (so parsing equals dotenv's exactly). The environment file wins
 * over `.env`. Read-only: hush writes secrets to an encrypted store, never to a plaintext file.
 * `layout: nextjs` or `vite` reads the files those frameworks read, in their order (see
 * {@link dotenvLayoutFiles}).
 *
 * ```yaml
 * sources:
 *   - type: dotenv
 *     options: { files: [.env, .env.local] }   # or: { layout: nextjs }
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

/** The file layouts the dotenv source knows (see {@link dotenvLayoutFiles}). */
export const DOTENV_LAYOUTS = ["hush", "nextjs", "vite"] as const;
export type DotenvLayout = (typeof DOTENV_LAYOUTS)[number];

/** Options of {@link createDotenvSource}. */
export interface DotenvSourceOptions {
  /** Folder the files are relative to. @default process.cwd() */
  cwd?: string;
  /** Environment, for the default file list. @default "dev" */
  environment?: string;
  /** Files in increasing precedence. @default the files of `layout` */
  files?: string[];
  /** Which files, in which order, when `files` is not given (see {@link dotenvLayoutFiles}). @default "hush" */
  layout?: DotenvLayout;
  /** The source's name in the chain and in provenance. @default "dotenv" */
  name?: string;
  /** Called for keys that are not valid secret names (they are skipped). */
  onWarning?: (message: string) => void;
}

/** `- type: dotenv` in hush.yaml (files relative to the project folder). */
export const dotenvSourceType = defineSourceType({
  type: "dotenv",
  summary: "`.env` files, parsed by the dotenv package (read-only)",
  options: {
    files: option.paths({ description: "files in increasing precedence; replaces `layout`", docDefault: "[.env, .env.<environment>]" }),
    layout: option.choice(DOTENV_LAYOUTS, {
      description:
        "which files, in increasing precedence: `hush` .env, .env.<environment>; `nextjs` .env, .env.<mode>, .env.local (not in test), .env.<mode>.local; `vite` .env, .env.local, .env.<mode>, .env.<mode>.local (<mode>: development for dev, production for prod, else the environment)",
      default: "hush",
    }),
  },
  create: (options, context) => {
    // Both given: `files` would silently override the layout asked for.
    if (options.files && options.layout !== "hush") throw new HushError("CONFIG_INVALID", "hush.yaml: the dotenv source takes `files` or `layout`, not both.", { source: SOURCE_NAME });
    return createDotenvSource({ cwd: context.root, environment: context.environment, files: options.files, layout: options.layout, onWarning: context.onWarning });
  },
});

/**
 * The files of a layout, in increasing precedence (the last one wins), for `environment`:
 * hush's own, or the order Next.js and Vite load them in. Their <mode> is `development` for hush's
 * `dev`, `production` for `prod`, else the environment's name.
 *
 * @example
 * dotenvLayoutFiles("nextjs", "dev") // [".env", ".env.development", ".env.local", ".env.development.local"]
 */
export function dotenvLayoutFiles(layout: DotenvLayout, environment: string): string[] {
  if (layout === "hush") return [".env", `.env.${environment}`];
  const mode = environment === "dev" ? "development" : environment === "prod" ? "production" : environment;
  // Next.js skips .env.local in test, so that tests give everyone the same results.
  if (layout === "nextjs") return [".env", `.env.${mode}`, ...(mode === "test" ? [] : [".env.local"]), `.env.${mode}.local`];
  return [".env", ".env.local", `.env.${mode}`, `.env.${mode}.local`];
}

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
  const files = (options.files ?? dotenvLayoutFiles(options.layout ?? "hush", options.environment ?? "dev")).map((f) => resolve(cwd, f));
  const sourceName = options.name ?? SOURCE_NAME;
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
    const stats = files.map((f) => statOrUndefined(f, sourceName));
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
      if (stats[i].size > MAX_FILE_BYTES) throw new HushError("LIMIT_EXCEEDED", `${file} is larger than ${MAX_FILE_BYTES} bytes.`, { source: sourceName });
      const parsed = parse!(readText(file, sourceName));
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
    if (again === NEEDS_PARSER) throw new HushError("INTERNAL", "dotenv's parser could not be loaded.", { source: sourceName });
    return again;
  }

  return {
    name: sourceName,
    async get(name: string): Promise<SecretRecord | undefined> {
      return recordOf(await current(), name, sourceName);
    },
    async getMany(names: readonly string[]): Promise<(SecretRecord | undefined)[]> {
      const entries = await current();
      return names.map((name) => recordOf(entries, name, sourceName));
    },
    async list(): Promise<string[]> {
      return [...(await current()).values()].map((e) => e.key.toLowerCase());
    },
    async check() {
      const present = files.filter((f) => statOrUndefined(f, sourceName));
      await current();
      return { ok: true, detail: present.length ? `reads ${present.join(", ")}` : `no file (${files.map((f) => f.slice(cwd.length + 1) || f).join(", ")})` };
    },
  };
}

// --- internal ---

const NEEDS_PARSER = Symbol("needs dotenv's parser");

function recordOf(entries: Map<string, Entry>, name: string, source: string): SecretRecord | undefined {
  const entry = entries.get(envName(name));
  if (!entry) return undefined;
  // A dotenvx-encrypted value: serving the ciphertext as the value would be silently wrong.
  if (entry.value.startsWith("encrypted:")) {
    throw new HushError("INVALID_VALUE", `${entry.key} in ${entry.file} is dotenvx ciphertext ("encrypted:..."); hush does not decrypt .env files in place.`, {
      source,
      secret: name,
      hint: "Run `hush import <file>` (it decrypts with .env.keys or DOTENV_PRIVATE_KEY*) and remove the encrypted line, or run the command with dotenvx.",
    });
  }
  return { name, value: entry.value, source, location: `${entry.file}:${entry.key}` };
}

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

function statOrUndefined(path: string, sourceName: string) {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new HushError("READ_FAILED", `Cannot read ${path}.`, { cause: e, source: sourceName });
  }
}

/** The file's text: a regular file of yours or root's, within the size limit (FAULTS 25, 28). */
function readText(path: string, sourceName: string): string {
  const bytes = readTrustedFile(path, { what: "the .env file", maxBytes: MAX_FILE_BYTES, source: sourceName });
  if (bytes === undefined) throw new HushError("READ_FAILED", `Cannot read ${path}: it vanished while hush read it.`, { source: sourceName });
  return bytes.toString("utf8");
}

