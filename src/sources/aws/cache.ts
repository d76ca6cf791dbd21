/**
 * The `aws` source's read cache: secret values by AWS secret id for `cacheTtl` seconds (the AWS
 * caching client's model), so a long-running process does not call Secrets Manager on every
 * read. Misses and failures are never cached (a denied read is asked again); the source's own
 * writes and deletes drop the entry at once. Values live only in this process's memory.
 */
import type { AwsSecretValue } from "./client.js";

/** A TTL cache of current secret values. */
export interface AwsValueCache {
  get(secretId: string): AwsSecretValue | undefined;
  put(secretId: string, entry: AwsSecretValue): void;
  drop(secretId: string): void;
  clear(): void;
}

/** A cache keeping entries `ttlSeconds` (0: no caching). */
export function createAwsValueCache(ttlSeconds: number, now: () => number = Date.now): AwsValueCache {
  const entries = new Map<string, { entry: AwsSecretValue; until: number }>();
  return {
    get(secretId) {
      const hit = entries.get(secretId);
      if (!hit) return undefined;
      if (hit.until > now()) return hit.entry;
      entries.delete(secretId);
      return undefined;
    },
    put(secretId, entry) {
      if (ttlSeconds > 0) entries.set(secretId, { entry, until: now() + ttlSeconds * 1000 });
    },
    drop: (secretId) => void entries.delete(secretId),
    clear: () => entries.clear(),
  };
}
