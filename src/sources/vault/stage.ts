/**
 * The rotation stage of the `vault` source (docs/rotation.md, docs/vault.md "Rotation"), on KV v2
 * versions with check-and-set and hush's marks in `custom_metadata` (./marks.ts):
 *
 * - `stage`: refuses when a version is pending (ROTATION_IN_PROGRESS) or nothing is current
 *   (NOT_FOUND); writes the marks first (`hush-current` = latest L, `hush-pending` = L+1, a fresh
 *   `hush-stage` id), reads them back (another stage that wrote its marks since: ROTATION_IN_PROGRESS,
 *   nothing written), then writes the new version with `cas` = L. Marks before data: no read ever
 *   sees version L+1 unmarked. A check-and-set failure means someone wrote L+1 in between: the
 *   stage drops its own mark (that write is served) and refuses (CONCURRENT_MODIFICATION). A stage
 *   cut between its two writes leaves a mark above the latest version, which is no pending version
 *   (./marks.ts livePending); hush set drops it when it writes that version (./write.ts).
 * - `getPending`: the marked version, read; none when unmarked; any failure throws.
 * - `promote`: one metadata write moves the marks (`hush-current` = the pending version,
 *   `hush-previous` = the old current, no `hush-pending`): a cut promote is either not done (promote
 *   again) or done (a retry finds it done and answers the same). Vault has no check-and-set on
 *   metadata: the marks and the latest version are read again after the write, and a write that
 *   landed in between is CONCURRENT_MODIFICATION (the newer version is served; see docs/vault.md).
 * - `discardPending`: a pending version that is the latest is covered by a copy of the current
 *   version's data (cas = the pending version), then the marks drop it.
 */
import { randomUUID } from "node:crypto";
import { HushError } from "../../errors.js";
import type { SecretRecord } from "../../types.js";
import { readKv, readMetadata, writeCustomMetadata, writeKv, type KvMetadata, type KvVersionData } from "./kv.js";
import { dropMarkOnWritten, livePending, marksOf, readServed, servedVersion, withMarks } from "./marks.js";
import type { Located, VaultKvOptions } from "./source.js";

/** Turns a version's data into the name's record (undefined when its field is not there). */
export type ToRecord = (l: Located, kv: KvVersionData | undefined) => SecretRecord | undefined;

/** Stages `value` as the pending version of `l`; see the module comment. */
export async function stageVersion(o: VaultKvOptions, l: Located, value: string, toRecord: ToRecord): Promise<SecretRecord> {
  const where = { ...l.where, operation: "stage" };
  const meta = await metadataOf(o, l);
  const marks = marksOf(meta?.customMetadata);
  const pending = meta && livePending(meta.currentVersion, marks);
  if (pending !== undefined) throw inProgress(o, l, `has a pending version ${pending}: another rotation is under way or was interrupted`);
  const current = meta && (await readServed(o.client, o.mount, l.loc.key, where));
  if (!current || !toRecord(l, current.kv)) throw new HushError("NOT_FOUND", `"${l.name}" has no current value to rotate; set one first with \`hush set ${l.name}\`.`, { source: o.name, secret: l.name });
  if (current.latest !== meta!.currentVersion) throw overtaken(o, l, "was written while it was staged; nothing was staged");
  const base = current.latest;
  const stageId = randomUUID();
  await writeCustomMetadata(o.client, o.mount, l.loc.key, withMarks(meta!.customMetadata, { current: base, pending: base + 1, ...(marks.previous !== undefined ? { previous: marks.previous } : {}), stageId }), where);
  // The stage id is an ownership token in plain metadata (who won a race), not a MAC or a secret: `!==` leaks nothing.
  if (marksOf((await metadataOf(o, l))?.customMetadata).stageId !== stageId) throw inProgress(o, l, "is being staged by another rotation at the same time; nothing was staged");
  const property = l.loc.property ?? o.field;
  let written;
  try {
    written = await writeKv(o.client, o.mount, l.loc.key, { ...current.kv.data, [property]: value }, base, where);
  } catch (e) {
    if (e instanceof HushError && e.code === "CONCURRENT_MODIFICATION") {
      // Version base+1 is another writer's: our mark on it would hide that write behind the old value.
      const dropped = await dropMarkOnWritten(o.client, o.mount, l.loc.key, base + 1, where, stageId).then(
        () => undefined,
        (d: unknown) => (d instanceof HushError ? d.code : "an error"),
      );
      if (dropped !== undefined) throw overtaken(o, l, `had version ${base + 1} written by another writer while it was staged, and this stage's hush-pending mark on it could not be dropped (${dropped}): hush serves the old value until \`hush set ${l.name}\` writes it again`);
      throw overtaken(o, l, `had version ${base + 1} written by another writer while it was staged; that write is served and nothing was staged`);
    }
    throw e;
  }
  return { name: l.name, value, source: o.name, version: written.version, ...(written.createdTime ? { updatedAt: written.createdTime } : {}), location: `${o.mount}/data/${l.loc.key}#${property}` };
}

/** The pending version's record, or undefined when none is marked; any failure throws. */
export async function readPending(o: VaultKvOptions, l: Located, toRecord: ToRecord): Promise<SecretRecord | undefined> {
  const meta = await metadataOf(o, l);
  const pending = meta && livePending(meta.currentVersion, marksOf(meta.customMetadata));
  if (pending === undefined) return undefined;
  const record = toRecord(l, await readKv(o.client, o.mount, l.loc.key, pending, { ...l.where, operation: "read the pending version" }));
  if (!record) throw new HushError("VERSION_NOT_FOUND", `${o.name}: pending version ${pending} of ${l.name} is marked but its value is not there (${o.mount}/data/${l.loc.key}).`, { source: o.name, secret: l.name });
  return record;
}

/** Makes pending version `version` current; see the module comment. */
export async function promoteVersion(o: VaultKvOptions, l: Located, version: number, toRecord: ToRecord): Promise<SecretRecord> {
  const where = { ...l.where, operation: "promote" };
  const meta = await metadataOf(o, l);
  const marks = marksOf(meta?.customMetadata);
  const latest = meta?.currentVersion ?? 0;
  const alreadyDone = marks.pending === undefined && marks.current === version; // a retry after a lost reply
  if (!alreadyDone) {
    const pending = livePending(latest, marks);
    if (pending !== version) throw inProgress(o, l, `has no pending version ${version}${pending !== undefined ? ` (version ${pending} is)` : " (none is pending)"}: another rotation finished or replaced it`);
    if (latest > version) throw overtaken(o, l, `was written after version ${version} was staged; its rotation cannot finish on top of a newer value`);
    await writeCustomMetadata(o.client, o.mount, l.loc.key, withMarks(meta!.customMetadata, { current: version, ...(marks.current !== undefined ? { previous: marks.current } : {}) }), where);
  }
  const after = await metadataOf(o, l);
  const now = marksOf(after?.customMetadata);
  if (!after || now.current !== version || now.pending !== undefined || servedVersion(after.currentVersion, now) !== version) {
    throw overtaken(o, l, `was written or rotated by another writer while version ${version} was promoted; the newest version is served`);
  }
  const record = toRecord(l, await readKv(o.client, o.mount, l.loc.key, version, where));
  if (!record) throw new HushError("VERSION_NOT_FOUND", `${o.name}: version ${version} of ${l.name} is not there after its promotion.`, { source: o.name, secret: l.name });
  return record;
}

/** Drops pending version `version` (the current value stays served); false when it is not the pending one. */
export async function discardPending(o: VaultKvOptions, l: Located, version: number): Promise<boolean> {
  const where = { ...l.where, operation: "discard the pending version" };
  const meta = await metadataOf(o, l);
  const marks = marksOf(meta?.customMetadata);
  if (!meta || marks.current === undefined || livePending(meta.currentVersion, marks) !== version) return false;
  let current = marks.current;
  if (meta.currentVersion === version) {
    // The pending version is the latest: cover it with the current data, so plain Vault reads serve the current value too.
    const old = await readKv(o.client, o.mount, l.loc.key, marks.current, where);
    if (!old) throw new HushError("VERSION_NOT_FOUND", `${o.name}: current version ${marks.current} of ${l.name} is not there; the pending version is kept.`, { source: o.name, secret: l.name });
    current = (await writeKv(o.client, o.mount, l.loc.key, old.data, version, where)).version;
  }
  await writeCustomMetadata(o.client, o.mount, l.loc.key, withMarks(meta.customMetadata, { current, ...(marks.previous !== undefined ? { previous: marks.previous } : {}) }), where);
  return true;
}

// --- internal ---

function metadataOf(o: VaultKvOptions, l: Located): Promise<KvMetadata | undefined> {
  return readMetadata(o.client, o.mount, l.loc.key, { ...l.where, operation: "read metadata", path: `${o.mount}/metadata/${l.loc.key}` });
}

function inProgress(o: VaultKvOptions, l: Located, what: string): HushError {
  return new HushError("ROTATION_IN_PROGRESS", `"${l.name}" ${what}.`, { source: o.name, secret: l.name });
}

function overtaken(o: VaultKvOptions, l: Located, what: string): HushError {
  return new HushError("CONCURRENT_MODIFICATION", `"${l.name}" ${what}.`, { source: o.name, secret: l.name });
}
