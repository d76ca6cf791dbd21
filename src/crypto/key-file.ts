/**
 * Key files and the secrets folder: where they live, how they are created (0600 / 0700 from
 * the first instant, whatever the umask) and how a key is read (after the permission checks of
 * src/fs/permissions.ts). Environment names are checked by src/environment.ts.
 *
 * Layout: `.secrets/.encryption.key` is the key of the default environment (`dev`), as in the
 * Python reference design; `.secrets/<env>.key` is the key of any other environment.
 */
import { closeSync, constants, fsyncSync, linkSync, mkdirSync, openSync, unlinkSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { HushError } from "../errors.js";
import { generateFernetKey, parseFernetKey, type FernetKey } from "./fernet.js";
import { assertValidEnvironment, DEFAULT_ENVIRONMENT } from "../environment.js";
import { checkPrivate, type PermissionPolicy } from "../fs/permissions.js";
import { readTrustedFile } from "../fs/read-trusted-file.js";
import { sweepStaleTemps } from "../fs/atomic-write.js";


/** Largest key file read (a key is 44 bytes; leave room for whitespace and comments of nothing). */
const MAX_KEY_FILE_BYTES = 1024;

/** Path of the key file of `environment` inside `secretsDir`. */
export function keyFilePath(secretsDir: string, environment: string): string {
  assertValidEnvironment(environment);
  return join(secretsDir, environment === DEFAULT_ENVIRONMENT ? ".encryption.key" : `${environment}.key`);
}

/**
 * Reads and parses a key file after checking its folder and its own permissions.
 * Throws KEY_MISSING, INSECURE_PERMISSIONS or MALFORMED_KEY; never prints the key.
 */
export function readKeyFile(path: string, policy: PermissionPolicy = "strict", onWarning?: (message: string) => void): FernetKey {
  checkPrivate(dirname(path), "dir", policy, onWarning);
  if (!checkPrivate(path, "file", policy, onWarning)) {
    throw new HushError("KEY_MISSING", `No key file at ${path}.`);
  }
  // O_NONBLOCK open, then a regular-file and size check on the open file: a FIFO or device put
  // there after the check above cannot hang hush or make it read without bound.
  let text: Buffer | undefined;
  try {
    text = readTrustedFile(path, { maxBytes: MAX_KEY_FILE_BYTES, what: "the key file" });
  } catch (e) {
    if (e instanceof HushError && e.code === "LIMIT_EXCEEDED") throw new HushError("MALFORMED_KEY", `Malformed key file ${path}: more than ${MAX_KEY_FILE_BYTES} bytes is too long for a key.`);
    throw e;
  }
  if (text === undefined) throw new HushError("KEY_MISSING", `No key file at ${path}.`);
  try {
    return parseFernetKey(text);
  } catch (e) {
    if (e instanceof HushError) throw new HushError("MALFORMED_KEY", `Malformed key file ${path}: ${e.message.replace(/^Malformed key file: /, "")}`);
    throw e;
  }
}

/**
 * Creates the secrets folder with mode 0700 (the mode is given to mkdir, so it is never wider,
 * even under `umask 000`). An existing folder is checked, not changed.
 */
export function ensureSecretsDir(secretsDir: string): void {
  try {
    mkdirSync(dirname(secretsDir), { recursive: true });
    mkdirSync(secretsDir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw new HushError("WRITE_FAILED", `Cannot create ${secretsDir}.`, { cause: e });
  }
  checkPrivate(secretsDir, "dir", "strict");
}

/**
 * Creates a new key file for `environment` unless one exists; never overwrites a key.
 * The key is written to a temp file opened O_EXCL with mode 0600, synced, then hard-linked into
 * place (link fails if the name exists, so two racing `init`s keep the first key). On any
 * failure (a full or read-only disk) the temp file is removed and WRITE_FAILED names the errno;
 * temp files of dead writers (SIGKILL) are swept first.
 * Returns true when a key was created.
 */
export function createKeyFile(secretsDir: string, environment: string): boolean {
  ensureSecretsDir(secretsDir);
  const path = keyFilePath(secretsDir, environment);
  if (checkPrivate(path, "file", "strict")) return false;
  return writeKeyFileExclusive(path, generateFernetKey());
}

/**
 * Writes `text` as a new key file at `path` unless that name exists (false then); the one way
 * every key file is created. The text goes to a temp file opened O_EXCL with mode 0600, synced,
 * then hard-linked into place: link(2) fails when the name exists, so two racing writers keep the
 * first key and no reader sees a partial one. Temp files of dead writers are swept first; on any
 * other failure the temp file is removed and WRITE_FAILED names the step and the errno.
 */
export function writeKeyFileExclusive(path: string, text: string): boolean {
  const dir = dirname(path);
  sweepStaleTemps(dir, "key");
  const temp = join(dir, `.key.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
  let step = "create a temp file";
  try {
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      step = "write";
      writeSync(fd, text);
      step = "fsync";
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    step = "link";
    linkSync(temp, path);
    step = "fsync the folder";
    fsyncDir(dir);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST" && step === "link") return false;
    throw new HushError("WRITE_FAILED", `Cannot create the key file ${path}: ${step} failed. No key was created.`, { cause: e });
  } finally {
    removeQuietly(temp);
  }
}

/** fsync a directory so a rename or link in it survives a crash. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// --- internal ---

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (_e) {
    // ENOENT: never created. Anything else: the next createKeyFile sweeps it once this pid is gone.
  }
}
