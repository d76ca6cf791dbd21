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
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "dotenv";
import type { SecretRecord, SecretSource } from "../types.js";
import { HushError } from "../errors.js";
import { assertNoCollisions, envName, isValidName } from "../names.js";
import { createTurnFlag } from "../fs/turn-cache.js";

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

  /** Re-parses when any file changed (a stat per file, at most once per event-loop turn). */
  function load(): Map<string, Entry> {
    if (checkedThisTurn.fresh) return entries;
    checkedThisTurn.mark();
    const stats = files.map((f) => statOrUndefined(f));
    const next = stats.map((s) => (s ? `${s.ino}:${s.size}:${s.mtimeMs}` : "-")).join("|");
    if (next === stamp) return entries;
    const fresh = new Map<string, Entry>();
    files.forEach((file, i) => {
      if (!stats[i]) return;
      if (stats[i].size > MAX_FILE_BYTES) throw new HushError("LIMIT_EXCEEDED", `${file} is larger than ${MAX_FILE_BYTES} bytes.`, { source: SOURCE_NAME });
      const parsed = parse(readText(file));
      const canonical: string[] = [];
      for (const [key, value] of Object.entries(parsed)) {
        if (!isValidName(key)) {
          if (!warned.has(key)) options.onWarning?.(`${file}: skipped a key that is not a valid secret name.`);
          warned.add(key);
          continue;
        }
        canonical.push(key.toLowerCase());
        fresh.set(envName(key), { value, file, key });
      }
      assertNoCollisions(new Set(canonical), file);
    });
    entries = fresh;
    stamp = next;
    return entries;
  }

  return {
    name: SOURCE_NAME,
    async get(name: string): Promise<SecretRecord | undefined> {
      const entry = load().get(envName(name));
      if (!entry) return undefined;
      return { name, value: entry.value, source: SOURCE_NAME, location: `${entry.file}:${entry.key}` };
    },
    async list(): Promise<string[]> {
      return [...load().values()].map((e) => e.key.toLowerCase());
    },
    async check() {
      const present = files.filter((f) => statOrUndefined(f));
      load();
      return { ok: true, detail: present.length ? `reads ${present.join(", ")}` : `no file (${files.map((f) => f.slice(cwd.length + 1) || f).join(", ")})` };
    },
  };
}

// --- internal ---

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new HushError("READ_FAILED", `Cannot read ${path}.`, { cause: e, source: SOURCE_NAME });
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new HushError("READ_FAILED", `Cannot read ${path}.`, { cause: e, source: SOURCE_NAME });
  }
}

