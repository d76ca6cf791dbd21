/**
 * Re-keying an environment after a member left, whatever provider keeps its key:
 * - `team`: src/keys/rotate-team.ts (the members file takes the key file's place in the journal);
 * - `file`, `user`: `hush key rotate`'s {@link rotateKey} (src/keys/rotate-local.ts), then the
 *   members file, when there is one, re-wrapped to the new key for the members still listed;
 * - any other provider: `rotateKey`'s own refusal (INVALID_ARGUMENT naming the provider).
 *
 * Limit, for `file`/`user` with a members file: the key rotation and the members file's re-wrap
 * are two steps. A crash between them leaves the members file wrapping the old key (members then
 * get WRONG_KEY, never a wrong value); add them again with `hush member add`.
 */
import { chooseKeyProvider, forgetEnvironmentKeys, loadEnvironmentKey } from "../keys/environment-key.js";
import { rotateTeamKey } from "../keys/rotate-team.js";
import { rewrapMemberEntries } from "../keys/members.js";
import type { TeamKeyProviderOptions } from "../keys/team.js";
import { rotateKey } from "./key-custody.js";
import type { KeyScope } from "./key-scope.js";
import type { ProjectOptions } from "./project.js";

/** What {@link rekeyEnvironment} did. */
export interface RekeyResult {
  provider: string;
  /** False when there was no store yet (only the key was replaced). */
  reencrypted: boolean;
  /** True when `.hush/members.<env>.json` now wraps the new key. */
  membersRewrapped: boolean;
}

/** Re-keys the environment of `scope` (resolved from `options`). */
export async function rekeyEnvironment(scope: KeyScope, options: ProjectOptions): Promise<RekeyResult> {
  const provider = chooseKeyProvider(scope).provider;
  try {
    if (provider === "team") {
      const r = await rotateTeamKey({ context: scope, options: scope.keys?.[scope.environment]?.options as TeamKeyProviderOptions | undefined });
      return { provider, reencrypted: r.reencrypted, membersRewrapped: true };
    }
    const currentKey = await loadEnvironmentKey(scope);
    const r = await rotateKey({ ...options, environment: scope.environment });
    forgetEnvironmentKeys();
    const newKey = await loadEnvironmentKey(scope);
    const membersRewrapped = await rewrapMemberEntries({ root: scope.root, environment: scope.environment, currentKey, newKey });
    return { provider, reencrypted: r.reencrypted, membersRewrapped };
  } finally {
    forgetEnvironmentKeys(); // the process's providers cached the old key
  }
}
