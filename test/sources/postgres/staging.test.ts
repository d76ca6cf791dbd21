// The postgres source's pending stage: stage keeps current, promote moves the labels atomically
// and notifies, two stages of one name give one success and one ROTATION_IN_PROGRESS, and a write
// after the stage makes promote refuse.
import { describe, expect, it } from "vitest";
import { expectFailure, postgresFixture } from "./fixture.js";

const fx = postgresFixture();

describe("postgres pending stage", () => {
  it("stage keeps current; promote makes pending current and current previous; a second handle sees it", async () => {
    const store = fx.store();
    const s = fx.source(store);
    await s.set("api_key", "old-CANARY");
    const staged = await s.stage("api_key", "new-CANARY");
    expect(staged.version).toBe(2);
    expect((await s.get("api_key"))?.value).toBe("old-CANARY");
    expect((await fx.source(store).getPending("api_key"))?.value).toBe("new-CANARY");
    expect((await s.versions("api_key")).map((v) => [v.version, v.labels])).toEqual([
      [2, ["pending"]],
      [1, ["current"]],
    ]);
    const promoted = await s.promote("api_key", 2);
    expect(promoted).toMatchObject({ version: 2, value: "new-CANARY" });
    expect((await fx.source(store).get("api_key"))?.value).toBe("new-CANARY");
    expect(await s.getPending("api_key")).toBeUndefined();
    expect((await s.versions("api_key")).map((v) => v.labels)).toEqual([["current"], ["previous"]]);
  });

  it("two stages at once from two handles: one succeeds, one ROTATION_IN_PROGRESS", async () => {
    const store = fx.store();
    await fx.source(store).set("api_key", "old-CANARY");
    const results = await Promise.allSettled([fx.source(store).stage("api_key", "a-CANARY"), fx.source(store).stage("api_key", "b-CANARY")]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    await expectFailure(Promise.reject(rejected.reason), "ROTATION_IN_PROGRESS", ["a-CANARY", "b-CANARY"]);
  });

  it("promote refuses a non-pending version and a pending one overtaken by a write; discard drops it", async () => {
    const s = fx.source(fx.store());
    await s.set("api_key", "old-CANARY");
    await expectFailure(s.promote("api_key", 2), "ROTATION_IN_PROGRESS");
    await s.stage("api_key", "new-CANARY");
    await s.set("api_key", "other-CANARY");
    await expectFailure(s.promote("api_key", 2), "CONCURRENT_MODIFICATION", ["new-CANARY"]);
    expect((await s.get("api_key"))?.value).toBe("other-CANARY");
    expect(await s.discardPending("api_key", 2)).toBe(true);
    expect(await s.getPending("api_key")).toBeUndefined();
    await expectFailure(s.stage("absent", "x-CANARY"), "NOT_FOUND");
  });
});
