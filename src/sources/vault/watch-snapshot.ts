/**
 * What the `vault` source's polling watch compares (src/sources/remote/poll-watch.ts): for each
 * name held, the current version of its key and whether it is deleted, from the metadata endpoint
 * (no values are read). One recursive LIST and one metadata read per distinct key, a few at once.
 */
import type { VersionTag } from "../remote/poll-watch.js";
import type { VaultClient } from "./client.js";
import { mapBounded, readMetadata } from "./kv.js";
import type { createVaultKvSource } from "./source.js";
import { marksOf, servedVersion } from "./marks.js";

/** Name → version tag of every name the source holds. */
export async function versionTags(kv: ReturnType<typeof createVaultKvSource>, client: VaultClient, mount: string, concurrency: number, rotation = false): Promise<Map<string, VersionTag>> {
  const located = (await kv.list()).map((n) => kv.locate(n));
  const keys = [...new Set(located.map((l) => l.loc.key))];
  const metas = await mapBounded(keys, concurrency, (key) => readMetadata(client, mount, key, { source: kv.name, operation: "watch", path: `${mount}/metadata/${key}` }));
  const byKey = new Map(keys.map((k, i) => [k, metas[i]]));
  const tags = new Map<string, VersionTag>();
  for (const l of located) {
    const meta = byKey.get(l.loc.key);
    if (!meta) continue;
    // The served version: with rotation, staging a pending version is no change to watch.
    const served = rotation ? servedVersion(meta.currentVersion, marksOf(meta.customMetadata)) : meta.currentVersion;
    const current = meta.versions.find((v) => v.version === served);
    tags.set(l.name, { tag: `${served}:${current?.deleted ? "d" : ""}${current?.destroyed ? "x" : ""}`, ...(current ? { writtenAt: current.createdTime.getTime() } : {}) });
  }
  return tags;
}
