/**
 * Writing the Python (Mallku) layout: read-modify-write of the consolidated file under the
 * folder lock, atomic replacement, Python-style serialization, and detection of a concurrent
 * rewrite by a program that does not take the lock (a Python app: FAULTS 11).
 *
 * Rules kept here:
 * - an unreadable consolidated file is never replaced (Python starts a fresh dict and loses
 *   every other secret): the error is thrown and the file stays byte-identical;
 * - every other key keeps its parsed form (key order, exact numbers, NaN, lone surrogates);
 * - a `<key>.secret` file of the key being set is rewritten too, or it would shadow the write;
 * - right before each rename the target's bytes and inode are compared with what was read;
 *   a difference throws CONCURRENT_MODIFICATION and nothing is replaced. A foreign write that
 *   lands between that check and the rename (microseconds) cannot be detected without the
 *   foreign program's cooperation.
 */
import { unlinkSync } from "node:fs";
import { timingSafeEqual } from "node:crypto";
import { basename, join } from "node:path";
import { HushError } from "../../errors.js";
import { fernetEncrypt, type FernetKey } from "../../crypto/fernet.js";
import { ensureSecretsDir, fsyncDir, readKeyFile } from "../../crypto/key-file.js";
import { checkPrivate } from "../../fs/permissions.js";
import { sweepStaleTemps, writeFileAtomic } from "../../fs/atomic-write.js";
import { withLock } from "../../fs/lock.js";
import { MAX_JSON_BYTES, type PyJson, type PyObject } from "./python-json.js";
import { dumpsPythonJson } from "./python-json-dump.js";
import { assertNoCollisions, envName, isValidName } from "../../names.js";
import { CONSOLIDATED_FILE, listPerKeyFiles, loadConsolidated, readTokenFile, type TokenFile } from "./read.js";

/** Name of the lock file inside the secrets folder. */
export const LOCK_FILE = "mallku.lock";

/** Where and how to write. */
export interface MallkuWriteContext {
  secretsDir: string;
  keyFile: string;
  lockTimeoutMs: number;
  /** Runs just before the pre-rename check of each file; tests use it to rewrite the file there. @default undefined */
  beforeCheck?: (path: string) => void | Promise<void>;
}

/** What an update saw and did, for the caller's record. */
export interface MallkuUpdate {
  /** The stored key written or removed (may differ from the name asked for: `DB_URL` -> `db.url`). */
  key: string;
  /** The per-key file of that key, when there is one. */
  perKeyPath: string | undefined;
  consolidatedPath: string;
  /** Whether the key existed before. */
  existed: boolean;
}

/**
 * Sets (value is a string) or deletes (value undefined) `name` in the layout, under the lock.
 * Refuses unless the folder is 0700 and the key and store files 0600 (INSECURE_PERMISSIONS).
 */
export async function updateMallku(ctx: MallkuWriteContext, name: string, value: string | undefined): Promise<MallkuUpdate> {
  return (await updateMallkuMany(ctx, [[name, value]]))[0]!;
}

/**
 * {@link updateMallku} for many names at once: one lock, one read and at most one rewrite of the
 * consolidated file (plus each touched `<key>.secret`), so a batch costs one write, not one per
 * name. The updates come back in the order given.
 */
export async function updateMallkuMany(ctx: MallkuWriteContext, changes: readonly (readonly [string, string | undefined])[]): Promise<MallkuUpdate[]> {
  // The key first: a missing key is KEY_MISSING before anything (even the folder) is created.
  const key = readKeyFile(ctx.keyFile, "strict");
  ensureSecretsDir(ctx.secretsDir);
  const consolidatedPath = join(ctx.secretsDir, CONSOLIDATED_FILE);
  return withLock(join(ctx.secretsDir, LOCK_FILE), async () => {
    checkPrivate(consolidatedPath, "file", "strict");
    sweepStaleTemps(ctx.secretsDir, CONSOLIDATED_FILE);
    const before = readTokenFile(consolidatedPath);
    const dict: PyObject = before ? loadConsolidated(key, ctx.keyFile, before, ctx.secretsDir) : new Map();
    const perKey = listPerKeyFiles(ctx.secretsDir);
    const index = indexByEnvName([...perKey.keys(), ...dict.keys()], ctx.secretsDir);
    const results: MallkuUpdate[] = [];
    const perKeyWrites: [string, string | undefined][] = [];
    let dictChanged = false;
    for (const [name, value] of changes) {
      const storedKey = index.find(name) ?? name;
      const perKeyPath = perKey.get(storedKey);
      if (perKeyPath !== undefined) checkPrivate(perKeyPath, "file", "strict"); // before any write
      const inDict = dict.has(storedKey);
      results.push({ key: storedKey, perKeyPath, consolidatedPath, existed: inDict || perKeyPath !== undefined });
      if (value !== undefined) {
        dict.set(storedKey, value); // an existing key keeps its position, as in Python's dict
        index.add(storedKey);
        dictChanged = true;
      } else if (inDict) {
        dict.delete(storedKey);
        dictChanged = true;
      }
      if (perKeyPath !== undefined) perKeyWrites.push([perKeyPath, value]);
    }
    // Consolidated file first: if a per-key write then fails, the per-key file still shadows
    // with its old value, so a failed set is not half-visible.
    if (dictChanged) await writeToken(ctx, key, consolidatedPath, before, dict);
    for (const [perKeyPath, value] of perKeyWrites) {
      if (value === undefined) removeFile(perKeyPath, ctx.secretsDir);
      else {
        sweepStaleTemps(ctx.secretsDir, basename(perKeyPath));
        await writeToken(ctx, key, perKeyPath, readTokenFile(perKeyPath), value);
      }
    }
    return results;
  }, { timeoutMs: ctx.lockTimeoutMs });
}

// --- internal ---

/**
 * The stored keys of each env-var form (`DB_URL` -> `db.url`), built once per write, and the
 * lookup of one name in it, as `matchStoredKey` in ./read.ts does for one name: the key stored
 * exactly as asked wins (Python keeps `api_token` and `API_TOKEN` apart); else two stored keys
 * with the name's form are a NAME_COLLISION; other forms' groups are not checked.
 */
function indexByEnvName(keys: readonly string[], dir: string) {
  const groups = new Map<string, Set<string>>();
  const exact = new Set<string>();
  const add = (k: string) => {
    exact.add(k);
    if (!isValidName(k)) return;
    const group = groups.get(envName(k)) ?? new Set<string>();
    group.add(k);
    groups.set(envName(k), group);
  };
  keys.forEach(add);
  return {
    add,
    find(name: string): string | undefined {
      if (exact.has(name)) return name;
      const group = groups.get(envName(name));
      if (group && group.size > 1) assertNoCollisions(group, `the Mallku folder ${dir}`);
      return group?.values().next().value;
    },
  };
}

/** Encrypts `json.dumps(value)` and replaces `path`, unless the file changed since `before` was read. */
async function writeToken(ctx: MallkuWriteContext, key: FernetKey, path: string, before: TokenFile | undefined, value: PyJson): Promise<void> {
  const json = dumpsPythonJson(value); // pure ASCII (ensure_ascii), so length = bytes
  if (json.length > MAX_JSON_BYTES) throw new HushError("LIMIT_EXCEEDED", `The new content of ${path} would be ${json.length} bytes; hush reads at most ${MAX_JSON_BYTES}, so it does not write it.`);
  const token = fernetEncrypt(key, json);
  await writeFileAtomic(path, token, {
    mode: 0o600,
    beforeRename: async () => {
      await ctx.beforeCheck?.(path);
      assertUnchanged(path, before);
    },
  });
}

/** Throws CONCURRENT_MODIFICATION when `path` no longer holds exactly what was read. */
function assertUnchanged(path: string, before: TokenFile | undefined): void {
  const now = readTokenFile(path);
  const same = before === undefined
    ? now === undefined
    : now !== undefined && now.ino === before.ino && now.bytes.length === before.bytes.length && timingSafeEqual(now.bytes, before.bytes);
  if (!same) {
    throw new HushError("CONCURRENT_MODIFICATION", `${path} was ${now === undefined ? "removed" : before === undefined ? "created" : "rewritten"} by another program while hush was updating it; hush left it as the other program wrote it. Re-read and retry.`);
  }
}

function removeFile(path: string, dir: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new HushError("WRITE_FAILED", `Cannot remove ${path}.`, { cause: e });
    // ENOENT: already gone, which is what delete wants.
  }
  fsyncDir(dir);
}
