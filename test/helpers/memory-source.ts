/** An in-memory, versioned SecretSource for manager tests. */
import type { SecretRecord, SecretSource } from "../../src/types.js";

export function createMemorySource(name = "memory", initial: Record<string, string> = {}): SecretSource & { failWith?: Error } {
  const data = new Map<string, { value: string; version: number; at: Date }[]>();
  for (const [k, v] of Object.entries(initial)) data.set(k, [{ value: v, version: 1, at: new Date() }]);
  const rec = (n: string, v: { value: string; version: number; at: Date }): SecretRecord => ({ name: n, value: v.value, source: name, version: v.version, updatedAt: v.at });
  const source: SecretSource & { failWith?: Error } = {
    name,
    async get(n) {
      if (source.failWith) throw source.failWith;
      const versions = data.get(n);
      const last = versions?.[versions.length - 1];
      return last && rec(n, last);
    },
    async list() {
      if (source.failWith) throw source.failWith;
      return [...data.keys()];
    },
    async set(n, value) {
      const versions = data.get(n) ?? [];
      const v = { value, version: (versions[versions.length - 1]?.version ?? 0) + 1, at: new Date() };
      versions.push(v);
      data.set(n, versions);
      return rec(n, v);
    },
    async delete(n) {
      return data.delete(n);
    },
    async versions(n) {
      return (data.get(n) ?? []).map((v) => ({ version: v.version, createdAt: v.at })).reverse();
    },
    async rollback(n, to) {
      const old = data.get(n)?.find((v) => v.version === to);
      if (!old) throw new Error("no such version");
      return source.set!(n, old.value);
    },
  };
  return source;
}
