/**
 * Reads of the `gcp` source: `accessSecretVersion` of `latest`, a number or an alias, its
 * `payload.dataCrc32c` checked (a mismatch is STORE_CORRUPT, never a value), a disabled or
 * destroyed version read as DELETED, and a JSON property picked through the mapping model.
 */
import { HushError } from "../../errors.js";
import { assertValidName } from "../../names.js";
import type { SecretRecord, SecretVersionInfo } from "../../types.js";
import { pickJsonProperty } from "../remote/mapping.js";
import { remoteError } from "../remote/errors.js";
import { callGoogle } from "./call.js";
import type { AccessReply, ListRequest, VersionReply } from "./client.js";
import { crc32c } from "./crc32c.js";
import { locate, versionNumber, type GcpSession, type GcpSettings, type SecretLocation } from "./session.js";

/** Most pages a list follows (a bound, not a limit anyone should meet: 1,000 pages of 25,000). */
export const MAX_PAGES = 1000;

/** The alias a rotated secret's current version carries (./stage.ts). */
export const CURRENT_ALIAS = "hush-current";

/** hush's rotation aliases as the labels every versioned source gives (docs/rotation.md). */
const ROTATION_LABELS: Record<string, string> = { [CURRENT_ALIAS]: "current", "hush-pending": "pending", "hush-previous": "previous" };

/** The record of `name` (at `version`, else its mapped version or `latest`), or undefined when Google has none. */
export async function readSecret(settings: GcpSettings, session: GcpSession, name: string, version?: string): Promise<SecretRecord | undefined> {
  assertValidName(name);
  const loc = locate(settings, session, name, "read", version);
  if (!loc) return undefined; // no secret id can hold this name (a '.'), and hush.yaml maps it nowhere
  const reply = await accessCurrent(settings, session, loc, version === undefined);
  if (!reply) return undefined;
  const text = payloadText(reply, loc);
  const picked = pickJsonProperty(text, loc.property, loc.where);
  if (!picked) return undefined;
  const n = versionNumber(reply.name);
  return { name, value: picked.value, source: settings.source, ...(n !== undefined ? { version: n } : {}), location: `${loc.secret}/versions/${n ?? loc.version}`, ...(picked.encoding === "json" ? { encoding: "json" as const } : {}) };
}

/** The raw payload bytes of `loc`'s version, checked; undefined when not found. */
export async function access(settings: GcpSettings, session: GcpSession, loc: SecretLocation): Promise<AccessReply | undefined> {
  const r = await callGoogle(settings, loc.where, () => session.api.accessSecretVersion({ name: `${loc.secret}/versions/${loc.version}` }, session.callOptions), { expected: ["NOT_FOUND", "FAILED_PRECONDITION"] as const });
  if (r.ok) return verified(r.value[0], loc);
  if (r.status === "NOT_FOUND") return undefined;
  throw await stateError(settings, session, loc);
}

/**
 * `loc`'s version; with `rotation` on, for a plain read of `latest`, the version aliased
 * `hush-current` when the secret has that alias (a rotation's pending version is `latest` but not
 * current: ./stage.ts).
 */
async function accessCurrent(settings: GcpSettings, session: GcpSession, loc: SecretLocation, plain: boolean): Promise<AccessReply | undefined> {
  if (!plain || loc.version !== "latest" || !settings.rotation) return access(settings, session, loc);
  return (await access(settings, session, { ...loc, version: CURRENT_ALIAS })) ?? access(settings, session, loc);
}

/** The payload's bytes; STORE_CORRUPT when its CRC32C does not match the one Google sent. */
export function payloadBytes(reply: AccessReply): Buffer {
  const data = reply.payload?.data;
  return typeof data === "string" ? Buffer.from(data, "base64") : Buffer.from(data ?? new Uint8Array(0));
}

/** Versions of `loc`, newest first, without values (every page). */
export async function listVersions(settings: GcpSettings, session: GcpSession, loc: SecretLocation): Promise<SecretVersionInfo[] | undefined> {
  const found: VersionReply[] = [];
  let request: ListRequest | null = { parent: loc.secret, pageSize: 250 };
  for (let page = 0; request && page < MAX_PAGES; page++) {
    const ask: ListRequest = request;
    const r = await callGoogle(settings, { ...loc.where, operation: "list versions" }, () => session.api.listSecretVersions(ask, { ...session.callOptions, autoPaginate: false }), { expected: ["NOT_FOUND"] as const });
    if (!r.ok) return undefined;
    found.push(...r.value[0]);
    request = r.value[1] ?? null;
  }
  const aliases = await aliasesOf(settings, session, loc);
  const versions = found
    .map((v) => ({ version: versionNumber(v.name) ?? 0, createdAt: timestamp(v.createTime), labels: stateLabels(v.state) }))
    .filter((v) => v.version > 0)
    .sort((a, b) => b.version - a.version);
  versions[0]?.labels.unshift("latest");
  for (const v of versions) v.labels.push(...(aliases.get(v.version) ?? []).map((a) => ROTATION_LABELS[a] ?? a));
  return versions;
}

/** A version's state as a word (`ENABLED`, `DISABLED`, `DESTROYED`), from the name or the enum's number. */
export function stateName(state: VersionReply["state"]): string {
  if (typeof state === "number") return ["STATE_UNSPECIFIED", "ENABLED", "DISABLED", "DESTROYED"][state] ?? "STATE_UNSPECIFIED";
  return state ?? "STATE_UNSPECIFIED";
}

// --- internal ---

function verified(reply: AccessReply, loc: SecretLocation): AccessReply {
  const sent = reply.payload?.dataCrc32c;
  if (sent === undefined || sent === null) return reply; // versions written before checksums existed
  const expected = Number(typeof sent === "object" ? sent.toString() : sent);
  if (crc32c(payloadBytes(reply)) !== expected) {
    throw remoteError("STORE_CORRUPT", `${loc.where.source}: the payload of ${loc.where.path} failed its CRC32C check (corrupted in transit or at rest); it was not used.`, loc.where, { hint: "Read it again; if it persists, add a new version of the secret and report it to Google Cloud support." });
  }
  return reply;
}

function payloadText(reply: AccessReply, loc: SecretLocation): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(payloadBytes(reply));
  } catch {
    throw remoteError("UNSUPPORTED_CONTENT", `${loc.where.source}: ${loc.where.path} holds binary data, not UTF-8 text; hush serves text values.`, loc.where, { hint: "Store binary secrets base64-encoded, and decode them in the application." });
  }
}

/** Why access was refused (FAILED_PRECONDITION): a disabled or destroyed version is DELETED. */
async function stateError(settings: GcpSettings, session: GcpSession, loc: SecretLocation): Promise<HushError> {
  const r = await callGoogle(settings, { ...loc.where, operation: "read version state" }, () => session.api.getSecretVersion({ name: `${loc.secret}/versions/${loc.version}` }, session.callOptions), { expected: ["NOT_FOUND"] as const });
  const state = r.ok ? stateName(r.value[0].state) : "DESTROYED";
  const which = loc.version === "latest" ? "The latest version" : `Version ${loc.version}`;
  if (state === "DISABLED" || state === "DESTROYED") {
    return remoteError("DELETED", `${loc.where.source}: ${which} of ${loc.where.path} is ${state.toLowerCase()}.`, loc.where, { hint: state === "DISABLED" ? "Enable it (gcloud secrets versions enable), or add a new version with `hush set`." : "Add a new version with `hush set`, or pin an earlier one with secrets.NAME.remote.version." });
  }
  return remoteError("INVALID_ARGUMENT", `${loc.where.source}: Secret Manager refused to serve ${loc.where.path} (FAILED_PRECONDITION, state ${state}).`, loc.where);
}

/** Version number -> the aliases (`versionAliases`) that point at it, read sorted. */
async function aliasesOf(settings: GcpSettings, session: GcpSession, loc: SecretLocation): Promise<Map<number, string[]>> {
  const r = await callGoogle(settings, { ...loc.where, operation: "read aliases" }, () => session.api.getSecret({ name: loc.secret }, session.callOptions), { expected: ["NOT_FOUND"] as const });
  const byVersion = new Map<number, string[]>();
  if (!r.ok) return byVersion;
  for (const [alias, n] of Object.entries(r.value[0].versionAliases ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const version = Number(typeof n === "object" ? n.toString() : n);
    byVersion.set(version, [...(byVersion.get(version) ?? []), alias]);
  }
  return byVersion;
}

function stateLabels(state: VersionReply["state"]): string[] {
  const s = stateName(state);
  return s === "ENABLED" ? [] : [s.toLowerCase()];
}

function timestamp(t: VersionReply["createTime"]): Date {
  const seconds = Number(typeof t?.seconds === "object" && t.seconds !== null ? t.seconds.toString() : (t?.seconds ?? 0));
  return new Date(seconds * 1000 + Math.floor((t?.nanos ?? 0) / 1e6));
}
