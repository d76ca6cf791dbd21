/**
 * The KV version 2 calls of the `vault` source, each reply checked against the documented shape
 * (a reply that is not is BAD_REPLY, never a value): read a version (a deleted or destroyed one is
 * DELETED, FAULTS 18: Vault answers 404 with the version's `deletion_time` / `destroyed`), write
 * with check-and-set, read metadata, list (one level, or recursively with a bound), delete.
 */
import { HushError } from "../../errors.js";
import { malformedReply, remoteError, type RemoteWhere } from "../remote/errors.js";
import { encodeKey, interpretReply, type VaultClient } from "./client.js";

/** A version's data and metadata. */
export interface KvVersionData {
  data: Record<string, unknown>;
  version: number;
  createdTime?: Date;
  /** The key's `custom_metadata` as this read returned it (Vault 1.9+); hush's rotation marks live there. */
  customMetadata?: Record<string, string>;
}

/** What the metadata endpoint says of a key (no values). */
export interface KvMetadata {
  currentVersion: number;
  versions: { version: number; createdTime: Date; deleted: boolean; destroyed: boolean }[];
  customMetadata?: Record<string, string>;
}

/** The data of `key` (a given version, or the latest); undefined when not there; DELETED when that version is deleted or destroyed. */
export async function readKv(client: VaultClient, mount: string, key: string, version: number | undefined, where: RemoteWhere): Promise<KvVersionData | undefined> {
  const path = `${mount}/data/${encodeKey(key)}${version !== undefined ? `?version=${version}` : ""}`;
  const json = await client.sendJson({ method: "GET", path, where }, (body) => {
    const metadata = (body as { data?: { metadata?: unknown } } | undefined)?.data?.metadata as { deletion_time?: unknown; destroyed?: unknown; version?: unknown } | undefined;
    if (metadata && (metadata.destroyed === true || (typeof metadata.deletion_time === "string" && metadata.deletion_time !== ""))) {
      const how = metadata.destroyed === true ? "destroyed" : "deleted";
      const v = typeof metadata.version === "number" ? ` (version ${metadata.version})` : "";
      throw new HushError("DELETED", `${where.source}: the ${version !== undefined ? "asked" : "latest"} version${v} of ${where.path ?? key} is ${how}.`, { source: where.source, ...(where.secret !== undefined ? { secret: where.secret } : {}), hint: how === "deleted" ? "Undelete it (`vault kv undelete`), or write a new value with `hush set`." : "Write a new value with `hush set`, or read an older version." });
    }
    return undefined;
  });
  if (json === undefined) return undefined;
  const d = (json as { data?: { data?: unknown; metadata?: { version?: unknown; created_time?: unknown; custom_metadata?: unknown } } }).data;
  if (typeof d?.data !== "object" || d.data === null || Array.isArray(d.data) || typeof d.metadata?.version !== "number") throw malformedReply(where, "no data.data object or data.metadata.version");
  const created = typeof d.metadata.created_time === "string" ? new Date(d.metadata.created_time) : undefined;
  const custom = stringMap(d.metadata.custom_metadata);
  return { data: d.data as Record<string, unknown>, version: d.metadata.version, ...(created && !Number.isNaN(created.getTime()) ? { createdTime: created } : {}), ...(custom ? { customMetadata: custom } : {}) };
}

/** Writes a new version; `cas` is the version expected current (0: the key must not exist). A lost race is CONCURRENT_MODIFICATION. */
export async function writeKv(client: VaultClient, mount: string, key: string, data: Record<string, unknown>, cas: number | undefined, where: RemoteWhere): Promise<{ version: number; createdTime?: Date }> {
  const reply = await client.send({ method: "POST", path: `${mount}/data/${encodeKey(key)}`, json: { ...(cas !== undefined ? { options: { cas } } : {}), data }, where, idempotent: false });
  if (reply.status === 400 && /check-and-set/.test(reply.body.toString("utf8"))) {
    throw remoteError("CONCURRENT_MODIFICATION", `${where.source}: ${where.path ?? key} was written by someone else meanwhile (check-and-set on version ${cas ?? "?"} failed); nothing was written.`, where);
  }
  const json = interpretReply(reply, where, () => {
    throw remoteError("BAD_REPLY", `${where.source}: the mount of ${where.path ?? key} was not found (HTTP 404); check the source's mount option.`, where);
  });
  const d = (json as { data?: { version?: unknown; created_time?: unknown } } | undefined)?.data;
  if (typeof d?.version !== "number") throw malformedReply(where, "no data.version");
  const created = typeof d.created_time === "string" ? new Date(d.created_time) : undefined;
  return { version: d.version, ...(created && !Number.isNaN(created.getTime()) ? { createdTime: created } : {}) };
}

/** The key's metadata; undefined when the key does not exist. */
export async function readMetadata(client: VaultClient, mount: string, key: string, where: RemoteWhere): Promise<KvMetadata | undefined> {
  const json = await client.sendJson({ method: "GET", path: `${mount}/metadata/${encodeKey(key)}`, where }, () => undefined);
  if (json === undefined) return undefined;
  const d = (json as { data?: { current_version?: unknown; versions?: unknown; custom_metadata?: unknown } }).data;
  if (typeof d?.current_version !== "number" || typeof d.versions !== "object" || d.versions === null) throw malformedReply(where, "no data.current_version or data.versions");
  const versions = Object.entries(d.versions as Record<string, { created_time?: unknown; deletion_time?: unknown; destroyed?: unknown }>).map(([n, v]) => ({
    version: Number(n),
    createdTime: new Date(typeof v.created_time === "string" ? v.created_time : 0),
    deleted: typeof v.deletion_time === "string" && v.deletion_time !== "",
    destroyed: v.destroyed === true,
  }));
  const custom = stringMap(d.custom_metadata);
  return { currentVersion: d.current_version, versions: versions.sort((a, b) => b.version - a.version), ...(custom ? { customMetadata: custom } : {}) };
}

/** Replaces the key's whole `custom_metadata` (POST metadata: no new version, and no check-and-set: Vault has none on metadata). */
export async function writeCustomMetadata(client: VaultClient, mount: string, key: string, custom: Record<string, string>, where: RemoteWhere): Promise<void> {
  await client.sendJson({ method: "POST", path: `${mount}/metadata/${encodeKey(key)}`, json: { custom_metadata: custom }, where }, () => {
    throw remoteError("BAD_REPLY", `${where.source}: the mount of ${where.path ?? key} was not found (HTTP 404); check the source's mount option.`, where);
  });
}

/** The keys directly under `folder` (sub-folders end in `/`); empty when there is nothing there. */
export async function listFolder(client: VaultClient, mount: string, folder: string, where: RemoteWhere): Promise<string[]> {
  const path = `${mount}/metadata/${folder === "" ? "" : `${encodeKey(folder.replace(/\/+$/, ""))}/`}?list=true`;
  const json = await client.sendJson({ method: "GET", path, where: { ...where, operation: "list", path: `${mount}/metadata/${folder}` } }, () => undefined);
  if (json === undefined) return [];
  const keys = (json as { data?: { keys?: unknown } }).data?.keys;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string")) throw malformedReply({ ...where, operation: "list" }, "no data.keys list");
  return keys as string[];
}

/** Every key under `folder`, recursively, relative to it; at most `concurrency` LISTs at once. */
export async function listRecursive(client: VaultClient, mount: string, folder: string, concurrency: number, where: RemoteWhere): Promise<string[]> {
  const found: string[] = [];
  let queue = [""];
  while (queue.length > 0) {
    const next: string[] = [];
    await mapBounded(queue, concurrency, async (sub) => {
      for (const k of await listFolder(client, mount, joinFolder(folder, sub), where)) {
        if (k.endsWith("/")) next.push(`${sub}${k}`);
        else found.push(`${sub}${k}`);
      }
    });
    queue = next;
  }
  return found.sort();
}

/** Deletes every version of `key` and its metadata. */
export async function deleteKey(client: VaultClient, mount: string, key: string, where: RemoteWhere): Promise<void> {
  await client.sendJson({ method: "DELETE", path: `${mount}/metadata/${encodeKey(key)}`, where }, () => undefined);
}

/** Runs `fn` over `items`, at most `limit` at once; results in order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

// --- internal ---

/** The string entries of a `custom_metadata` map; undefined when there is none. */
function stringMap(raw: unknown): Record<string, string> | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  return Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === "string"));
}

function joinFolder(a: string, b: string): string {
  const left = a.replace(/^\/+|\/+$/g, "");
  return left === "" ? b : b === "" ? left : `${left}/${b}`;
}
