/**
 * The key step of `hush init`, which must never lose data (FAULTS 26): a new key is made only
 * where no store of that environment exists. A store without its key is a lost key, not a new
 * project: a fresh key beside it makes hush answer "wrong key", and makes a Python app (which
 * starts an empty dict when it cannot decrypt) overwrite the file, losing every secret even
 * after the old key is put back. `--force-new-key` moves those files aside into a 0700 folder
 * (never deletes them) and then makes the key.
 */
import { mkdirSync, readdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { HushError } from "../errors.js";
import { ensureSecretsDir, fsyncDir } from "../crypto/key-file.js";
import { generateFernetKey } from "../crypto/fernet.js";
import { resolveKeyProvider, type KeySettings } from "../keys/environment-key.js";
import type { KeyProvider } from "../keys/provider.js";
import { checkPrivate, shellQuote } from "../fs/permissions.js";
import { DEFAULT_ENVIRONMENT } from "../environment.js";

/** What {@link createProjectKey} did. */
export interface ProjectKeyResult {
  created: boolean;
  /** The folder the orphaned stores were moved into (`--force-new-key`), if any. */
  movedAside?: string;
  /** The files moved there (names). */
  moved: string[];
}

/**
 * Creates the key of `environment` (through its key provider: hush.yaml's `keys:`, else the key
 * file in `secretsDir`, else `user` when `project` is set) unless it exists, and the secrets
 * folder. Refuses (KEY_MISSING) when the key is missing but a store, per-key file or audit log of
 * that environment is there, unless `forceNewKey`, which moves them aside first.
 */
export async function createProjectKey(secretsDir: string, environment: string, forceNewKey = false, keys: KeySettings & { root?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProjectKeyResult & { provider: KeyProvider }> {
  ensureSecretsDir(secretsDir);
  const provider = resolveKeyProvider({ ...keys, secretsDir, environment, onWarning: () => undefined });
  const keyPath = provider.location().where;
  if (await provider.exists()) {
    if (provider.type === "file" || provider.type === "user") checkPrivate(keyPath, "file", "strict");
    return { created: false, moved: [], provider };
  }
  const orphans = filesOfEnvironment(secretsDir, environment);
  if (orphans.length === 0) return { created: await createKey(provider), moved: [], provider };
  if (!forceNewKey) {
    // The stores first (they hold the secrets), then the audit files.
    const ordered = [...orphans].sort((a, b) => Number(a.startsWith("audit.")) - Number(b.startsWith("audit.")) || a.localeCompare(b));
    const shown = ordered.slice(0, 3).join(", ") + (ordered.length > 3 ? `, ... (${ordered.length} files)` : "");
    throw new HushError("KEY_MISSING", `The key ${keyPath} (${provider.type}) is missing, but ${secretsDir} holds data written with it (${shown}); hush init will not pair a new key with it.`, {
      hint: `Restore the key from your backup to ${shellQuote(keyPath)}; to give up the old data, \`hush init --force-new-key\` moves it aside (never deletes it) and makes a new key.`,
    });
  }
  const aside = join(secretsDir, `orphaned-${environment}-${new Date().toISOString().replace(/[:.]/g, "-")}`);
  try {
    mkdirSync(aside, { mode: 0o700 });
    for (const name of orphans) renameSync(join(secretsDir, name), join(aside, name));
    fsyncDir(secretsDir);
  } catch (e) {
    throw new HushError("WRITE_FAILED", `Cannot move the orphaned store files of ${environment} into ${aside}; no key was created.`, { cause: e, hint: "Files already moved are in that folder; check disk space and permissions, then re-run." });
  }
  return { created: await createKey(provider), movedAside: aside, moved: orphans, provider };
}

/** Saves a new key; false when another process stored one first (that one is kept). */
async function createKey(provider: KeyProvider): Promise<boolean> {
  try {
    await provider.save(generateFernetKey());
    return true;
  } catch (e) {
    if (e instanceof HushError && e.code === "KEY_EXISTS") return false;
    throw e;
  }
}

/**
 * Files of `secretsDir` that only the key of `environment` opens or verifies: the local store,
 * the audit log and its anchor, and for the default environment (whose key is the Python
 * layout's `.encryption.key`) the Python consolidated file and per-key files.
 */
export function filesOfEnvironment(secretsDir: string, environment: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(secretsDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new HushError("READ_FAILED", `Cannot list ${secretsDir} to look for existing stores.`, { cause: e });
  }
  const own = new Set([`${environment}.store`, `audit.${environment}.jsonl`, `audit.${environment}.head`, `audit.${environment}.start`]);
  const python = environment === DEFAULT_ENVIRONMENT;
  return entries.filter((f) => own.has(f) || (python && (f === "mallku-secrets.json.encrypted" || f.endsWith(".secret")))).sort();
}
