/**
 * Where Node's compile cache (Node >= 22.1) may live for hush: a folder of this user's only.
 * Node's default, os.tmpdir()/node-compile-cache, is shared on a multi-user machine: another
 * user could create it first and plant compiled code that hush would then load.
 */
import { lstatSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/**
 * `$NODE_COMPILE_CACHE` when the user set it (their choice), else
 * `${XDG_CACHE_HOME:-$HOME/.cache}/hush/node-compile-cache`, created 0700. Undefined (no cache)
 * when there is no home, or the folder is not a real folder owned by this user and closed to others.
 */
export function privateCompileCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.NODE_COMPILE_CACHE) return env.NODE_COMPILE_CACHE;
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, ".cache") : undefined);
  if (!base || !base.startsWith("/")) return undefined;
  const dir = join(base, "hush", "node-compile-cache");
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    const uid = process.getuid?.();
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) return undefined;
    return dir;
  } catch (_e) {
    // A read-only home, a file in the way: run without the cache, which only saves start-up time.
    return undefined;
  }
}
