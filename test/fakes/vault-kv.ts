/**
 * The KV version 2 engine of the Vault fake (test/fakes/vault.ts), after Vault's API docs
 * (website/content/api-docs/secret/kv/kv-v2.mdx): versions with `created_time`, `deletion_time`
 * (empty unless soft-deleted) and `destroyed`, `current_version`, `oldest_version`, `max_versions`
 * (10 when unset), `custom_metadata`, check-and-set, and folders for LIST. One engine per mount
 * and namespace.
 */
import { randomUUID } from "node:crypto";

/** One version of a secret. */
export interface KvVersion {
  data: Record<string, unknown> | null;
  created_time: string;
  deletion_time: string;
  destroyed: boolean;
}

/** A secret: its versions by number and its key metadata. */
export interface KvSecret {
  versions: Map<number, KvVersion>;
  current_version: number;
  oldest_version: number;
  max_versions: number;
  cas_required: boolean;
  custom_metadata: Record<string, string> | null;
  created_time: string;
  updated_time: string;
}

/** A reply: a status and a JSON body (or none, for 204). */
export interface KvReply {
  status: number;
  json?: unknown;
}

/** The engine of one mount (in one namespace). */
export class KvEngine {
  readonly secrets = new Map<string, KvSecret>();

  /** GET data/:path?version= */
  read(path: string, version: number | undefined): KvReply {
    const s = this.secrets.get(path);
    const n = version && version > 0 ? version : s?.current_version;
    const v = n !== undefined ? s?.versions.get(n) : undefined;
    if (!s || !v || n === undefined) return notFound();
    const metadata = { created_time: v.created_time, custom_metadata: s.custom_metadata, deletion_time: v.deletion_time, destroyed: v.destroyed, version: n };
    // Vault answers 404 for a deleted or destroyed version, with its metadata in the body.
    if (v.deletion_time !== "" || v.destroyed || v.data === null) return { status: 404, json: envelope({ data: null, metadata }) };
    return { status: 200, json: envelope({ data: v.data, metadata }) };
  }

  /** POST data/:path { data, options: { cas } } */
  write(path: string, body: unknown): KvReply {
    const { data, options } = (body ?? {}) as { data?: unknown; options?: { cas?: unknown } };
    if (typeof data !== "object" || data === null || Array.isArray(data)) return errors(400, "no data provided");
    const s = this.secrets.get(path) ?? this.create(path);
    const cas = options?.cas;
    if (cas === undefined && s.cas_required) return errors(400, "check-and-set parameter required for this call");
    if (cas !== undefined && cas !== s.current_version) return errors(400, "check-and-set parameter did not match the current version");
    const now = new Date().toISOString();
    const n = s.current_version + 1;
    s.versions.set(n, { data: structuredClone(data) as Record<string, unknown>, created_time: now, deletion_time: "", destroyed: false });
    s.current_version = n;
    s.updated_time = now;
    while (s.versions.size > s.max_versions) {
      const oldest = Math.min(...s.versions.keys());
      s.versions.delete(oldest);
      s.oldest_version = Math.min(...s.versions.keys());
    }
    return { status: 200, json: envelope({ created_time: now, custom_metadata: s.custom_metadata, deletion_time: "", destroyed: false, version: n }) };
  }

  /** DELETE data/:path (the latest), POST delete/:path, undelete/:path, destroy/:path { versions } */
  mark(path: string, action: "delete" | "undelete" | "destroy", versions?: unknown): KvReply {
    const s = this.secrets.get(path);
    if (versions !== undefined && (!Array.isArray(versions) || versions.length === 0)) return errors(400, "no version number provided");
    if (!s) return { status: 204 };
    for (const n of (versions as number[] | undefined) ?? [s.current_version]) {
      const v = s.versions.get(n);
      if (!v) continue;
      if (action === "delete" && !v.destroyed) v.deletion_time = new Date().toISOString();
      if (action === "undelete" && !v.destroyed) v.deletion_time = "";
      if (action === "destroy") Object.assign(v, { destroyed: true, data: null });
    }
    return { status: 204 };
  }

  /** GET metadata/:path */
  metadata(path: string): KvReply {
    const s = this.secrets.get(path);
    if (!s) return notFound();
    const versions = Object.fromEntries([...s.versions].map(([n, v]) => [String(n), { created_time: v.created_time, deletion_time: v.deletion_time, destroyed: v.destroyed }]));
    const { current_version, oldest_version, max_versions, cas_required, custom_metadata, created_time, updated_time } = s;
    return { status: 200, json: envelope({ cas_required, created_time, current_version, delete_version_after: "0s", max_versions, oldest_version, updated_time, custom_metadata, versions }) };
  }

  /**
   * POST metadata/:path { max_versions, cas_required, custom_metadata }: creates the key's metadata
   * when there is none (no version), else changes the fields given and keeps the others; no new
   * version. `custom_metadata`, when given, replaces the whole map (PATCH would merge; the fake has
   * no PATCH). Vault's limits on it: at most 64 keys, keys of 128 bytes, values of 512, strings only.
   */
  writeMetadata(path: string, body: unknown): KvReply {
    const b = (body ?? {}) as { max_versions?: unknown; cas_required?: unknown; custom_metadata?: unknown };
    if (b.max_versions !== undefined && (typeof b.max_versions !== "number" || !Number.isInteger(b.max_versions) || b.max_versions < 0)) return errors(400, "max_versions must be a non-negative integer");
    if (b.cas_required !== undefined && typeof b.cas_required !== "boolean") return errors(400, "cas_required must be a boolean");
    const custom = b.custom_metadata === undefined || b.custom_metadata === null ? undefined : customMetadataOf(b.custom_metadata);
    if (typeof custom === "string") return errors(400, custom);
    const s = this.secrets.get(path) ?? this.create(path);
    if (typeof b.max_versions === "number") s.max_versions = b.max_versions === 0 ? 10 : b.max_versions;
    if (typeof b.cas_required === "boolean") s.cas_required = b.cas_required;
    if (custom !== undefined) s.custom_metadata = custom;
    s.updated_time = new Date().toISOString();
    return { status: 204 };
  }

  /** LIST metadata/:folder (keys directly under it; sub-folders end in `/`). */
  list(folder: string): KvReply {
    const prefix = folder === "" ? "" : folder.endsWith("/") ? folder : `${folder}/`;
    const keys = new Set<string>();
    for (const path of this.secrets.keys()) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf("/");
      keys.add(slash === -1 ? rest : rest.slice(0, slash + 1));
    }
    if (keys.size === 0) return notFound();
    return { status: 200, json: envelope({ keys: [...keys].sort() }) };
  }

  /** DELETE metadata/:path: every version and the key's metadata. */
  deleteAll(path: string): KvReply {
    this.secrets.delete(path);
    return { status: 204 };
  }

  private create(path: string): KvSecret {
    const now = new Date().toISOString();
    const s: KvSecret = { versions: new Map(), current_version: 0, oldest_version: 0, max_versions: 10, cas_required: false, custom_metadata: null, created_time: now, updated_time: now };
    this.secrets.set(path, s);
    return s;
  }
}

/** Vault's response envelope around `data`. */
export function envelope(data: unknown, auth: unknown = null): Record<string, unknown> {
  return { request_id: randomUUID(), lease_id: "", renewable: false, lease_duration: 0, data, wrap_info: null, warnings: null, auth };
}

/** `{"errors": [...]}` with a status. */
export function errors(status: number, ...messages: string[]): KvReply {
  return { status, json: { errors: messages } };
}

/** A valid custom_metadata map (a copy), or the error Vault gives for it. */
function customMetadataOf(raw: unknown): Record<string, string> | string {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "custom_metadata must be a map of strings";
  const entries = Object.entries(raw);
  if (entries.length > 64) return "custom_metadata may have at most 64 keys";
  for (const [k, v] of entries) {
    if (typeof v !== "string") return "custom_metadata values must be strings";
    if (Buffer.byteLength(k) > 128 || k === "") return "custom_metadata keys must be 1 to 128 bytes";
    if (Buffer.byteLength(v) > 512) return "custom_metadata values must be at most 512 bytes";
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

function notFound(): KvReply {
  return errors(404);
}
