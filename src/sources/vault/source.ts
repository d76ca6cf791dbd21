/**
 * The `vault` source's reads and writes on KV v2, without the cache (src/sources/vault.ts puts
 * the toolkit's cache and last-known-good around it). Each hush name maps to a key and maybe a
 * field (src/sources/remote/mapping.ts): `secrets.NAME.remote` in hush.yaml, else `<path>/<name>`
 * holding the field `value`. A deleted or destroyed latest version is DELETED (FAULTS 18); a
 * field that is not there is "not here".
 */
import { HushError } from "../../errors.js";
import { canonicalName, isValidName } from "../../names.js";
import type { SecretRecord, SecretSource, SecretVersionInfo } from "../../types.js";
import type { RemoteRef } from "../../config/types.js";
import { joinKey, pickProperty, remoteKeyFor, type RemoteLocation } from "../remote/mapping.js";
import type { RemoteWhere } from "../remote/errors.js";
import type { VaultClient } from "./client.js";
import { deleteKey, listFolder, listRecursive, mapBounded, readKv, readMetadata, type KvVersionData } from "./kv.js";
import { writeField, removeField } from "./write.js";
import { livePending, marksOf, readServed, servedVersion } from "./marks.js";
import { discardPending, promoteVersion, readPending, stageVersion } from "./stage.js";

/** What the raw source needs. */
export interface VaultKvOptions {
  name: string;
  client: VaultClient;
  mount: string;
  /** Key prefix under the mount. */
  path?: string;
  /** The field a plain secret is kept in. */
  field: string;
  /** Most reads at once. */
  concurrency: number;
  /** Zero-downtime rotation on marks (./marks.ts, ./stage.ts); off: the latest version is served and there is no stage. */
  rotation?: boolean;
  remoteRefs?: Readonly<Record<string, RemoteRef>>;
}

/** A located name: where it lives, and the `where` of its messages. */
export interface Located {
  name: string;
  loc: RemoteLocation;
  version?: number;
  where: RemoteWhere;
}

/** The raw source. */
export function createVaultKvSource(o: VaultKvOptions): SecretSource & { locate(name: string): Located } {
  const locate = (asked: string): Located => {
    const name = canonicalName(asked);
    const loc = remoteKeyFor(name, { ...(o.remoteRefs ? { remoteRefs: o.remoteRefs } : {}) }, o.path);
    const where = { source: o.name, operation: "read", path: `${o.mount}/data/${loc.key}`, secret: name };
    if (loc.version === undefined) return { name, loc, where };
    const version = Number(loc.version);
    if (!Number.isInteger(version) || version < 1) throw new HushError("CONFIG_INVALID", `secrets.${name}.remote.version: Vault versions are whole numbers from 1; got another form.`, { source: o.name, secret: name });
    return { name, loc, version, where };
  };
  const toRecord = (l: Located, kv: KvVersionData | undefined): SecretRecord | undefined => {
    if (!kv) return undefined;
    const property = l.loc.property ?? (Object.hasOwn(kv.data, o.field) ? o.field : undefined);
    const picked = pickProperty(kv.data, property, l.where);
    if (!picked) return undefined;
    return { name: l.name, value: picked.value, source: o.name, version: kv.version, ...(kv.createdTime ? { updatedAt: kv.createdTime } : {}), location: `${o.mount}/data/${l.loc.key}${property !== undefined ? `#${property}` : ""}`, ...(picked.encoding === "json" ? { encoding: "json" as const } : {}) };
  };
  const read = async (l: Located) => toRecord(l, await readCurrentKv(o, l));

  return {
    name: o.name,
    locate,
    get: async (name) => read(locate(name)),
    remoteLocation(name) {
      const { loc } = locate(name);
      return { key: loc.key, mapped: loc.mapped, address: `${o.mount}/data/${loc.key}${loc.property !== undefined ? `#${loc.property}` : ""}`, ...(loc.property !== undefined ? { property: loc.property } : {}), ...(loc.version !== undefined ? { version: loc.version } : {}) };
    },
    getMany: async (names) => getMany(o, names.map(locate), toRecord),
    list: () => listNames(o),
    async set(name, value) {
      const l = locate(name);
      if (l.version !== undefined) throw pinned(o.name, l.name, l.version);
      const written = await writeField(o, l, value);
      return { name: l.name, value, source: o.name, version: written.version, ...(written.createdTime ? { updatedAt: written.createdTime } : {}), location: `${o.mount}/data/${l.loc.key}#${written.property}` };
    },
    async delete(name) {
      const l = locate(name);
      if (l.loc.property !== undefined) return removeField(o, l);
      if (!(await readMetadata(o.client, o.mount, l.loc.key, { ...l.where, operation: "delete" }))) return false;
      await deleteKey(o.client, o.mount, l.loc.key, { ...l.where, operation: "delete" });
      return true;
    },
    async versions(name) {
      const l = locate(name);
      const meta = await readMetadata(o.client, o.mount, l.loc.key, { ...l.where, operation: "read metadata", path: `${o.mount}/metadata/${l.loc.key}` });
      const marks = o.rotation ? marksOf(meta?.customMetadata) : {};
      const served = meta && servedVersion(meta.currentVersion, marks);
      const pending = meta && livePending(meta.currentVersion, marks);
      return (meta?.versions ?? []).map((v): SecretVersionInfo => {
        const stage = v.version === served ? ["current"] : v.version === pending ? ["pending"] : v.version === marks.previous ? ["previous"] : [];
        const labels = [...stage, ...(v.destroyed ? ["destroyed"] : v.deleted ? ["deleted"] : [])];
        return { version: v.version, createdAt: v.createdTime, ...(labels.length ? { labels } : {}) };
      });
    },
    async getVersion(name, version) {
      const l = locate(name);
      return toRecord(l, await readKv(o.client, o.mount, l.loc.key, version, l.where));
    },
    ...(o.rotation
      ? {
          async stage(name: string, value: string) {
            const l = locate(name);
            if (l.version !== undefined) throw pinned(o.name, l.name, l.version);
            return stageVersion(o, l, value, toRecord);
          },
          getPending: async (name: string) => readPending(o, locate(name), toRecord),
          promote: async (name: string, version: number) => promoteVersion(o, locate(name), version, toRecord),
          discardPending: async (name: string, version: number) => discardPending(o, locate(name), version),
        }
      : {}),
    async rollback(name, to) {
      const l = locate(name);
      const old = toRecord(l, await readKv(o.client, o.mount, l.loc.key, to, l.where));
      if (!old) throw new HushError("VERSION_NOT_FOUND", `${o.name}: version ${to} of ${l.name} is not in ${o.mount}/data/${l.loc.key}.`, { source: o.name, secret: l.name });
      if (l.version !== undefined) throw pinned(o.name, l.name, l.version);
      const written = await writeField(o, l, old.value);
      return { ...old, version: written.version, ...(written.createdTime ? { updatedAt: written.createdTime } : {}) };
    },
  };
}

// --- internal ---

/**
 * One LIST per distinct folder of the keys asked (a key that is not listed is "not here" without a
 * read), then one read per distinct key and version, at most `concurrency` at once. A LIST the
 * policy denies is skipped: every key is read instead.
 */
async function getMany(o: VaultKvOptions, located: Located[], toRecord: (l: Located, kv: KvVersionData | undefined) => SecretRecord | undefined): Promise<(SecretRecord | undefined)[]> {
  if (located.length === 0) return [];
  const folders = new Map<string, Set<string> | undefined>();
  for (const l of located) folders.set(folderOf(l.loc.key), undefined);
  await Promise.all(
    [...folders.keys()].map(async (folder) => {
      try {
        folders.set(folder, new Set(await listFolder(o.client, o.mount, folder, { source: o.name, operation: "list", path: `${o.mount}/metadata/${folder}` })));
      } catch (e) {
        if (!(e instanceof HushError && e.code === "ACCESS_DENIED")) throw e;
      }
    }),
  );
  const listed = (key: string) => {
    const keys = folders.get(folderOf(key));
    return keys === undefined || keys.has(key.slice(key.lastIndexOf("/") + 1));
  };
  const reads = new Map<string, Located>();
  for (const l of located) if (listed(l.loc.key)) reads.set(`${l.loc.key}@${l.version ?? ""}`, l);
  const entries = [...reads];
  const results = await mapBounded(entries, o.concurrency, ([, l]) => readCurrentKv(o, l));
  const byKey = new Map(entries.map(([k], i) => [k, results[i]]));
  return located.map((l) => toRecord(l, byKey.get(`${l.loc.key}@${l.version ?? ""}`)));
}

/** Names held: keys under the prefix (recursively; a key a `remote` entry maps is listed under that name), plus mapped keys elsewhere that exist. */
async function listNames(o: VaultKvOptions): Promise<string[]> {
  const where = { source: o.name, operation: "list", path: `${o.mount}/metadata/${o.path ?? ""}` };
  const relative = await listRecursive(o.client, o.mount, o.path ?? "", o.concurrency, where);
  const present = new Set(relative.map((k) => joinKey(o.path, k)));
  const refs = Object.entries(o.remoteRefs ?? {});
  const mappedKeys = new Set(refs.map(([, r]) => r.key));
  const outside = [...new Set(refs.map(([, r]) => r.key).filter((k) => !present.has(k)).map(folderOf))];
  await mapBounded(outside, o.concurrency, async (folder) => {
    for (const k of await listFolder(o.client, o.mount, folder, where)) present.add(joinKey(folder, k));
  });
  const names = new Set<string>();
  for (const k of relative) if (!mappedKeys.has(joinKey(o.path, k)) && isValidName(k)) names.add(k);
  for (const [name, ref] of refs) if (present.has(ref.key)) names.add(name);
  return [...names];
}

/** A pinned version as asked; else the version hush serves as current (./marks.ts; the latest without `rotation`). */
async function readCurrentKv(o: VaultKvOptions, l: Located): Promise<KvVersionData | undefined> {
  if (l.version !== undefined || !o.rotation) return readKv(o.client, o.mount, l.loc.key, l.version, l.where);
  return (await readServed(o.client, o.mount, l.loc.key, l.where))?.kv;
}

function folderOf(key: string): string {
  const at = key.lastIndexOf("/");
  return at === -1 ? "" : key.slice(0, at);
}

function pinned(source: string, name: string, version: number): HushError {
  return new HushError("READ_ONLY", `${source}: ${name} is pinned to version ${version} in hush.yaml (secrets.${name}.remote.version); a write would not be read.`, { source, secret: name, hint: "Remove remote.version from hush.yaml to write new versions." });
}
