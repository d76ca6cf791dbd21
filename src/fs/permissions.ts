/**
 * Permission checks made before a secrets file or folder is read, as ssh's StrictModes: owned
 * by the effective user (or root), nothing open to group or others, no symbolic link, and of
 * the kind expected (a FIFO or device as a key or store would hang hush or read without bound).
 * A failure says the `chmod` or `chown` that fixes it.
 */
import { lstatSync } from "node:fs";
import { HushError } from "../errors.js";
import { isTrustedOwner } from "./read-trusted-file.js";

/** What to do about permissions that let others in. */
export type PermissionPolicy = "strict" | "warn";

/**
 * Checks that a secrets file (or folder) is a regular file (a folder), owned by the effective
 * user or root, and not open to group or others. A wrong kind is READ_FAILED and a wrong owner
 * INSECURE_PERMISSIONS (with the chown), whatever the policy; for modes `strict` throws
 * INSECURE_PERMISSIONS with the chmod that fixes it and `warn` calls `onWarning`.
 * Returns false when the path does not exist.
 */
export function checkPrivate(path: string, kind: "file" | "dir", policy: PermissionPolicy = "strict", onWarning?: (message: string) => void): boolean {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new HushError("READ_FAILED", `Cannot inspect ${path}.`, { cause: e });
  }
  if (st.isSymbolicLink()) {
    throw new HushError("INSECURE_PERMISSIONS", `${path} is a symbolic link; hush does not follow links for secrets files.`, { hint: `Replace the link with the ${kind} itself.` });
  }
  if (kind === "file" ? !st.isFile() : !st.isDirectory()) {
    throw new HushError("READ_FAILED", `${path} is not a regular ${kind === "dir" ? "folder" : "file"} (a FIFO, device or socket?); hush does not read it.`, { hint: `Replace it with the ${kind === "dir" ? "folder" : "file"} itself.` });
  }
  if (!isTrustedOwner(st.uid)) {
    const self = process.geteuid?.();
    throw new HushError("INSECURE_PERMISSIONS", `${path} is owned by uid ${st.uid}, not by you (uid ${self}); hush does not use secrets another user controls.`, {
      hint: `If it is yours, run: chown ${kind === "dir" ? "-R " : ""}${self} ${shellQuote(path)}`,
    });
  }
  const mode = st.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    const want = kind === "dir" ? "700" : "600";
    const message = `${path} is ${mode.toString(8).padStart(4, "0")}: group or others can access it.`;
    const fix = `chmod ${want} ${shellQuote(path)}`;
    if (policy === "strict") throw new HushError("INSECURE_PERMISSIONS", message, { hint: `Run: ${fix}` });
    onWarning?.(`${message} Fix: ${fix}`);
  }
  return true;
}

/** Quotes a path for a shell command shown in a hint. */
export function shellQuote(path: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
