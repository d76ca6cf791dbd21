/**
 * `hush member add|list|remove` as library calls: the project's `.hush/members.<env>.json`
 * changed with the environment's key, which comes from `loadEnvironmentKey` (whatever provider
 * hush.yaml names). `hush member keygen` is {@link generateMemberIdentity}.
 */
import { HushError } from "../errors.js";
import { chooseKeyProvider, loadEnvironmentKey } from "../keys/environment-key.js";
import { rekeyEnvironment } from "./rekey.js";
import { addMemberEntry, listMemberEntries, removeMemberEntry, type MemberList } from "../keys/members.js";
import type { ProjectOptions } from "./project.js";
import { resolveKeyScope, type KeyScope } from "./key-scope.js";

/** Options of {@link addProjectMember}. */
export interface AddProjectMemberOptions extends ProjectOptions {
  /** The member's name in the file. */
  name: string;
  /** `hush-x25519:...`, as `hush member keygen` printed it on their machine. */
  publicKey: string;
}

/** What {@link addProjectMember} and {@link removeProjectMember} did. */
export interface MemberChange {
  environment: string;
  /** The members file (commit it). */
  path: string;
  name: string;
  /** The provider hush.yaml names for the environment (members open the key with `team`). */
  provider: string;
}

/**
 * Adds a member: wraps the environment's key to their public key in `.hush/members.<env>.json`.
 *
 * @example
 * await addProjectMember({ environment: "prod", name: "bob", publicKey: "hush-x25519:..." });
 */
export async function addProjectMember(options: AddProjectMemberOptions): Promise<MemberChange> {
  const scope = await resolveKeyScope(options);
  const key = await loadEnvironmentKey(scope);
  const path = await addMemberEntry({ root: scope.root, environment: scope.environment, name: options.name, publicKey: options.publicKey, key });
  return { environment: scope.environment, path, name: options.name, provider: providerOf(scope) };
}

/** Lists the members of the environment (names and public keys; no key is needed or loaded). */
export async function listProjectMembers(options: ProjectOptions): Promise<MemberList> {
  const scope = await resolveKeyScope(options);
  return listMemberEntries({ root: scope.root, environment: scope.environment });
}

/** Options of {@link removeProjectMember}. */
export interface RemoveProjectMemberOptions extends ProjectOptions {
  name: string;
}

/** What {@link removeProjectMember} did. */
export interface MemberRemoval extends MemberChange {
  remaining: number;
  /**
   * True when the environment was re-keyed after the removal. False means the removed member
   * still holds a key that opens the store: run `hush key rotate --env <env>` now.
   */
  rekeyed: boolean;
  /** Why it was not re-keyed, when it was not. */
  notRekeyedReason?: string;
}

/**
 * Removes a member from the file (its MAC checked under the environment's key first), then
 * re-keys the environment: the removed person kept the key they could open.
 *
 * Re-keying: src/workflows/rekey.ts (the `team` provider's own journal, else `hush key rotate`'s
 * function and a re-wrap of the members file). When it fails the member stays removed and the
 * result says `rekeyed: false` with the reason; `hush member remove` then exits non-zero.
 */
export async function removeProjectMember(options: RemoveProjectMemberOptions): Promise<MemberRemoval> {
  const scope = await resolveKeyScope(options);
  const key = await loadEnvironmentKey(scope);
  const { path, remaining } = await removeMemberEntry({ root: scope.root, environment: scope.environment, name: options.name, key });
  const provider = providerOf(scope);
  const change = { environment: scope.environment, path, name: options.name, provider, remaining };
  try {
    await rekeyEnvironment(scope, options);
  } catch (e) {
    const err = e instanceof HushError ? e : new HushError("WRITE_FAILED", "The re-key failed.", { cause: e });
    // Never a silent half-done removal: the removed person can still open the store.
    return { ...change, rekeyed: false, notRekeyedReason: `${err.code}: ${err.message}` };
  }
  return { ...change, rekeyed: true };
}

// --- internal ---

function providerOf(scope: KeyScope): string {
  return chooseKeyProvider(scope).provider;
}
