// manager.onChange: its baseline is the record get() serves when it is called (the cached one),
// so a consumer that read a value and then subscribed is told of a change made in between, even
// one no watcher saw (made before the watchers were in place). Without a cached record, the first
// read is the baseline. Deterministic: the memory source notifies only when the test says so.
import { describe, expect, it } from "vitest";
import { createSecretsManager } from "../src/manager.js";
import type { SecretRecord, SecretSource, SourceChange } from "../src/types.js";
import { createMemorySource } from "./helpers/memory-source.js";

/** A memory source with `watch`; `notify()` tells the watchers, a `set` alone does not. */
function watchedSource(initial: Record<string, string>) {
  const source = createMemorySource("memory", initial);
  const listeners = new Set<(c: SourceChange) => void>();
  const reads: string[] = [];
  const watched: SecretSource = {
    ...source,
    async get(name) {
      const record = await source.get(name);
      reads.push(name);
      return record;
    },
    watch(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
  };
  return { source, watched, reads, notify: (names?: string[]) => listeners.forEach((l) => l({ source: "memory", names })) };
}

/** Resolves once `list` has `n` entries (a read and its callback take a few turns; bounded). */
async function until(list: unknown[], n: number): Promise<void> {
  for (let i = 0; i < 1000 && list.length < n; i++) await new Promise((r) => setImmediate(r));
}

describe("manager.onChange", () => {
  it("a change between get() and onChange() calls back, though no watcher saw it", async () => {
    const { source, watched } = watchedSource({ db_password: "old-value-111" });
    const manager = createSecretsManager({ sources: [watched], onWarning: () => undefined });
    expect(await manager.get("db_password")).toBe("old-value-111");
    await source.set("db_password", "new-value-222"); // no notification: as a write before the watch
    const seen: (SecretRecord | undefined)[] = [];
    const stop = manager.onChange("db_password", (r) => void seen.push(r));
    await until(seen, 1);
    expect(seen.map((r) => r?.value)).toEqual(["new-value-222"]);
    stop();
    await manager.dispose();
  });

  it("without a cached record the first read is the baseline; a notified change then calls back once", async () => {
    const { source, watched, reads, notify } = watchedSource({ db_password: "old-value-111" });
    const manager = createSecretsManager({ sources: [watched], onWarning: () => undefined });
    const seen: (SecretRecord | undefined)[] = [];
    const stop = manager.onChange("db_password", (r) => void seen.push(r));
    await until(reads, 1); // the baseline read
    notify(["other_name"]); // not this name: no re-read
    await source.set("db_password", "new-value-222");
    notify(["db_password"]);
    notify(undefined); // "anything may have changed": re-read, same value, no second call
    await until(reads, 3);
    await until(seen, 2); // would catch a second call
    expect(reads).toHaveLength(3);
    expect(seen.map((r) => r?.value)).toEqual(["new-value-222"]);
    stop();
    await manager.dispose();
  });
});
