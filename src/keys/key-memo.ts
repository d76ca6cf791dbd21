/**
 * What every key provider that keeps its key in one file shares: the key loaded once per provider
 * (per process; a KMS is called once, a passphrase asked once), whether something is stored, and
 * removing the file. One copy here instead of one per provider.
 */
import { unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { HushError } from "../errors.js";
import type { FernetKey } from "../crypto/fernet.js";
import { fsyncDir } from "../crypto/key-file.js";
import { checkPrivate } from "../fs/permissions.js";

/** The loaded key: concurrent callers share one load, and a failure is not kept (the next call tries again). */
export interface KeyMemo {
  get(load: () => Promise<FernetKey> | FernetKey): Promise<FernetKey>;
  /** After a save (the new key) or a remove (undefined). */
  set(key: FernetKey | undefined): void;
}

export function keyMemo(): KeyMemo {
  let cached: FernetKey | undefined;
  let loading: Promise<FernetKey> | undefined;
  return {
    get(load) {
      if (cached) return Promise.resolve(cached);
      loading ??= (async () => load())().then(
        (key) => (cached = key),
        (e: unknown) => {
          loading = undefined;
          throw e;
        },
      );
      return loading;
    },
    set(key) {
      cached = key;
      loading = undefined;
    },
  };
}

/** `exists()` of a file-keeping provider: true when something is there, even something wrong (`load` says what). */
export function keyFileExists(path: string): boolean {
  try {
    return checkPrivate(path, "file", "warn");
  } catch (_e) {
    return true;
  }
}

/** `remove()` of a file-keeping provider: unlinks `path` (`what` names it in errors), false when none was there. */
export function removeKeyFile(path: string, what: string): boolean {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new HushError("WRITE_FAILED", `Cannot remove ${what} ${path}.`, { cause: e });
  }
  fsyncDir(dirname(path));
  return true;
}
