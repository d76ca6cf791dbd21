/**
 * hush's per-user cache folder: `${XDG_CACHE_HOME:-$HOME/.cache}/hush/<name>`, created 0700
 * and used only when it is a real folder owned by this user and closed to others. Caches hold
 * nothing secret (compiled code, parsed hush.yaml) but decide what hush runs, so never a
 * shared place such as /tmp, where another user could create them first.
 */
import { lstatSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/** The folder, or undefined (no cache) without a home, on a read-only home, or when it is not private. */
export function userCacheDir(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, ".cache") : undefined);
  if (!base || !base.startsWith("/")) return undefined;
  const dir = join(base, "hush", name);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    const uid = process.getuid?.();
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) return undefined;
    return dir;
  } catch (_e) {
    // A read-only home, a file in the way: run without the cache, which only saves time.
    return undefined;
  }
}
