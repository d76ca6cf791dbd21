/**
 * Writes of the `gcp` source. `set` is `addSecretVersion` (its `payload.dataCrc32c` lets Google
 * refuse a payload damaged on the way), with `createSecret` on the first write of a name.
 * `delete` is `deleteSecret` carrying the etag read just before it (check-and-set: a secret
 * replaced in between is not deleted). `addSecretVersion` itself takes no etag in the v1 API, so
 * a write cannot be conditional on the latest version; it never overwrites one either (each write
 * is a new version).
 *
 * A retried write makes one version: after a failure that may have been applied (a dropped
 * connection, a timeout, UNAVAILABLE), the next attempt first reads the latest version and, when it
 * holds exactly the bytes being written, takes it as this write's version. RESOURCE_EXHAUSTED
 * (not applied) is simply retried.
 */
import { timingSafeEqual } from "node:crypto";
import { HushError } from "../../errors.js";
import { assertValidName } from "../../names.js";
import type { SecretRecord } from "../../types.js";
import { remoteError } from "../remote/errors.js";
import { callGoogle } from "./call.js";
import type { VersionReply } from "./client.js";
import { googleStatusOf } from "./google-status.js";
import { crc32c } from "./crc32c.js";
import { access, payloadBytes } from "./read.js";
import { locate, versionNumber, type GcpSession, type GcpSettings, type SecretLocation } from "./session.js";

/** Secret Manager's largest payload. */
export const MAX_PAYLOAD_BYTES = 65536;

/** Writes `value` as a new version of `name` (creating the secret on its first write). */
export async function writeSecret(settings: GcpSettings, session: GcpSession, name: string, value: string): Promise<SecretRecord> {
  const loc = writableLocation(settings, session, name, "write");
  const added = await addVersionOf(settings, session, loc, name, value, { create: true });
  if (!added) throw remoteError("SOURCE_UNAVAILABLE", `${settings.source}: ${loc.where.path} was created but is not found when written; retry.`, loc.where);
  return added;
}

/** Adds `value` as a new version at `loc` (creating the secret first when `create`); undefined when there is no secret. */
export async function addVersionOf(settings: GcpSettings, session: GcpSession, loc: SecretLocation, name: string, value: string, options: { create?: boolean } = {}): Promise<SecretRecord | undefined> {
  const data = Buffer.from(value, "utf8");
  if (data.length > MAX_PAYLOAD_BYTES) throw remoteError("LIMIT_EXCEEDED", `${settings.source}: the value of ${name} is ${data.length} bytes; Secret Manager holds at most ${MAX_PAYLOAD_BYTES} per version.`, loc.where);
  let added = await addVersion(settings, session, loc, data);
  if (!added && options.create) {
    await createSecret(settings, session, loc);
    added = await addVersion(settings, session, loc, data);
  }
  if (!added) return undefined;
  const n = versionNumber(added.name);
  return { name, value, source: settings.source, ...(n !== undefined ? { version: n } : {}), location: `${loc.secret}/versions/${n ?? "latest"}` };
}

/** Deletes the secret that holds `name`, with its etag; false when there is none. */
export async function deleteSecret(settings: GcpSettings, session: GcpSession, name: string): Promise<boolean> {
  const loc = writableLocation(settings, session, name, "delete");
  const got = await callGoogle(settings, loc.where, () => session.api.getSecret({ name: loc.secret }, session.callOptions), { expected: ["NOT_FOUND"] as const });
  if (!got.ok) return false;
  const etag = got.value[0].etag ?? undefined;
  const r = await callGoogle(settings, loc.where, () => session.api.deleteSecret({ name: loc.secret, ...(etag ? { etag } : {}) }, session.callOptions), { expected: ["NOT_FOUND", "FAILED_PRECONDITION", "ABORTED"] as const });
  // A stale etag is FAILED_PRECONDITION (https://cloud.google.com/secret-manager/docs/etags): changed in between.
  if (!r.ok && r.status !== "NOT_FOUND") throw remoteError("CONCURRENT_MODIFICATION", `${settings.source}: ${loc.where.path} changed while hush deleted it (etag mismatch); nothing was deleted.`, loc.where);
  return r.ok;
}


/** The location of a name hush may write: its own secret, not a property or a pinned version. */
export function writableLocation(settings: GcpSettings, session: GcpSession, name: string, operation: string): SecretLocation {
  assertValidName(name);
  const loc = locate(settings, session, name, operation);
  if (!loc) {
    throw new HushError("INVALID_NAME", `${settings.source}: "${name}" cannot be a Secret Manager id (letters, digits, '_' and '-' only).`, { source: settings.source, secret: name, hint: `Map it with secrets.${name}.remote.key in hush.yaml, or rename it without '.'.` });
  }
  if (loc.property !== undefined || (loc.mapped && loc.version !== "latest")) {
    throw remoteError("READ_ONLY", `${settings.source}: ${name} is mapped to ${loc.property !== undefined ? "a property of" : "a pinned version of"} ${loc.where.path}; hush writes whole secrets only.`, loc.where, { hint: "Write the secret itself with gcloud, or remove the property/version from secrets.NAME.remote." });
  }
  return loc;
}

// --- internal ---

/** `addSecretVersion`, retried as the header says; undefined when the secret does not exist. */
async function addVersion(settings: GcpSettings, session: GcpSession, loc: SecretLocation, data: Buffer): Promise<VersionReply | undefined> {
  let maybeApplied = false;
  const r = await callGoogle(
    settings,
    loc.where,
    async () => {
      if (maybeApplied) {
        const applied = await latestHolds(settings, session, loc, data);
        if (applied) return applied;
      }
      maybeApplied = true; // until Google answers: a timeout leaves it so
      try {
        const [version] = await session.api.addSecretVersion({ parent: loc.secret, payload: { data, dataCrc32c: crc32c(data) } }, session.callOptions);
        return version;
      } catch (e) {
        const status = googleStatusOf(e);
        maybeApplied = status === "NETWORK" || status === "UNAVAILABLE" || status === "DEADLINE_EXCEEDED" || status === "INTERNAL";
        throw e;
      }
    },
    { expected: ["NOT_FOUND"] as const },
  );
  return r.ok ? r.value : undefined;
}

/** The latest version when it holds exactly `data` (a retried write that had been applied). */
async function latestHolds(settings: GcpSettings, session: GcpSession, loc: SecretLocation, data: Buffer): Promise<VersionReply | undefined> {
  const reply = await access(settings, session, { ...loc, version: "latest", where: { ...loc.where, operation: "confirm write" } }).catch(() => undefined);
  if (!reply) return undefined;
  const held = payloadBytes(reply);
  return held.length === data.length && timingSafeEqual(held, data) ? { name: reply.name ?? null } : undefined;
}

async function createSecret(settings: GcpSettings, session: GcpSession, loc: SecretLocation): Promise<void> {
  const secretId = loc.secret.split("/secrets/")[1]!;
  const parent = loc.secret.slice(0, loc.secret.length - `/secrets/${secretId}`.length);
  // Regional secrets take no replication policy; global ones are replicated automatically.
  const secret = { ...(parent.includes("/locations/") ? {} : { replication: { automatic: {} } }), labels: { ...settings.labels, "managed-by": "hush" } };
  await callGoogle(settings, { ...loc.where, operation: "create" }, () => session.api.createSecret({ parent, secretId, secret }, session.callOptions), { expected: ["ALREADY_EXISTS"] as const });
}
