/**
 * An in-memory, versioned SecretSource for manager tests. It passes the source conformance
 * suite (test/sources/memory.test.ts), so tests built on it test against the real contract:
 * names are validated and canonical, every failure is a HushError.
 *
 * Fault controls, for tests: `failWith` makes every read throw that error; `faults.deny(name)`
 * makes reads of one name ACCESS_DENIED; `faults.deleteLatest(name)` destroys the newest version
 * of a name, which then reads as DELETED (as Vault's `destroyed` does) until the next `set`.
 */
import { HushError } from "../../src/errors.js";
import { canonicalName } from "../../src/names.js";
import type { SecretRecord, SecretSource } from "../../src/types.js";

/** The memory source and its fault controls. */
export type MemorySource = SecretSource &
  Required<Pick<SecretSource, "set" | "delete" | "versions" | "getVersion" | "rollback">> & {
    /** When set, every read (`get`, `list`) throws it. */
    failWith?: Error;
    faults: { deny(name: string): Promise<void>; deleteLatest(name: string): Promise<void> };
  };

/** Creates a memory source named `name` holding `initial` (each as version 1). */
export function createMemorySource(name = "memory", initial: Record<string, string> = {}): MemorySource {
  const data = new Map<string, StoredVersion[]>();
  const denied = new Set<string>();
  const rec = (n: string, v: StoredVersion): SecretRecord => ({ name: n, value: v.value, source: name, version: v.version, updatedAt: v.at });
  const append = (n: string, value: string): StoredVersion => {
    const versions = data.get(n) ?? [];
    const v = { value, version: (versions[versions.length - 1]?.version ?? 0) + 1, at: new Date(), destroyed: false };
    data.set(n, [...versions, v]); // a new array: a read in progress keeps the one it had
    return v;
  };
  for (const [k, v] of Object.entries(initial)) append(canonicalName(k), v);

  const source: MemorySource = {
    name,
    async get(n) {
      const key = canonicalName(n);
      if (source.failWith) throw source.failWith;
      if (denied.has(key)) throw new HushError("ACCESS_DENIED", `The ${name} source refuses reads of "${key}".`, { source: name, secret: key });
      const versions = data.get(key);
      const last = versions?.[versions.length - 1];
      if (last?.destroyed) throw new HushError("DELETED", `The latest version (${last.version}) of "${key}" in ${name} is destroyed.`, { source: name, secret: key });
      return last && rec(key, last);
    },
    async list() {
      if (source.failWith) throw source.failWith;
      return [...data.keys()];
    },
    async set(n, value) {
      const key = canonicalName(n);
      return rec(key, append(key, value));
    },
    async delete(n) {
      return data.delete(canonicalName(n));
    },
    async versions(n) {
      return (data.get(canonicalName(n)) ?? []).map((v) => ({ version: v.version, createdAt: v.at })).reverse();
    },
    async getVersion(n, version) {
      const key = canonicalName(n);
      const found = data.get(key)?.find((v) => v.version === version && !v.destroyed);
      return found && rec(key, found);
    },
    async rollback(n, to) {
      const key = canonicalName(n);
      const old = data.get(key)?.find((v) => v.version === to && !v.destroyed);
      if (!old) throw new HushError("VERSION_NOT_FOUND", `Version ${to} of "${key}" is not in ${name}.`, { source: name, secret: key });
      return source.set(key, old.value);
    },
    faults: {
      async deny(n) {
        denied.add(canonicalName(n));
      },
      async deleteLatest(n) {
        const versions = data.get(canonicalName(n)) ?? [];
        const last = versions[versions.length - 1];
        if (last) versions[versions.length - 1] = { ...last, value: "", destroyed: true };
      },
    },
  };
  return source;
}

// --- internal ---

interface StoredVersion {
  value: string;
  version: number;
  at: Date;
  /** Destroyed (by `faults.deleteLatest`): its value is gone; reading it as the latest is DELETED. */
  destroyed: boolean;
}
