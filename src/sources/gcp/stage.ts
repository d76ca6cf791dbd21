/**
 * The rotation stage of the `gcp` source (docs/rotation.md, docs/gcp.md) on the secret's version
 * aliases (`versionAliases`), changed only by `secrets.patch` (updateMask `version_aliases`)
 * carrying the etag just read (check-and-set: a stale etag is FAILED_PRECONDITION, ABORTED in
 * some transports; both are read back, never taken as success blindly):
 *
 * - `hush-current`: the version hush reads (./read.ts follows it, `latest` only when it is
 *   absent). `addSecretVersion` makes the new version `latest` at once, so the alias is pinned
 *   on the current version BEFORE a pending one is added: reads never see the pending value.
 * - `stage`: pin `hush-current` (if absent), add a version, then alias it `hush-pending` (a
 *   patch with the etag read before the add: a concurrent stage makes one of them lose,
 *   ROTATION_IN_PROGRESS; its unaliased version is read by no one).
 * - `promote`: a patch moves `hush-current` to the pending version and `hush-previous` to the old
 *   one (reads switch here), a second drops `hush-pending`. A promote cut between the two leaves
 *   a version both current and pending, as on aws: promoting it again finishes, and `--resume`
 *   finds the value it replaced under `hush-previous` (the one to revoke, never the new one).
 * - `discardPending`: one patch dropping `hush-pending`.
 */
import { HushError } from "../../errors.js";
import type { SecretRecord } from "../../types.js";
import { callGoogle } from "./call.js";
import { CURRENT_ALIAS, readSecret } from "./read.js";
import { type GcpSession, type GcpSettings, type SecretLocation } from "./session.js";
import { addVersionOf, writableLocation, writeSecret } from "./write.js";

/** The aliases hush keeps on a secret it rotates. */
export const CURRENT = CURRENT_ALIAS;
export const PENDING = "hush-pending";
export const PREVIOUS = "hush-previous";

/** A secret's aliases (number by name) and etag. */
export interface AliasState {
  aliases: Record<string, number>;
  etag: string | undefined;
  /** The newest version's number (`latest`), for a secret with no `hush-current` yet. */
  latest?: number;
}

/** Stages `value` as the pending version of `name`; see the module comment. */
export async function stageVersion(settings: GcpSettings, session: GcpSession, name: string, value: string): Promise<SecretRecord> {
  const loc = writableLocation(settings, session, name, "stage");
  let state = await aliasState(settings, session, loc);
  if (!state) throw noCurrent(settings, name);
  if (state.aliases[PENDING] !== undefined) throw inProgress(settings, name, `has a pending version ${state.aliases[PENDING]}: another rotation is under way or was interrupted`);
  if (state.aliases[CURRENT] === undefined) state = await pinCurrent(settings, session, loc, name, state);
  const added = await addVersionOf(settings, session, loc, name, value);
  if (added?.version === undefined) throw noCurrent(settings, name); // deleted in between
  const after = { ...state.aliases, [PENDING]: added.version! };
  await patchAliases(settings, session, loc, state, after, "alias the pending version of", () => inProgress(settings, name, "was staged by another rotation at the same time, which holds the pending alias now"));
  return { ...added, location: `${loc.secret}/versions/${added.version}` };
}

/**
 * `set`: a new version (./write.ts), and `hush-current` moved onto it when the secret has that
 * alias (else the new version, being `latest`, is what reads get already).
 */
export async function writeCurrent(settings: GcpSettings, session: GcpSession, name: string, value: string): Promise<SecretRecord> {
  const written = await writeSecret(settings, session, name, value);
  const loc = writableLocation(settings, session, name, "write");
  for (let round = 0; round < 5 && written.version !== undefined; round++) {
    const state = await aliasState(settings, session, loc);
    const current = state?.aliases[CURRENT];
    if (!state || current === undefined || current >= written.version) return written;
    const moved = await patchAliases(settings, session, loc, state, { ...state.aliases, [CURRENT]: written.version }, "make the new version current of").then(
      () => true,
      (e: unknown) => (e instanceof HushError && e.code === "CONCURRENT_MODIFICATION" ? false : Promise.reject(e)),
    );
    if (moved) return written;
  }
  throw new HushError("CONCURRENT_MODIFICATION", `${settings.source}: "${name}" was written as version ${written.version ?? "?"}, but its aliases kept changing and it is not current yet; write it again.`, { source: settings.source, secret: name });
}

/** The `hush-pending` version's record, or undefined when no version is pending (any failure throws). */
export async function readPending(settings: GcpSettings, session: GcpSession, name: string): Promise<SecretRecord | undefined> {
  const loc = writableLocation(settings, session, name, "read the pending version");
  const state = await aliasState(settings, session, loc);
  const version = state?.aliases[PENDING];
  if (version === undefined) return undefined;
  const record = await readSecret(settings, session, name, String(version));
  if (!record) throw new HushError("CONCURRENT_MODIFICATION", `${settings.source}: the pending version of "${name}" changed while it was read; read it again.`, { source: settings.source, secret: name });
  return record;
}

/** Makes pending version `version` current (the old one previous), then drops `hush-pending`; see the module comment. */
export async function promoteVersion(settings: GcpSettings, session: GcpSession, name: string, version: number): Promise<SecretRecord> {
  const loc = writableLocation(settings, session, name, "promote");
  let state = await aliasState(settings, session, loc);
  const { [PENDING]: pending, [CURRENT]: current } = state?.aliases ?? {};
  const alreadyDone = pending === undefined && current === version; // a retry after a lost reply
  if (!state || (!alreadyDone && pending !== version)) throw inProgress(settings, name, `has no pending version ${version}${pending !== undefined ? ` (version ${pending} is)` : " (none is pending)"}: another rotation finished or replaced it`);
  if (!alreadyDone) {
    if (current === undefined || current > version) throw overtaken(settings, name, version);
    if (current !== version) state = await patchAliases(settings, session, loc, state, { ...state.aliases, [CURRENT]: version, [PREVIOUS]: current }, "make the pending version current of", () => overtaken(settings, name, version));
    const { [PENDING]: _dropped, ...rest } = state.aliases;
    await patchAliases(settings, session, loc, state, rest, "remove the pending alias of");
  }
  const record = await readSecret(settings, session, name, String(version));
  if (!record) throw new HushError("VERSION_NOT_FOUND", `${settings.source}: version ${version} of "${name}" is not in Secret Manager after its promotion.`, { source: settings.source, secret: name });
  return record;
}

/** Drops `hush-pending` from version `version`; false when it is not the pending one. */
export async function discardPendingVersion(settings: GcpSettings, session: GcpSession, name: string, version: number): Promise<boolean> {
  const loc = writableLocation(settings, session, name, "discard the pending version");
  const state = await aliasState(settings, session, loc);
  if (!state || state.aliases[PENDING] !== version) return false;
  const { [PENDING]: _dropped, ...rest } = state.aliases;
  await patchAliases(settings, session, loc, state, rest, "discard the pending version of", () => inProgress(settings, name, "changed while its pending version was discarded"));
  return true;
}

/** The secret's aliases and etag; undefined when the secret does not exist. */
export async function aliasState(settings: GcpSettings, session: GcpSession, loc: SecretLocation): Promise<AliasState | undefined> {
  const r = await callGoogle(settings, { ...loc.where, operation: "read aliases" }, () => session.api.getSecret({ name: loc.secret }, session.callOptions), { expected: ["NOT_FOUND"] as const });
  if (!r.ok) return undefined;
  const aliases: Record<string, number> = {};
  for (const [alias, n] of Object.entries(r.value[0].versionAliases ?? {})) aliases[alias] = Number(typeof n === "object" ? n.toString() : n);
  return { aliases, etag: r.value[0].etag ?? undefined };
}

/**
 * Sets the secret's aliases to `next` with `state`'s etag. A stale etag (or a retry whose first
 * attempt was applied) is read back: the aliases equal to `next` is success, anything else is
 * `conflict()` (CONCURRENT_MODIFICATION by default). Returns the new state.
 */
export async function patchAliases(settings: GcpSettings, session: GcpSession, loc: SecretLocation, state: AliasState, next: Record<string, number>, operation: string, conflict?: () => HushError): Promise<AliasState> {
  const where = { ...loc.where, operation };
  const secret = { name: loc.secret, versionAliases: next, ...(state.etag ? { etag: state.etag } : {}) };
  const r = await callGoogle(settings, where, () => session.api.updateSecret({ secret, updateMask: { paths: ["version_aliases"] } }, session.callOptions), { expected: ["FAILED_PRECONDITION", "ABORTED"] as const });
  if (r.ok) return { aliases: next, etag: r.value[0].etag ?? undefined };
  const now = await aliasState(settings, session, loc);
  if (now && sameAliases(now.aliases, next)) return now;
  throw conflict?.() ?? new HushError("CONCURRENT_MODIFICATION", `${settings.source}: the aliases of ${loc.where.path} changed while hush updated them; retry.`, { source: settings.source, secret: loc.where.secret });
}

// --- internal ---

/**
 * Aliases `latest` as `hush-current`, then checks that `latest` has not moved meanwhile (a plain
 * write that saw no alias yet): if it has, the alias follows it, so no write is hidden.
 */
async function pinCurrent(settings: GcpSettings, session: GcpSession, loc: SecretLocation, name: string, state: AliasState): Promise<AliasState> {
  for (let round = 0; round < 5; round++) {
    const latest = await readSecret(settings, session, name, "latest");
    if (latest?.version === undefined) throw noCurrent(settings, name);
    if (state.aliases[CURRENT] === latest.version) return state;
    state = await patchAliases(settings, session, loc, state, { ...state.aliases, [CURRENT]: latest.version }, "pin the current version of");
  }
  throw new HushError("CONCURRENT_MODIFICATION", `${settings.source}: "${name}" kept changing while hush pinned its current version; retry.`, { source: settings.source, secret: name });
}

function sameAliases(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function noCurrent(settings: GcpSettings, name: string): HushError {
  return new HushError("NOT_FOUND", `"${name}" has no current value to rotate; set one first with \`hush set ${name}\`.`, { source: settings.source, secret: name });
}

function inProgress(settings: GcpSettings, name: string, what: string): HushError {
  return new HushError("ROTATION_IN_PROGRESS", `"${name}" ${what}.`, { source: settings.source, secret: name });
}

function overtaken(settings: GcpSettings, name: string, version: number): HushError {
  return new HushError("CONCURRENT_MODIFICATION", `"${name}" was written after version ${version} was staged; its rotation cannot finish on top of a newer value.`, { source: settings.source, secret: name });
}
