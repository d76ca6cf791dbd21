/**
 * Re-keying an environment after a member left: `hush key rotate`'s {@link rotateKey}, which
 * covers `team` (src/keys/rotate-team.ts: the members file is the journal) and `file`/`user`
 * (src/keys/rotate-local.ts, then the members file re-wrapped to the new key), and refuses any
 * other provider (INVALID_ARGUMENT naming it).
 *
 * Limit, for `file`/`user` with a members file: the key rotation and the members file's re-wrap
 * are two steps. A crash between them leaves the members file wrapping the old key (members then
 * get WRONG_KEY, never a wrong value); add them again with `hush member add`.
 */
import { forgetEnvironmentKeys } from "../keys/environment-key.js";
import { rotateKey } from "./key-custody.js";
import type { KeyScope } from "./key-scope.js";
import type { ProjectOptions } from "./project.js";

/** What {@link rekeyEnvironment} did. */
export interface RekeyResult {
  provider: string;
  /** False when there was no store yet (only the key was replaced). */
  reencrypted: boolean;
}

/** Re-keys the environment of `scope` (resolved from `options`). */
export async function rekeyEnvironment(scope: KeyScope, options: ProjectOptions): Promise<RekeyResult> {
  try {
    const r = await rotateKey({ ...options, environment: scope.environment });
    return { provider: r.provider, reencrypted: r.reencrypted };
  } finally {
    forgetEnvironmentKeys(); // the process's providers cached the old key
  }
}
