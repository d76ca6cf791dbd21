// Versions, labels, maxVersions, soft delete / restore / destroy, rollback, check-and-set and
// idempotent writes of the postgres source.
import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { expectFailure, postgresFixture } from "./fixture.js";

const fx = postgresFixture();

describe("postgres versions and labels", () => {
  it("labels current/previous move with each write; maxVersions prunes the oldest; rollback is a new version", async () => {
    const s = fx.source({ ...fx.store(), maxVersions: 3 });
    for (let i = 1; i <= 5; i++) await s.set("rotated", `v${i}-CANARY`);
    const versions = await s.versions("rotated");
    expect(versions.map((v) => v.version)).toEqual([5, 4, 3]);
    expect(versions.map((v) => v.labels)).toEqual([["current"], ["previous"], []]);
    expect(await s.getVersion("rotated", 1)).toBeUndefined();
    const back = await s.rollback("rotated", 3);
    expect(back).toMatchObject({ version: 6, value: "v3-CANARY" });
    expect((await s.get("rotated"))?.value).toBe("v3-CANARY");
    await expectFailure(s.rollback("rotated", 1), "VERSION_NOT_FOUND");
  });

  it("preparedStatements: false (PgBouncer before 1.21) reads the same records as the named statement", async () => {
    const store = fx.store();
    const named = fx.source(store);
    await named.set("a_key", "a-CANARY");
    await named.set("b_key", "b-CANARY");
    const plain = fx.source({ ...store, preparedStatements: false });
    for (const s of [named, plain]) {
      expect((await s.get("a_key"))?.value).toBe("a-CANARY");
      expect((await s.getMany!(["b_key", "nope", "a_key"])).map((r) => r?.value)).toEqual(["b-CANARY", undefined, "a-CANARY"]);
    }
  });

  it("soft delete hides the secret; restore brings it back with its versions; destroy purges", async () => {
    const store = fx.store();
    const s = fx.source(store);
    await s.set("soft", "one-CANARY");
    await s.set("soft", "two-CANARY");
    expect(await s.delete("soft")).toBe(true);
    expect(await s.get("soft")).toBeUndefined();
    expect(await s.list()).not.toContain("soft");
    expect((await s.versions("soft")).length, "versions are kept").toBe(2);
    expect(await s.restore("soft")).toBe(true);
    expect(await s.restore("soft"), "restoring a live secret is false").toBe(false);
    expect((await s.get("soft"))?.value).toBe("two-CANARY");
    expect(await s.destroy("soft")).toBe(true);
    expect(await s.versions("soft")).toEqual([]);
    expect(await s.restore("soft")).toBe(false);
    const rows = await fx.sql("SELECT count(*)::int AS n FROM {s}.versions v JOIN {s}.secrets x USING (secret_id) WHERE x.environment = $1", [store.environment]);
    expect(rows.rows[0].n).toBe(0);
  });

  it("a write after a soft delete makes a new current version; previous stays the last live one", async () => {
    const s = fx.source(fx.store());
    await s.set("again", "a-CANARY");
    await s.delete("again");
    const r = await s.set("again", "b-CANARY");
    expect(r.version).toBe(2);
    expect((await s.get("again"))?.value).toBe("b-CANARY");
  });
});

describe("postgres concurrency", () => {
  it("two writers without check-and-set: exactly two new versions, none lost", async () => {
    const store = fx.store();
    const [a, b] = [fx.source(store), fx.source(store)];
    await a.set("contended", "v0-CANARY");
    await Promise.all([a.set("contended", "from-a-CANARY"), b.set("contended", "from-b-CANARY")]);
    const versions = await a.versions("contended");
    expect(versions.map((v) => v.version)).toEqual([3, 2, 1]);
    const values = new Set([(await a.getVersion("contended", 2))?.value, (await a.getVersion("contended", 3))?.value]);
    expect(values).toEqual(new Set(["from-a-CANARY", "from-b-CANARY"]));
  });

  it("two writers with check-and-set on one version: one succeeds, the other gets a clear conflict", async () => {
    const store = fx.store();
    const [a, b] = [fx.source(store), fx.source(store)];
    const base = await a.set("cas", "v1-CANARY");
    const results = await Promise.allSettled([a.write("cas", "a-CANARY", { expectedVersion: base.version }), b.write("cas", "b-CANARY", { expectedVersion: base.version })]);
    expect(results.filter((r) => r.status === "fulfilled").length).toBe(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    const e = await expectFailure(Promise.reject(rejected.reason), "CONCURRENT_MODIFICATION", ["a-CANARY", "b-CANARY"]);
    expect(e.message).toMatch(/is at version 2, not 1/);
    expect((await a.versions("cas")).length).toBe(2);
    await expectFailure(a.write("new_one", "x-CANARY", { expectedVersion: 1 }), "CONCURRENT_MODIFICATION");
    expect((await a.write("new_one", "x-CANARY", { expectedVersion: 0 })).version).toBe(1);
  });

  it("a write repeated with its write id makes one version (idempotent retries)", async () => {
    const s = fx.source(fx.store());
    const writeId = randomUUID();
    const first = await s.write("once", "v-CANARY", { writeId });
    const again = await s.write("once", "v-CANARY", { writeId });
    expect(again.version).toBe(first.version);
    expect((await s.versions("once")).length).toBe(1);
  });

  it("many concurrent writers of one name: every write is a version, numbered without gaps", async () => {
    const store = fx.store();
    const writers = [0, 1, 2, 3].map(() => fx.source(store));
    await Promise.all(writers.flatMap((w, i) => [0, 1, 2].map((j) => w.set("busy", `w${i}-${j}-CANARY`))));
    expect((await writers[0]!.versions("busy")).map((v) => v.version)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
  });
});
