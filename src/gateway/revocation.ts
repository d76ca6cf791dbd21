/**
 * The kill switch across processes: `hush gateway revoke ROUTE` writes the route's name into
 * `<secretsDir>/gateway-revoked.json` (0600, atomic), and every running gateway of the project
 * checks that file on every request with one `stat` (re-reading it only when its inode, size or
 * time changed). A file that exists but cannot be read or parsed refuses every request: a kill
 * switch that cannot be read must not read as "nothing revoked".
 */
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { HushError } from "../errors.js";
import { writeFileAtomic } from "../fs/atomic-write.js";

/** The revocation file of a secrets folder. */
export function revocationPath(secretsDir: string): string {
  return join(secretsDir, "gateway-revoked.json");
}

/** What a gateway asks per request. */
export interface RevocationState {
  /** True when `route` is revoked; throws READ_FAILED when the file cannot be read (the caller refuses). */
  isRevoked(route: string): boolean;
}

/** Watches the revocation file at `path` (cheap: one stat per call). */
export function watchRevocations(path: string): RevocationState {
  let stamp: FileStamp | undefined;
  let revoked = new Set<string>();
  return {
    isRevoked(route) {
      let st;
      try {
        st = statSync(path, { bigint: true, throwIfNoEntry: false }); // no file: undefined, not a thrown ENOENT (~30 µs a request)
      } catch (e) {
        throw unreadable(path, e);
      }
      if (st === undefined) {
        stamp = undefined;
        revoked = new Set();
        return false;
      }
      // Compared field by field (no string built per request).
      if (stamp === undefined || st.ino !== stamp.ino || st.size !== stamp.size || st.mtimeNs !== stamp.mtimeNs || st.ctimeNs !== stamp.ctimeNs) {
        revoked = readRevoked(path);
        stamp = { ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
      }
      return revoked.has(route);
    },
  };
}

/** Reads the revoked route names (empty when there is no file). */
export function readRevoked(path: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return new Set();
    throw unreadable(path, e);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (_e) {
    throw unreadable(path, undefined); // never JSON.parse's message: it quotes the input
  }
  const routes = (parsed as { revoked?: unknown } | null)?.revoked;
  if (!Array.isArray(routes) || !routes.every((r) => typeof r === "string")) throw unreadable(path, undefined);
  return new Set(routes);
}

/** Adds (`revoke`) or removes a route in the file; returns the revoked names after the change. */
export async function changeRevocation(secretsDir: string, route: string, revoke: boolean): Promise<string[]> {
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  const path = revocationPath(secretsDir);
  const revoked = readRevoked(path);
  if (revoke) revoked.add(route);
  else revoked.delete(route);
  const names = [...revoked].sort();
  await writeFileAtomic(path, `${JSON.stringify({ revoked: names }, null, 2)}\n`, { mode: 0o600 });
  return names;
}

// --- internal ---

/** What tells one version of the file from another: inode, size and times (ns). */
interface FileStamp {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

function unreadable(path: string, cause: unknown): HushError {
  return new HushError("READ_FAILED", `The gateway's revocation file ${path} cannot be read; every request is refused until it is fixed.`, {
    cause,
    hint: "Fix or remove the file (`hush gateway unrevoke ROUTE` rewrites it).",
  });
}
