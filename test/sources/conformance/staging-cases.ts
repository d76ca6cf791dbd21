/**
 * The cases of the staging conformance suite (./staging.ts), in the order they run. Each starts
 * from a fresh instance holding `api_key` = OLD (version 1), written by another writer. A case that
 * needs something of the harness says so (`requires`); a source without it declares a skip with
 * its reason, and the suite's `contract` case checks that skips and harness agree.
 */
import { expect } from "vitest";
import { HushError, type HushErrorCode } from "../../../src/errors.js";
import type { SecretSource } from "../../../src/types.js";
import type { BackendMoment, StagingInstance } from "./staging-harness.js";

/** The suite's values; each is a canary for the leak checks (never written literally, so no source line quotes one). */
export const STAGING_VALUES = {
  OLD: ["old-", "staging-CANARY-", "7Hk"].join(""),
  NEW: ["new-", "staging-CANARY-", "2Zp"].join(""),
  THEIRS: ["theirs-", "staging-CANARY-", "9Qa"].join(""),
  OTHER: ["other-", "staging-CANARY-", "5Wd"].join(""),
} as const;
const { OLD, NEW, THEIRS, OTHER } = STAGING_VALUES;
/** The name every case stages. */
export const STAGING_NAME = "api_key";
const NAME = STAGING_NAME;

/** One case of the suite. */
export interface StagingCaseDefinition<Id extends string = string> {
  id: Id;
  /** What it checks, one line (the test's title after `<id>: `). */
  title: string;
  /** What the case needs of the harness; without it the source must declare a skip. */
  requires?: { what: string; present(instance: StagingInstance): boolean };
  run(instance: StagingInstance): Promise<void>;
}

const has = (what: string, present: (i: StagingInstance) => boolean) => ({ what, present });

const CASES = [
  { id: "invisible", title: "stage writes a pending version that no reader sees: get (cached or another handle) keeps current; getPending and versions show it", run: invisibleCase },
  { id: "promote", title: "promote makes the pending version current and the old one previous, for every reader (the cache drops the name)", run: promoteCase },
  { id: "promoteRetry", title: "a retried promote (its reply lost) answers the same record and writes nothing", requires: has("a promote whose reply can be lost (replyCanBeLost)", (i) => i.replyCanBeLost === true), run: promoteRetryCase },
  { id: "refusals", title: "check-and-set: a second stage is ROTATION_IN_PROGRESS and writes nothing; promote of a version that is not pending is ROTATION_IN_PROGRESS", run: refusalsCase },
  { id: "overtaken", title: "a write after the stage is served: promote is CONCURRENT_MODIFICATION and no value is lost; the pending one can still be discarded", run: overtakenCase },
  { id: "discard", title: "discardPending drops the pending version (false for any other), readers keep current, a new stage then starts", run: discardCase },
  { id: "notFound", title: "a name with no current value cannot be staged: NOT_FOUND, nothing created", run: notFoundCase },
  { id: "concurrentStages", title: "two stages of one name at once, from two handles: one succeeds, the other is ROTATION_IN_PROGRESS", requires: has("stages serialized by the source (serializesStages)", (i) => i.serializesStages === true), run: concurrentStagesCase },
  { id: "raceStage", title: "a stage overtaken by another writer between its check and its write is ROTATION_IN_PROGRESS; readers keep current", requires: has("a way to overtake a stage in its window (raceStage)", (i) => !!i.raceStage), run: raceStageCase },
  { id: "cutPromote", title: "a promote cut between its steps keeps the version pending; promoting it again finishes", requires: has("a promote of several steps that can be cut (cutPromote)", (i) => !!i.cutPromote), run: cutPromoteCase },
  { id: "unavailable", title: "5xx and throttling past the retries are SOURCE_UNAVAILABLE for getPending, stage, promote and discard: never 'no pending', nothing changed", requires: has("backend faults (unavailable)", (i) => !!i.unavailable), run: unavailableCase },
] as const satisfies readonly StagingCaseDefinition[];

/** A case that a source may skip, with a reason. */
export type StagingSkippableCase = (typeof CASES)[number]["id"];
/** Every case after `contract`, in order. */
export const STAGING_CASES: readonly StagingCaseDefinition<StagingSkippableCase>[] = CASES;

/** Checks that `p` rejects with a HushError of `code` (when given) holding none of the suite's values. */
export async function expectStagingRefusal(p: Promise<unknown>, code: HushErrorCode | undefined, what: string): Promise<HushError> {
  const e = await p.then(
    (v) => expect.unreachable(`${what} resolved to ${v === undefined ? "undefined" : "a result"}; it must throw`),
    (x: unknown) => x,
  );
  return expectNoValueIn(e, code, what);
}

// --- internal ---

function expectNoValueIn(e: unknown, code: HushErrorCode | undefined, what: string): HushError {
  expect(e, what).toBeInstanceOf(HushError);
  const err = e as HushError;
  if (code) expect(err.code, `${what}: ${err.message}`).toBe(code);
  const text = `${err.message} ${String(err)} ${JSON.stringify(err)} ${err.hint ?? ""} ${err.stack ?? ""}`;
  for (const v of [...Object.values(STAGING_VALUES), "CANARY"]) expect(text.includes(v), `${what}: a value leaked into the error`).toBe(false);
  return err;
}

/** Versions' labels, newest first, without the backend's own. */
async function labelsOf(i: StagingInstance, source: SecretSource = i.source): Promise<[number, string[]][]> {
  const own = new Set(i.ownLabels ?? []);
  return (await source.versions!(NAME)).map((v) => [v.version, (v.labels ?? []).filter((l) => !own.has(l))]);
}

async function expectBackend(i: StagingInstance, moment: BackendMoment): Promise<void> {
  if (!i.backend || !(moment in i.backend.expected)) return;
  expect(await i.backend.state(NAME), `the backend's state when ${moment}`).toEqual(i.backend.expected[moment]);
}

/** What `get` gives on the source and on another handle. */
async function served(i: StagingInstance): Promise<[string | undefined, string | undefined]> {
  const other = await i.another();
  return [(await i.source.get(NAME))?.value, (await other.get(NAME))?.value];
}

async function staged(i: StagingInstance): Promise<void> {
  await i.seed(NAME, OLD);
  expect((await i.source.get(NAME))?.value, "before the stage").toBe(OLD); // a caching source now holds OLD: promote must drop it
  expect(await i.source.stage(NAME, NEW)).toMatchObject({ name: NAME, value: NEW, version: 2, source: i.source.name });
}

async function invisibleCase(i: StagingInstance): Promise<void> {
  await staged(i);
  expect(await served(i), "a read between stage and promote returns the old value").toEqual([OLD, OLD]);
  for (const r of [await i.source.get(NAME), ...(i.source.getMany ? await i.source.getMany([NAME]) : [])]) {
    expect(r?.value, "get and getMany serve current").toBe(OLD);
    if (r?.version !== undefined) expect(r.version, "a record with a number carries current's").toBe(1);
  }
  expect(await i.source.getPending(NAME)).toMatchObject({ name: NAME, value: NEW, version: 2 });
  expect(await (await i.another()).getPending(NAME), "another handle sees the same pending version").toMatchObject({ value: NEW, version: 2 });
  expect(await labelsOf(i)).toEqual([
    [2, ["pending"]],
    [1, ["current"]],
  ]);
  expect(JSON.stringify(await i.source.versions(NAME)), "versions carry no value").not.toContain("CANARY");
  await expectBackend(i, "staged");
}

async function promoteCase(i: StagingInstance): Promise<void> {
  await staged(i);
  expect(await i.source.promote(NAME, 2)).toMatchObject({ name: NAME, value: NEW, version: 2 });
  expect(await served(i), "the cache dropped the name at promote; another handle reads the new value").toEqual([NEW, NEW]);
  expect(await i.source.getPending(NAME)).toBeUndefined();
  expect(await (await i.another()).getPending(NAME)).toBeUndefined();
  expect(await labelsOf(i)).toEqual([
    [2, ["current"]],
    [1, ["previous"]],
  ]);
  await expectBackend(i, "promoted");
}

async function promoteRetryCase(i: StagingInstance): Promise<void> {
  await staged(i);
  await i.source.promote(NAME, 2);
  const writes = i.backend?.writes?.();
  expect(await i.source.promote(NAME, 2), "a retried promote is done already").toMatchObject({ value: NEW, version: 2 });
  if (writes !== undefined) expect(i.backend!.writes!(), "and writes nothing").toBe(writes);
  expect(await served(i)).toEqual([NEW, NEW]);
  await expectBackend(i, "promoted");
}

async function refusalsCase(i: StagingInstance): Promise<void> {
  await i.seed(NAME, OLD);
  await expectStagingRefusal(i.source.promote(NAME, 2), "ROTATION_IN_PROGRESS", "promote with nothing pending");
  await i.source.stage(NAME, NEW);
  await expectStagingRefusal(i.source.stage(NAME, OTHER), "ROTATION_IN_PROGRESS", "a second stage");
  await expectStagingRefusal(i.source.promote(NAME, 1), "ROTATION_IN_PROGRESS", "promote of the current version");
  await expectStagingRefusal(i.source.promote(NAME, 3), "ROTATION_IN_PROGRESS", "promote of a version that does not exist");
  expect((await i.source.versions(NAME)).length, "the refused stage wrote nothing").toBe(2);
  expect(await i.source.getPending(NAME), "the first stage is still pending").toMatchObject({ value: NEW, version: 2 });
  expect(await served(i)).toEqual([OLD, OLD]);
  await expectBackend(i, "staged");
}

async function overtakenCase(i: StagingInstance): Promise<void> {
  await staged(i);
  expect((await i.source.set(NAME, THEIRS)).value).toBe(THEIRS);
  expect((await labelsOf(i)).slice(0, 2), "the write is version 3, current; 2 stays pending").toEqual([
    [3, ["current"]],
    [2, ["pending"]],
  ]);
  const record = await i.source.get(NAME);
  if (record?.version !== undefined) expect(record.version, "a record with a number carries the write's").toBe(3);
  expect(await served(i)).toEqual([THEIRS, THEIRS]);
  await expectStagingRefusal(i.source.promote(NAME, 2), "CONCURRENT_MODIFICATION", "promote over a newer write");
  expect(await served(i), "the refused promote lost no value").toEqual([THEIRS, THEIRS]);
  expect(await i.source.getPending(NAME), "nor the pending one").toMatchObject({ value: NEW, version: 2 });
  expect(await i.source.discardPending(NAME, 1)).toBe(false);
  expect(await i.source.discardPending(NAME, 2)).toBe(true);
  expect(await i.source.getPending(NAME)).toBeUndefined();
  expect(await served(i)).toEqual([THEIRS, THEIRS]);
  await expectBackend(i, "overtakenDiscarded");
}

async function discardCase(i: StagingInstance): Promise<void> {
  await staged(i);
  expect(await i.source.discardPending(NAME, 1), "not the pending version").toBe(false);
  expect(await i.source.discardPending(NAME, 3), "no such version").toBe(false);
  expect(await i.source.discardPending(NAME, 2)).toBe(true);
  expect(await i.source.getPending(NAME)).toBeUndefined();
  expect(await (await i.another()).getPending(NAME)).toBeUndefined();
  expect(await served(i)).toEqual([OLD, OLD]);
  await expectBackend(i, "discarded");
  expect(await i.source.discardPending(NAME, 2), "a retried discard").toBe(false);
  await expectStagingRefusal(i.source.promote(NAME, 2), "ROTATION_IN_PROGRESS", "promote of a discarded version");
  const again = await i.source.stage(NAME, OTHER);
  expect(again.version, "a new rotation can start").toBeGreaterThan(1);
  expect(await i.source.getPending(NAME)).toMatchObject({ value: OTHER, version: again.version });
  expect(await served(i)).toEqual([OLD, OLD]);
}

async function notFoundCase(i: StagingInstance): Promise<void> {
  await i.seed(NAME, OLD);
  await expectStagingRefusal(i.source.stage("absent_name", NEW), "NOT_FOUND", "stage of a name with no value");
  expect(await i.source.get("absent_name")).toBeUndefined();
  expect(await i.source.getPending("absent_name")).toBeUndefined();
  expect(await i.source.discardPending("absent_name", 1)).toBe(false);
}

async function concurrentStagesCase(i: StagingInstance): Promise<void> {
  await i.seed(NAME, OLD);
  const [a, b] = [await i.another(), await i.another()];
  const results = await Promise.allSettled([a.stage(NAME, NEW), b.stage(NAME, THEIRS)]);
  expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
  const refused = results.find((r): r is PromiseRejectedResult => r.status === "rejected")!;
  await expectStagingRefusal(Promise.reject(refused.reason), "ROTATION_IN_PROGRESS", "the stage that lost");
  const won = results[0]!.status === "fulfilled" ? NEW : THEIRS;
  expect((await i.source.getPending(NAME))?.value === won, "the winner's value is pending").toBe(true);
  expect(await served(i)).toEqual([OLD, OLD]);
}

async function raceStageCase(i: StagingInstance): Promise<void> {
  await i.seed(NAME, OLD);
  expect((await i.source.get(NAME))?.value).toBe(OLD);
  const outcome = await i.raceStage!(NAME, () => i.source.stage(NAME, NEW), THEIRS);
  expectNoValueIn(outcome.error, "ROTATION_IN_PROGRESS", "the overtaken stage");
  expect((await i.source.getPending(NAME))?.value === outcome.pending, "the other writer's pending value (or none) is pending, never ours").toBe(true);
  expect(await served(i), "no one reads the overtaken stage's version nor the other's pending one").toEqual([OLD, OLD]);
  await expectBackend(i, "raced");
}

async function cutPromoteCase(i: StagingInstance): Promise<void> {
  await staged(i);
  expectNoValueIn(await i.cutPromote!(NAME, 2), "SOURCE_UNAVAILABLE", "the cut promote");
  await expectBackend(i, "cut");
  expect(await i.source.getPending(NAME), "still pending").toMatchObject({ value: NEW, version: 2 });
  expect(await i.source.promote(NAME, 2), "promoted again").toMatchObject({ value: NEW, version: 2 });
  expect(await i.source.getPending(NAME)).toBeUndefined();
  expect(await served(i)).toEqual([NEW, NEW]);
  await expectBackend(i, "promoted");
}

async function unavailableCase(i: StagingInstance): Promise<void> {
  await staged(i);
  const { faults, heal } = i.unavailable!;
  for (const [fault, start] of Object.entries(faults)) {
    start();
    try {
      await expectStagingRefusal(i.source.getPending(NAME), "SOURCE_UNAVAILABLE", `getPending (${fault})`);
      await expectStagingRefusal(i.source.stage(NAME, NEW), "SOURCE_UNAVAILABLE", `stage (${fault})`);
      await expectStagingRefusal(i.source.promote(NAME, 2), "SOURCE_UNAVAILABLE", `promote (${fault})`);
      await expectStagingRefusal(i.source.discardPending(NAME, 2), "SOURCE_UNAVAILABLE", `discardPending (${fault})`);
    } finally {
      heal();
    }
  }
  await expectBackend(i, "staged");
  expect(await i.source.getPending(NAME)).toMatchObject({ value: NEW, version: 2 });
}
