/**
 * What the `file` and `user` providers share: a key kept as a 44-character Fernet key file (0600,
 * in a 0700 folder), read after the permission checks of src/crypto/key-file.ts, cached once read,
 * created without ever replacing a key (temp file + link) and replaced atomically (temp + rename)
 * only when asked to. The providers differ in where the file is and how its folders are made.
 */
import { dirname, relative, isAbsolute } from "node:path";
import { HushError } from "../errors.js";
import { parseFernetKey, type FernetKey } from "../crypto/fernet.js";
import { readKeyFile, writeKeyFileExclusive } from "../crypto/key-file.js";
import { checkPrivate, type PermissionPolicy } from "../fs/permissions.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import type { KeyProvider, KeyProviderCheck, KeyProviderContext } from "./provider.js";
import { keyFileExists, keyMemo, removeKeyFile } from "./key-memo.js";

/** How a file-backed provider is made. */
export interface FileBackedOptions {
  type: string;
  /** The key file. */
  path: string;
  /** Makes the key file's folder (0700) before a save. */
  ensureFolder(): void;
  context: Pick<KeyProviderContext, "root" | "environment" | "onWarning">;
  /** `warn` lets a key file others can read through with a warning (the local store's `permissions: warn`). @default "strict" */
  policy?: PermissionPolicy;
}

/** A provider over one key file. */
export function createFileBackedProvider(options: FileBackedOptions): KeyProvider {
  const { type, path, context } = options;
  const memo = keyMemo();
  return {
    type,
    location: () => ({ provider: type, where: path, insideProject: isInside(context.root, path) }),
    async exists() {
      return keyFileExists(path);
    },
    load() {
      // One read per provider, also when two callers ask at once.
      return memo.get(() => readKey(path, options));
    },
    async save(key, saveOptions = {}) {
      const parsed = parseFernetKey(key); // MALFORMED_KEY before anything is written
      options.ensureFolder();
      if (saveOptions.replace) await writeFileAtomic(path, `${key.trim()}\n`, { mode: 0o600 });
      else createKeyFileExclusive(path, key.trim(), context.environment);
      memo.set(parsed);
    },
    async remove() {
      memo.set(undefined);
      return removeKeyFile(path, "the key file");
    },
    async check() {
      return checkKeyFile(path, type, context.root);
    },
  };
}

/** Reads the key file; a missing `user` key says how keys reach a new machine. */
function readKey(path: string, options: FileBackedOptions): FernetKey {
  try {
    return readKeyFile(path, options.policy ?? "strict", options.context.onWarning);
  } catch (e) {
    if (!(e instanceof HushError) || e.code !== "KEY_MISSING" || options.type !== "user") throw e;
    throw new HushError("KEY_MISSING", e.message, {
      hint: "This machine has no copy of the key: bring it with `hush key export` (on a machine that has it) and `hush key import`; no other key opens the store.",
    });
  }
}

/** True when `path` is `root` or below it. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/**
 * Writes a new key file (src/crypto/key-file.ts: temp file, O_EXCL, 0600, fsync, link); refuses
 * with KEY_EXISTS when one is there, so two racing writers keep the first key.
 */
export function createKeyFileExclusive(path: string, key: string, environment: string): void {
  if (!writeKeyFileExclusive(path, `${key}\n`)) {
    throw new HushError("KEY_EXISTS", `A key for ${environment} is already stored at ${path}; hush never replaces a key unasked.`);
  }
}

// --- internal ---

function checkKeyFile(path: string, type: string, root: string): KeyProviderCheck {
  const problems: { message: string; fix: string }[] = [];
  const warnings: string[] = [];
  try {
    if (!checkPrivate(dirname(path), "dir", "warn", (m) => warnings.push(m)) || !checkPrivate(path, "file", "warn", (m) => warnings.push(m))) {
      return { ok: false, detail: `no key at ${path}`, problems: [{ message: `No key file at ${path}.`, fix: "Restore it from your backup, or import it with `hush key import`." }] };
    }
    readKeyFile(path, "warn");
  } catch (e) {
    const err = e instanceof HushError ? e : new HushError("READ_FAILED", `Cannot read ${path}.`, { cause: e });
    return { ok: false, detail: `${type}: ${err.code}`, problems: [{ message: err.message, fix: err.hint }] };
  }
  for (const w of warnings) problems.push({ message: w.replace(/ Fix: .*$/, ""), fix: /Fix: (.*)$/.exec(w)?.[1] ?? "chmod 600 the file, 700 its folder" });
  // Where the key is (inside the project folder or not) is location()'s; `hush doctor` warns about it.
  return { ok: problems.length === 0, detail: `${type}: ${path}${isInside(root, path) ? " (inside the project folder)" : ""}`, problems };
}
