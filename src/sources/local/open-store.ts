/**
 * Opening the local store from disk: permission checks, stale temp sweep, one read, one
 * decrypt; the file identity used to notice changes; and the `check()` for `hush doctor`.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, statSync, type BigIntStats } from "node:fs";
import { basename } from "node:path";
import { HushError } from "../../errors.js";
import { checkPrivate, type PermissionPolicy } from "../../fs/permissions.js";
import type { FernetKey } from "../../crypto/fernet.js";
import type { SourceCheck } from "../../types.js";
import type { KeyProvider } from "../../keys/provider.js";
import { sweepStaleTemps } from "../../fs/atomic-write.js";
import { createDocument, liveNames, type StoreDocument } from "./document.js";
import { decodeStoreFile, MAX_STORE_BYTES } from "./store-file.js";

const SOURCE_NAME = "local";

/** Where the store lives and how to treat permissions. */
export interface StoreFiles {
  dir: string;
  storePath: string;
  /** The environment's key provider (`keys:` in hush.yaml, else the key file beside the store). */
  keyProvider(): KeyProvider;
  /** The key file, for the permission checks, when the key is a file (`file`, `user`). */
  keyPath: string | undefined;
  environment: string;
  policy: PermissionPolicy;
  onWarning: (message: string) => void;
}

/** What identifies one version of the store file on disk (a rename gives a new inode). */
export type FileIdentity = { ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint } | undefined;

/** An opened store. */
export interface Snapshot {
  doc: StoreDocument;
  identity: FileIdentity;
  /** The key, when it was needed (a store to decrypt, a write). */
  key: FernetKey | undefined;
}

/**
 * Opens the store from disk: permission checks (folder, key, store), stale temp sweep, one
 * read, one decrypt. A missing folder or store is an empty document; for a write, the key
 * must exist (the caller creates it first).
 */
export async function openStore(files: StoreFiles, purpose: "read" | "write"): Promise<Snapshot> {
  const { dir, storePath, keyPath, environment, policy, onWarning } = files;
  // No store to read means nothing to protect: a Python-made or read-only folder without a hush
  // store is not refused here. Writes still check the folder and key before creating anything.
  if (purpose === "read" && !storeFileExists(storePath)) return { doc: createDocument(environment), identity: undefined, key: undefined };
  if (!checkPrivate(dir, "dir", policy, onWarning)) return { doc: createDocument(environment), identity: undefined, key: undefined };
  const storeExists = checkPrivate(storePath, "file", policy, onWarning);
  sweepTemps(dir, basename(storePath), purpose, onWarning);
  if (!storeExists && purpose === "read") {
    if (keyPath) checkPrivate(keyPath, "file", policy, onWarning); // a lax key is reported even before the first write
    return { doc: createDocument(environment), identity: undefined, key: undefined };
  }
  // A key file is read after the checks of its folder and itself; a KMS unwraps once per process.
  const key = await files.keyProvider().load();
  if (!storeExists) return { doc: createDocument(environment), identity: undefined, key };
  let fd: number;
  try {
    fd = openSync(storePath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { doc: createDocument(environment), identity: undefined, key };
    throw new HushError("READ_FAILED", `Cannot open the store ${storePath}.`, { cause: e, source: SOURCE_NAME });
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    if (!st.isFile()) throw new HushError("READ_FAILED", `The store ${storePath} is not a regular file (a FIFO or device?); hush does not read it.`, { source: SOURCE_NAME });
    if (st.size > BigInt(MAX_STORE_BYTES)) {
      throw new HushError("LIMIT_EXCEEDED", `The store ${storePath} is ${st.size} bytes, past the limit of ${MAX_STORE_BYTES}.`, { source: SOURCE_NAME });
    }
    const bytes = readAll(fd, Number(st.size), storePath);
    return { doc: decodeStoreFile(bytes, key!, storePath, environment), identity: identityOf(st), key };
  } finally {
    closeSync(fd);
  }
}

function readAll(fd: number, size: number, path: string): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  let offset = 0;
  try {
    while (offset < size) {
      const n = readSync(fd, bytes, offset, size - offset, offset);
      if (n === 0) break;
      offset += n;
    }
  } catch (e) {
    throw new HushError("READ_FAILED", `Cannot read the store ${path}.`, { cause: e, source: SOURCE_NAME });
  }
  return offset === size ? bytes : bytes.subarray(0, offset);
}

function sweepTemps(dir: string, base: string, purpose: "read" | "write", onWarning: (m: string) => void): void {
  try {
    sweepStaleTemps(dir, base);
  } catch (e) {
    if (purpose === "write") throw e;
    // A read must not fail because a leftover could not be removed (read-only folder, say).
    onWarning(`Could not remove stale temp files in ${dir} (${(e as HushError).causeCode ?? "error"}).`);
  }
}

/** Identity of the file at `path` now, undefined when absent. */
export function statIdentity(path: string): FileIdentity {
  const st = statSync(path, { bigint: true, throwIfNoEntry: false });
  return st && identityOf(st);
}

function identityOf(st: BigIntStats): FileIdentity {
  return { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
}

/** True when both name the same file content (or both are absent). */
export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}


/** The live check for `hush doctor`: permissions (as `strict`), then an open. */
export async function checkStore(files: StoreFiles): Promise<SourceCheck> {
  const problems: { message: string; fix: string }[] = [];
  const paths = [[files.dir, "dir"], ...(files.keyPath ? [[files.keyPath, "file"] as const] : []), [files.storePath, "file"]] as const;
  for (const [path, kind] of paths) {
    try {
      checkPrivate(path, kind, "strict");
    } catch (e) {
      if (!(e instanceof HushError)) throw e;
      problems.push({ message: e.message, fix: e.hint.replace(/^Run: /, "") });
    }
  }
  if (problems.length > 0) return { ok: false, detail: `${files.storePath}: permissions let others in`, problems };
  if (!lstatSync(files.storePath, { throwIfNoEntry: false })) return { ok: true, detail: `${files.storePath}: no store yet` };
  try {
    const { doc } = await openStore({ ...files, policy: "strict" }, "read");
    return { ok: true, detail: `${files.storePath}: opens, ${liveNames(doc, files.storePath).length} secrets` };
  } catch (e) {
    if (!(e instanceof HushError)) throw e;
    return { ok: false, detail: `${files.storePath}: ${e.code}`, problems: [{ message: e.message, fix: e.hint }] };
  }
}

function storeFileExists(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch (e) {
    throw new HushError("READ_FAILED", `Cannot inspect the store ${path}.`, { cause: e, source: SOURCE_NAME });
  }
}
