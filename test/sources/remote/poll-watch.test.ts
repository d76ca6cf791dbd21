import { describe, expect, it } from "vitest";
import { pollingWatch, type VersionTag } from "../../../src/sources/remote/poll-watch.js";
import type { SourceChange } from "../../../src/types.js";

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

describe("pollingWatch", () => {
  it("reports changed, new and removed names (no values); one timer for all subscribers, stopped with the last", async () => {
    let state = new Map<string, VersionTag>([["a", { tag: "1" }], ["b", { tag: "1" }]]);
    let polls = 0;
    const watch = pollingWatch({ source: "remote", intervalMs: 10, snapshot: async () => (polls++, state) });
    const seen: SourceChange[] = [];
    const stop1 = watch((c) => seen.push(c));
    const stop2 = watch(() => undefined);
    await tick();
    state = new Map([["a", { tag: "2" }], ["c", { tag: "1" }]]);
    await tick();
    expect(seen[0]).toEqual({ source: "remote", names: ["a", "c", "b"] });
    stop1();
    stop2();
    const after = polls;
    await tick();
    expect(polls, "no poll once every subscriber stopped").toBe(after);
  });

  it("a version written after the subscription is reported even when the first poll already sees it", async () => {
    const since = Date.now();
    const watch = pollingWatch({ source: "remote", intervalMs: 1000, snapshot: async () => new Map([["old", { tag: "1", writtenAt: since - 60_000 }], ["new", { tag: "1", writtenAt: Date.now() + 5 }]]) });
    const seen: SourceChange[] = [];
    const stop = watch((c) => seen.push(c));
    await tick();
    stop();
    expect(seen).toEqual([{ source: "remote", names: ["new"] }]);
  });

  it("a failing poll is said once and never reported as a change", async () => {
    const warnings: string[] = [];
    let fail = true;
    const watch = pollingWatch({ source: "remote", intervalMs: 5, onWarning: (m) => warnings.push(m), snapshot: async () => {
      if (fail) throw Object.assign(new Error("x"), { code: "SOURCE_UNAVAILABLE" });
      return new Map([["a", { tag: "1" }]]);
    } });
    const seen: SourceChange[] = [];
    const stop = watch((c) => seen.push(c));
    await tick(40);
    fail = false;
    await tick(20);
    watch.stopAll();
    stop();
    expect(warnings).toEqual(["remote: watching for changes failed (SOURCE_UNAVAILABLE); still trying every 5 ms."]);
    expect(seen).toEqual([]);
  });
});
