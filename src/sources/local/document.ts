/**
 * The JSON document inside a local store (docs/store-format.md) and the changes made to it.
 *
 *   { "format": "hush-local", "v": 1, "environment": "dev",
 *     "secrets": { "<canonical name>": { "versions": [ { "v": 1, "value": "...", "createdAt": "<ISO>" } ] } } }
 *
 * Versions are listed oldest first and their numbers only grow. Deleting a secret removes all
 * of its values and leaves a tombstone `{ "versions": [], "deletedAt": "<ISO>", "lastVersion": n }`
 * so a later write continues at n + 1 and a version number never names two values.
 *
 * Opening checks the top level only; each entry is checked the first time it is used (and all
 * of them before a write), so opening a store of 10,000 secrets costs about one decrypt and one
 * JSON.parse.
 */
import { HushError } from "../../errors.js";
import { isValidName } from "../../names.js";

/** One stored value. */
export interface StoredVersion {
  v: number;
  value: string;
  createdAt: string;
}

/** A secret's versions (oldest first), or a tombstone when `versions` is empty. */
export interface SecretEntry {
  versions: StoredVersion[];
  deletedAt?: string;
  lastVersion?: number;
  /**
   * A staged version of a rotation (`stage`), not yet current: numbered above every version stored
   * when it was staged (a `set` since then numbers past it, and promote then refuses). Absent in stores written before rotation; an older hush ignores it when reading.
   */
  pending?: StoredVersion;
}

/** The decrypted content of a store file. */
export interface StoreDocument {
  format: "hush-local";
  v: 1;
  environment: string;
  secrets: Record<string, SecretEntry>;
}

/** A new, empty document. */
export function createDocument(environment: string): StoreDocument {
  return { format: "hush-local", v: 1, environment, secrets: {} };
}

/** Throws STORE_CORRUPT unless `doc` has the document's top-level shape for `environment`. */
export function assertDocumentShape(doc: unknown, path: string, environment: string): asserts doc is StoreDocument {
  const d = doc as Partial<StoreDocument> | null;
  if (typeof d !== "object" || d === null || Array.isArray(d) || d.format !== "hush-local" || d.v !== 1) {
    throw corrupt(path, "its content is not a hush-local version 1 document");
  }
  if (d.environment !== environment) {
    const which = typeof d.environment === "string" ? JSON.stringify(d.environment.slice(0, 40)) : "no environment";
    throw corrupt(path, `it belongs to ${which}, not ${JSON.stringify(environment)}`);
  }
  if (typeof d.secrets !== "object" || d.secrets === null || Array.isArray(d.secrets)) throw corrupt(path, "its secrets are not an object");
}

/** The entry of `name` (checked), or undefined when the document has none. */
export function findEntry(doc: StoreDocument, name: string, path: string): SecretEntry | undefined {
  if (!Object.hasOwn(doc.secrets, name)) return undefined;
  const entry = doc.secrets[name];
  if (!checkedEntries.has(entry as object)) checkEntry(entry, name, path);
  return entry;
}

/** The newest version of a live secret, or undefined (absent or deleted). */
export function newestVersion(doc: StoreDocument, name: string, path: string): StoredVersion | undefined {
  const versions = findEntry(doc, name, path)?.versions;
  return versions?.[versions.length - 1];
}

/** Names of the live secrets, sorted. */
export function liveNames(doc: StoreDocument, path: string): string[] {
  return Object.keys(doc.secrets).filter((name) => findEntry(doc, name, path)!.versions.length > 0).sort();
}

/** Checks every entry, before a write (a write must never carry damage forward silently). */
export function assertAllEntries(doc: StoreDocument, path: string): void {
  for (const name of Object.keys(doc.secrets)) findEntry(doc, name, path);
}

/**
 * Appends a version to `name` (creating the secret or reviving a deleted one) and drops the
 * oldest versions past `maxVersions`. Returns the new version.
 */
export function appendVersion(doc: StoreDocument, name: string, value: string, createdAt: Date, maxVersions: number, path: string): StoredVersion {
  const entry = findEntry(doc, name, path);
  const version: StoredVersion = { v: lastNumber(entry) + 1, value, createdAt: createdAt.toISOString() };
  const versions = [...(entry?.versions ?? []), version].slice(-maxVersions);
  setEntry(doc, name, entry?.pending ? { versions, pending: entry.pending } : { versions });
  return version;
}

/**
 * Stages `value` as the pending version of `name` (numbered above every stored one) without
 * touching its versions. Throws ROTATION_IN_PROGRESS when a pending version exists already.
 */
export function stageVersion(doc: StoreDocument, name: string, value: string, createdAt: Date, path: string): StoredVersion {
  const entry = findEntry(doc, name, path);
  if (entry?.pending) throw inProgress(name, entry.pending);
  // Only a live secret is rotated: so an entry is never pending-only, which a hush that predates
  // rotation would read as a damaged tombstone (docs/store-format.md, "Pending versions").
  if (!entry || entry.versions.length === 0) throw new HushError("NOT_FOUND", `"${name}" has no current value to rotate; set one first with \`hush set ${name}\`.`, { secret: name });
  const pending: StoredVersion = { v: lastNumber(entry) + 1, value, createdAt: createdAt.toISOString() };
  setEntry(doc, name, { ...entry, pending });
  return pending;
}

/**
 * Makes pending version `v` of `name` the current one (appended to its versions, the oldest past
 * `maxVersions` dropped). Refuses when `v` is not the pending version (ROTATION_IN_PROGRESS) or
 * when a version was written after it was staged (CONCURRENT_MODIFICATION).
 */
export function promotePending(doc: StoreDocument, name: string, v: number, maxVersions: number, path: string): StoredVersion {
  const entry = findEntry(doc, name, path);
  const pending = entry?.pending;
  if (!entry || !pending || pending.v !== v) {
    throw new HushError("ROTATION_IN_PROGRESS", `Version ${v} of "${name}" is not its pending version${pending ? ` (version ${pending.v} is)` : " (none is pending)"}: another rotation finished or replaced it.`, { secret: name });
  }
  const newest = entry.versions[entry.versions.length - 1]?.v ?? entry.lastVersion ?? 0;
  if (newest > pending.v) {
    throw new HushError("CONCURRENT_MODIFICATION", `"${name}" was written (version ${newest}) after version ${v} was staged; its rotation cannot finish on top of a newer value.`, { secret: name });
  }
  setEntry(doc, name, { versions: [...entry.versions, pending].slice(-maxVersions) });
  return pending;
}

/** Drops pending version `v` of `name`; false when it is not the pending one. */
export function discardPendingVersion(doc: StoreDocument, name: string, v: number, path: string): boolean {
  const entry = findEntry(doc, name, path);
  if (!entry?.pending || entry.pending.v !== v) return false;
  const { pending: _dropped, ...rest } = entry;
  setEntry(doc, name, rest);
  return true;
}

/** Deletes all values of `name`, leaving a tombstone. Returns false when it was not there. */
export function deleteSecret(doc: StoreDocument, name: string, deletedAt: Date, path: string): boolean {
  const entry = findEntry(doc, name, path);
  const last = entry?.versions[entry.versions.length - 1];
  if (!last) return false;
  setEntry(doc, name, { versions: [], deletedAt: deletedAt.toISOString(), lastVersion: last.v });
  return true;
}

// --- internal ---

/** The highest version number `entry` ever used (stored, deleted or pending). */
function lastNumber(entry: SecretEntry | undefined): number {
  return Math.max(entry?.versions[entry.versions.length - 1]?.v ?? 0, entry?.lastVersion ?? 0, entry?.pending?.v ?? 0);
}

function inProgress(name: string, pending: StoredVersion): HushError {
  return new HushError("ROTATION_IN_PROGRESS", `"${name}" has a pending version ${pending.v} (staged ${pending.createdAt}): another rotation is under way or was interrupted.`, { secret: name });
}

/** Entries already checked; a WeakSet so a replaced document frees its marks. */
const checkedEntries = new WeakSet<object>();

function setEntry(doc: StoreDocument, name: string, entry: SecretEntry): void {
  // defineProperty, not assignment: a secret named `__proto__` must stay an own property.
  Object.defineProperty(doc.secrets, name, { value: entry, enumerable: true, writable: true, configurable: true });
  checkedEntries.add(entry);
}

function checkEntry(entry: unknown, name: string, path: string): asserts entry is SecretEntry {
  const label = isValidName(name) && name === name.toLowerCase() ? `the entry of "${name}"` : "an entry with an invalid name";
  const problem = entryProblem(entry);
  if (problem !== undefined || label.startsWith("an entry")) throw corrupt(path, `${label} ${problem ?? "cannot be used"}`);
  checkedEntries.add(entry as object);
}

function entryProblem(entry: unknown): string | undefined {
  const e = entry as Partial<SecretEntry> | null;
  if (typeof e !== "object" || e === null || Array.isArray(e) || !Array.isArray(e.versions)) return "has no versions list";
  let previous = 0;
  for (const version of e.versions as unknown[]) {
    const s = version as Partial<StoredVersion> | null;
    if (typeof s !== "object" || s === null || !Number.isSafeInteger(s.v) || (s.v as number) <= previous) return "has a version with a bad number";
    if (typeof s.value !== "string") return `has a non-string value in version ${s.v}`;
    if (typeof s.createdAt !== "string" || Number.isNaN(Date.parse(s.createdAt))) return `has a bad date in version ${s.v}`;
    previous = s.v as number;
  }
  if (e.pending !== undefined) {
    const p = e.pending as Partial<StoredVersion> | null;
    if (typeof p !== "object" || p === null || !Number.isSafeInteger(p.v) || (p.v as number) < 1 || e.versions.some((s) => s.v === p.v)) return "has a pending version with a bad number";
    if (typeof p.value !== "string" || typeof p.createdAt !== "string" || Number.isNaN(Date.parse(p.createdAt))) return "has a malformed pending version";
  }
  if (e.versions.length === 0) {
    if (!Number.isSafeInteger(e.lastVersion) || (e.lastVersion as number) < 1 || typeof e.deletedAt !== "string") return "is an incomplete tombstone";
  }
  return undefined;
}

function corrupt(path: string, why: string): HushError {
  return new HushError("STORE_CORRUPT", `The store ${path} is corrupt: ${why}. hush keeps the file as it is.`);
}
