/**
 * The store file a key rotation re-encrypts, as both rotations (rotate-local.ts: the local key;
 * rotate-team.ts: a team's key) read it when they write it and when they settle an interrupted one.
 */
import { readFileSync } from "node:fs";
import { HushError } from "../errors.js";
import type { FernetKey } from "../crypto/fernet.js";
import { decodeStoreFile } from "../sources/local/store-file.js";

/** Whether `key` opens the store's bytes (any failure to decode is "no"). */
export function opens(bytes: Buffer, key: FernetKey, path: string, environment: string): boolean {
  try {
    decodeStoreFile(bytes, key, path, environment);
    return true;
  } catch (_e) {
    return false;
  }
}

/** The store's bytes, or undefined when there is no store; any other failure is READ_FAILED, never "no store". */
export function readStore(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new HushError("READ_FAILED", `Cannot read the store ${path}.`, { cause: e });
  }
}
