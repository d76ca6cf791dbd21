/**
 * Re-keying an environment after a member left, whatever provider keeps its key:
 * - `team`: src/keys/rotate-team.ts (the members file takes the key file's place in the journal);
 * - `file`, `user`: `hush key rotate`'s {@link rotateKey} (src/keys/rotate-local.ts), which then
 *   re-wraps the members file, when there is one, to the new key for the members still listed;
 * - any other provider: `rotateKey`'s own refusal (INVALID_ARGUMENT naming the provider).
 *
 * Limit, for `file`/`user` with a members file: the key rotation and the members file's re-wrap
 * are two steps. A crash between them leaves the members file wrapping the old key (members then
 * get WRONG_KEY, never a wrong value); add them again with `hush member add`.
 */
import { lstatSync } from "node:fs";
import { chooseKeyProvider, forgetEnvironmentKeys } from "../keys/environment-key.js";
import { membersFilePath } from "../keys/members-file.js";
import { rotateTeamKey } from "../keys/rotate-team.js";
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
    // rotateKey re-wraps the members file to the new key when there is one.
    const r = await rotateKey({ ...options, environment: scope.environment });
    return { provider, reencrypted: r.reencrypted, membersRewrapped: lstatSync(membersFilePath(scope.root, scope.environment), { throwIfNoEntry: false }) !== undefined };
  } finally {
    forgetEnvironmentKeys(); // the process's providers cached the old key
  }
}
