import { describe, expect, it } from "vitest";
import { HushError } from "../../../src/errors.js";
import { withCache } from "../../../src/sources/remote/cache.js";
import type { SecretSource, SourceChange } from "../../../src/types.js";
import { createMemorySource } from "../../helpers/memory-source.js";

/** A memory source that counts its reads. */
function counted(initial: Record<string, string> = { a: "a1-CANARY", b: "b1-CANARY" }) {
  const inner = createMemorySource("remote", initial);
  const reads: string[] = [];
  const source: SecretSource = { ...inner, name: "remote", get: (n) => (reads.push(n), inner.get(n)), getMany: (ns) => (reads.push(ns.join("+")), Promise.all(ns.map((n) => inner.get(n)))) };
  return { inner, source, reads };
}
const flush = () => new Promise((r) => setImmediate(r));

describe("withCache", () => {
  it("serves within the TTL from memory, 'not here' included; reads again after it", async () => {
    let t = 0;
    const { source, reads } = counted();
    const c = withCache(source, { ttlMs: 1000, staleWhileRevalidateMs: 0, now: () => t });
    expect((await c.get("a"))?.value).toBe("a1-CANARY");
    expect(await c.get("zz")).toBeUndefined();
    t = 999;
    await c.get("a");
    await c.get("zz");
    expect(reads).toEqual(["a", "zz"]);
    t = 1000;
    await c.get("a");
    expect(reads).toEqual(["a", "zz", "a"]);
  });

  it("stale-while-revalidate: serves the old value once past the TTL and reads in the background, once", async () => {
    let t = 0;
    const { inner, source, reads } = counted();
    const c = withCache(source, { ttlMs: 100, staleWhileRevalidateMs: 1000, now: () => t });
    await c.get("a");
    await inner.set("a", "a2-CANARY");
    t = 500;
    const both = await Promise.all([c.get("a"), c.get("a")]);
    expect(both.map((r) => r?.value), "stale value served at once").toEqual(["a1-CANARY", "a1-CANARY"]);
    await flush();
    expect(reads).toEqual(["a", "a"]);
    expect((await c.get("a"))?.value, "the background read replaced it").toBe("a2-CANARY");
    t = 5000;
    await inner.set("a", "a3-CANARY");
    expect((await c.get("a"))?.value, "past the stale window: read before serving").toBe("a3-CANARY");
  });

  it("a background read that finds the name denied drops it: the next read throws", async () => {
    let t = 0;
    const { inner, source } = counted();
    const c = withCache(source, { ttlMs: 100, now: () => t });
    await c.get("a");
    await inner.faults.deny("a");
    t = 150;
    expect((await c.get("a"))?.value).toBe("a1-CANARY");
    await flush();
    await expect(c.get("a")).rejects.toMatchObject({ code: "ACCESS_DENIED" });
  });

  it("an unreachable backend in the background keeps the entry for its stale window and says so", async () => {
    let t = 0;
    const warnings: string[] = [];
    const { inner, source } = counted();
    const c = withCache(source, { ttlMs: 100, staleWhileRevalidateMs: 100, now: () => t, onWarning: (m) => warnings.push(m) });
    await c.get("a");
    inner.failWith = new HushError("SOURCE_UNAVAILABLE", "down");
    t = 150;
    await c.get("a");
    await flush();
    expect(warnings.join()).toMatch(/could not re-read a \(SOURCE_UNAVAILABLE\)/);
    expect(warnings.join()).not.toContain("CANARY");
    t = 250;
    await expect(c.get("a"), "past the stale window the failure shows").rejects.toMatchObject({ code: "SOURCE_UNAVAILABLE" });
  });

  it("refresh() and writes drop entries at once; failures are never cached", async () => {
    const { inner, source, reads } = counted();
    const c = withCache(source, { ttlMs: 60_000 });
    await c.get("a");
    await inner.set("a", "a2-CANARY");
    await c.refresh();
    expect((await c.get("a"))?.value).toBe("a2-CANARY");
    await c.set!("a", "a3-CANARY");
    expect((await c.get("a"))?.value).toBe("a3-CANARY");
    await c.refresh(["a"]);
    inner.failWith = new HushError("SOURCE_UNAVAILABLE", "down");
    await expect(c.get("a")).rejects.toThrow();
    inner.failWith = undefined;
    expect((await c.get("a"))?.value).toBe("a3-CANARY");
    expect(reads.filter((r) => r === "a").length, "first, after refresh, after set, failed, after failure").toBe(5);
  });

  it("a read begun before a refresh is neither kept nor handed to later readers", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const { inner } = counted();
    let first = true;
    const slow: SecretSource = { name: "remote", list: () => inner.list(), get: async (n) => { const r = await inner.get(n); if (first) { first = false; await gate; } return r; } };
    const c = withCache(slow, { ttlMs: 60_000 });
    const old = c.get("a");
    await inner.set("a", "a2-CANARY");
    await c.refresh(["a"]);
    expect((await c.get("a"))?.value).toBe("a2-CANARY");
    release();
    expect((await old)?.value).toBe("a1-CANARY");
    expect((await c.get("a"))?.value).toBe("a2-CANARY");
  });

  it("getMany reads only what is not cached, in one call, in order", async () => {
    const { source, reads } = counted();
    const c = withCache(source, { ttlMs: 60_000 });
    await c.get("a");
    const many = await c.getMany!(["b", "a", "zz"]);
    expect(many.map((r) => r?.value)).toEqual(["b1-CANARY", "a1-CANARY", undefined]);
    expect(reads).toEqual(["a", "b+zz"]);
    await c.getMany!(["a", "b", "zz"]);
    expect(reads.length).toBe(2);
  });

  it("a watched change wins over the TTL, and capabilities are exactly the source's", async () => {
    const { inner } = counted();
    let emit: (c: SourceChange) => void = () => undefined;
    const watched: SecretSource = { name: "remote", get: (n) => inner.get(n), list: () => inner.list(), watch: (f) => ((emit = f), () => undefined) };
    const c = withCache(watched, { ttlMs: 60_000 });
    await c.get("a");
    const seen: SourceChange[] = [];
    c.watch!((ch) => seen.push(ch));
    await inner.set("a", "a2-CANARY");
    emit({ source: "remote", names: ["a"] });
    expect((await c.get("a"))?.value).toBe("a2-CANARY");
    expect(seen.length).toBe(1);
    expect(c.set).toBeUndefined();
    expect(c.getMany).toBeUndefined();
    expect(c.dispose).toBeUndefined();
  });
});
