/**
 * Reads of the `aws` source: where a hush name lives in Secrets Manager (the mapping model:
 * `secrets.NAME.remote: { key, property, version }`, else `<path><name>`), which version or stage
 * a read asks for, and how a SecretString / SecretBinary becomes a record's value.
 */
import { HushError } from "../../errors.js";
import type { RemoteRef } from "../../config/types.js";
import type { SecretRecord } from "../../types.js";
import { pickJsonProperty } from "../remote/mapping.js";
import type { AwsSecretValue } from "./client.js";

/** hush's version labels <-> AWS staging labels. Other labels pass through unchanged. */
export const STAGE_OF_LABEL: Readonly<Record<string, string>> = { current: "AWSCURRENT", pending: "AWSPENDING", previous: "AWSPREVIOUS" };

/** Where a hush name lives: the AWS secret id, the JSON property, and the version asked for. */
export interface AwsTarget {
  secretId: string;
  property?: string;
  version?: { VersionId?: string; VersionStage?: string };
}

/** The target of `name`: its `remote:` entry, else `<prefix>/<name>` (prefix "" or ending in `/`). */
export function targetOf(name: string, prefix: string, refs: Readonly<Record<string, RemoteRef>> | undefined): AwsTarget {
  const ref = refs && Object.hasOwn(refs, name) ? refs[name] : undefined;
  if (!ref) return { secretId: `${prefix}${name}` };
  return { secretId: ref.key, property: ref.property, version: ref.version === undefined ? undefined : versionSelector(ref.version) };
}

/**
 * A `version:` as AWS asks for it: `current` / `pending` / `previous` (or `AWSCURRENT`, ...) are
 * staging labels, a UUID-shaped value (32-64 characters of hex and `-`) is a VersionId, and any
 * other word is a custom staging label.
 */
export function versionSelector(version: string): { VersionId?: string; VersionStage?: string } {
  const stage = STAGE_OF_LABEL[version.toLowerCase()];
  if (stage) return { VersionStage: stage };
  if (/^[0-9a-fA-F-]{32,64}$/.test(version)) return { VersionId: version };
  return { VersionStage: version };
}

/** An AWS staging label as hush shows it (`AWSCURRENT` -> `current`). */
export function labelOfStage(stage: string): string {
  return Object.entries(STAGE_OF_LABEL).find(([, s]) => s === stage)?.[0] ?? stage;
}

/**
 * The record of `name` from one secret value; `property` picks a field of a JSON SecretString
 * (a field that is not there: undefined, "not here", as every remote source has it).
 */
export function recordOf(name: string, target: AwsTarget, entry: AwsSecretValue, source: string): SecretRecord | undefined {
  const raw = valueOf(entry, target.secretId);
  const location = `${entry.Name ?? target.secretId}@${entry.VersionId ?? "?"}${raw.binary ? " (binary, base64)" : ""}${target.property !== undefined ? ` .${target.property}` : ""}`;
  const picked = pickJsonProperty(raw.value, target.property, { source, operation: "read", path: target.secretId, secret: name });
  if (!picked) return undefined;
  const record: SecretRecord = { name, value: picked.value, source, location };
  if (picked.encoding === "json") record.encoding = "json";
  if (entry.CreatedDate instanceof Date) record.updatedAt = entry.CreatedDate;
  return record;
}

// --- internal ---

/**
 * SecretString as is. SecretBinary as its UTF-8 text when it is valid UTF-8 without NUL (a value
 * `hush run` can put in an environment variable), else as base64 (said in `location`).
 */
function valueOf(entry: AwsSecretValue, secretId: string): { value: string; binary: boolean } {
  if (typeof entry.SecretString === "string") return { value: entry.SecretString, binary: false };
  if (entry.SecretBinary instanceof Uint8Array) {
    const bytes = Buffer.from(entry.SecretBinary.buffer, entry.SecretBinary.byteOffset, entry.SecretBinary.byteLength);
    try {
      const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
      if (!text.includes("\0")) return { value: text, binary: false };
    } catch {
      // not UTF-8: base64 below
    }
    return { value: bytes.toString("base64"), binary: true };
  }
  throw new HushError("BAD_REPLY", `AWS Secrets Manager returned no SecretString nor SecretBinary for ${JSON.stringify(secretId)}.`, { source: "aws" });
}
