/**
 * Where Node's compile cache (Node >= 22.1) may live for hush: a folder of this user's only.
 * Node's default, os.tmpdir()/node-compile-cache, is shared on a multi-user machine: another
 * user could create it first and plant compiled code that hush would then load.
 */
import { userCacheDir } from "../index.js";

/**
 * `$NODE_COMPILE_CACHE` when the user set it (their choice), else hush's private
 * `node-compile-cache` folder; undefined (no cache) with `HUSH_NO_CACHE=1`.
 */
export function privateCompileCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.HUSH_NO_CACHE === "1") return undefined;
  if (env.NODE_COMPILE_CACHE) return env.NODE_COMPILE_CACHE;
  return userCacheDir(env, "node-compile-cache");
}
