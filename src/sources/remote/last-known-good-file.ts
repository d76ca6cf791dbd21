/**
 * The file of last-known-good copies of one source in one environment: a Fernet token (the
 * environment's key) over a JSON document that names the source and the environment, so a file
 * copied to another source's name is refused. Created 0600 in a folder created 0700, written
 * atomically, at most once per batch of reads, and only when something changed.
 *
 * It is a cache: a file that cannot be read (wrong key after a rotation, damaged, another
 * source's) is ignored and replaced, with a warning, and a key that cannot be loaded turns the
 * copies off, with a warning. Two processes writing at once: the last write wins (each holds
 * what it read itself).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { HushError } from "../../errors.js";
import { fernetEncrypt, openToken, type FernetKey } from "../../crypto/fernet.js";
import { writeFileAtomic } from "../../fs/atomic-write.js";
import { checkPrivate } from "../../fs/permissions.js";
import { readTrustedFile } from "../../fs/read-trusted-file.js";
import type { SecretRecord } from "../../types.js";

/** One copy, as kept: the record without `name`, and when it was read (ms since the epoch). */
export interface StoredRecord {
  value: string;
  source: string;
  version?: number;
  updatedAt?: string;
  location?: string;
  encoding?: "string" | "json";
  at: number;
}

/** See the module comment. */
export interface CopyFile {
  get(name: string): Promise<StoredRecord | undefined>;
  names(): Promise<string[]>;
  /** Keeps `record` as read at `at`; written in the background. */
  put(name: string, record: SecretRecord, at: number): void;
  remove(name: string): void;
  /** Waits for pending writes. */
  flush(): Promise<void>;
}

/** Options of {@link openCopyFile}. */
export interface CopyFileOptions {
  path: string;
  source: string;
  environment: string;
  loadKey(): Promise<FernetKey>;
  onWarning(message: string): void;
}

/** Opens (lazily) the copy file at `options.path`. */
export function openCopyFile(options: CopyFileOptions): CopyFile {
  let state: Promise<{ key: FernetKey; entries: Map<string, StoredRecord> } | undefined> | undefined;
  let dirty = false;
  let writing: Promise<void> = Promise.resolve();
  const load = () => (state ??= loadState(options));

  const schedule = () => {
    if (dirty) return;
    dirty = true;
    // One write per batch of reads: after the current turn's reads have all been kept.
    writing = writing.then(() => new Promise<void>((r) => setImmediate(r))).then(async () => {
      dirty = false;
      const s = await load();
      if (s) await save(options, s.key, s.entries);
    });
  };
  return {
    async get(name) {
      return (await load())?.entries.get(name);
    },
    async names() {
      return [...((await load())?.entries.keys() ?? [])];
    },
    put(name, record, at) {
      void load().then((s) => {
        if (!s) return;
        const before = s.entries.get(name);
        const next: StoredRecord = { value: record.value, source: record.source, at, ...optional(record) };
        // Re-written only when the value or version changed, or the copy is a minute older than the read.
        if (before && before.value === next.value && before.version === next.version && at - before.at < 60_000) return;
        s.entries.set(name, next);
        schedule();
      });
    },
    remove(name) {
      void load().then((s) => {
        if (s?.entries.delete(name)) schedule();
      });
    },
    async flush() {
      await load();
      await writing;
    },
  };
}

// --- internal ---

const FORMAT = "hush-last-known-good-1";
const MAX_BYTES = 64 * 1024 * 1024;

async function loadState(options: CopyFileOptions): Promise<{ key: FernetKey; entries: Map<string, StoredRecord> } | undefined> {
  let key: FernetKey;
  try {
    key = await options.loadKey();
  } catch (e) {
    const code = e instanceof HushError ? e.code : "error";
    options.onWarning(`${options.source}: offlineCache is off: the environment's key could not be loaded (${code}).`);
    return undefined;
  }
  const entries = new Map<string, StoredRecord>();
  try {
    const dir = dirname(options.path);
    if (checkPrivate(dir, "dir", "strict") && checkPrivate(options.path, "file", "strict")) {
      const text = readTrustedFile(options.path, { maxBytes: MAX_BYTES, what: "the last-known-good copies", source: options.source });
      if (text) for (const [n, r] of parse(key, text.toString("utf8"), options)) entries.set(n, r);
    }
  } catch (e) {
    options.onWarning(`${options.source}: the last-known-good copies in ${options.path} were not used (${e instanceof HushError ? e.code : "error"}); they are replaced on the next read.`);
  }
  return { key, entries };
}

function parse(key: FernetKey, token: string, options: CopyFileOptions): [string, StoredRecord][] {
  const opened = openToken(key, token.trim());
  if (!opened.ok) throw new HushError("WRONG_KEY", `The last-known-good copies of ${options.source} do not open with this environment's key.`);
  const doc = JSON.parse(opened.plaintext.toString("utf8")) as { format?: unknown; source?: unknown; environment?: unknown; entries?: unknown };
  if (doc.format !== FORMAT || doc.source !== options.source || doc.environment !== options.environment || typeof doc.entries !== "object" || doc.entries === null) {
    throw new HushError("STORE_CORRUPT", `The last-known-good copies in ${options.path} are not ${options.source}'s for ${options.environment}.`);
  }
  return Object.entries(doc.entries as Record<string, StoredRecord>).filter(([, r]) => typeof r?.value === "string" && typeof r.at === "number");
}

async function save(options: CopyFileOptions, key: FernetKey, entries: Map<string, StoredRecord>): Promise<void> {
  try {
    mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
    checkPrivate(dirname(options.path), "dir", "strict");
    const doc = { format: FORMAT, source: options.source, environment: options.environment, entries: Object.fromEntries(entries) };
    await writeFileAtomic(options.path, fernetEncrypt(key, JSON.stringify(doc)), { mode: 0o600 });
  } catch (e) {
    options.onWarning(`${options.source}: the last-known-good copies could not be written to ${options.path} (${e instanceof HushError ? (e.causeCode ?? e.code) : "error"}).`);
  }
}

function optional(r: SecretRecord): Partial<StoredRecord> {
  return {
    ...(r.version !== undefined ? { version: r.version } : {}),
    ...(r.updatedAt !== undefined ? { updatedAt: r.updatedAt.toISOString() } : {}),
    ...(r.location !== undefined ? { location: r.location } : {}),
    ...(r.encoding !== undefined ? { encoding: r.encoding } : {}),
  };
}
