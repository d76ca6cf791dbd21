/**
 * `hush rotate` (the library's rotateSecret) on a staging source, one suite for every source that
 * can stage (the workflow above test/sources/conformance/staging.ts, which checks the capability
 * itself). A source's rotate test file calls `describeRotateOnSource(type, harness, { skips })`:
 * a project whose hush.yaml names the source, holding `api_token`, and the ways to look at and
 * break its backend. The cases:
 * - a rotation: the new value waits as pending while reads serve the old one, then finish makes it
 *   current (the old one previous); a second rotation with `random` moves on; no value in any output;
 * - a second rotation while the first is between create and finish is ROTATION_IN_PROGRESS and
 *   writes nothing; the first then finishes;
 * - a rotation cut between stage and finish (its test step fails): `--resume` finishes and revokes
 *   the OLD value, never the new one;
 * - a finish cut between its own steps (`cutFinish`): the same;
 * - the backend unreachable at finish: ROTATION_FAILED (SOURCE_UNAVAILABLE), current and pending
 *   kept; `--resume` while it is down is SOURCE_UNAVAILABLE (never "no pending"); then it finishes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rotateSecret, type RotateOptions } from "../../../src/workflows/rotate.js";
import { registerRotatorType } from "../../../src/rotation/registry.js";
import { defineRotatorType } from "../../../src/rotation/rotator.js";
import { HushError } from "../../../src/errors.js";

/** The rotated name and the values the suite writes (canaries: never in an output). */
export const ROTATE_NAME = "api_token";
export const ROTATE_VALUES = {
  OLD: ["old-", "rotate-on-source-canary-", "4Rt"].join(""),
  FRESH: ["fresh-", "rotate-on-source-canary-", "8Vn"].join(""),
  HELD: ["held-", "rotate-on-source-canary-", "3Jc"].join(""),
  CUT: ["cut-", "rotate-on-source-canary-", "6Mx"].join(""),
} as const;
const { OLD, FRESH, HELD, CUT } = ROTATE_VALUES;

/** One project on a fresh backend, holding `api_token` = OLD. */
export interface RotateOnSourceInstance {
  /** The project folder: hush.yaml with the source, `.secrets/` with its key. */
  dir: string;
  /** The environment rotateSecret gets (credentials of the fake). */
  env?: NodeJS.ProcessEnv;
  /** What a read of `api_token` by another reader (no shared cache) serves now. */
  served(): Promise<string | undefined>;
  /** The backend's raw state of `api_token`, and what it must be with `value` pending, or just promoted. */
  backend: { state(): unknown | Promise<unknown>; staged(value: string): unknown; promoted(value: string): unknown; cut?(value: string): unknown };
  /** Makes the backend unavailable past the source's retries (5xx), until `heal`. */
  goDown?(): void;
  heal?(): void;
  /**
   * A finish cut between its steps: `arm()` is called at the rotator's test step (just before
   * finish); `cutWhenLanded()` resolves once finish's first step has landed and the backend is
   * down for the rest (`heal` ends it).
   */
  cutFinish?: { arm(): void; cutWhenLanded(): Promise<void> };
  cleanup(): Promise<void>;
}

/** How the suite makes projects: a fresh one per case. */
export interface RotateOnSourceHarness {
  create(): Promise<RotateOnSourceInstance>;
}

/** Cases a source may skip, with the reason. */
export interface RotateOnSourceOptions {
  skips?: Partial<Record<"cutFinish" | "unreachable", string>>;
}

/** Describes the `hush rotate` suite for one staging source type. */
export function describeRotateOnSource(type: string, harness: RotateOnSourceHarness, options: RotateOnSourceOptions = {}): void {
  const skips = options.skips ?? {};
  const rotator = `test-scripted-${type}`;
  let script: Script = {};
  let unregister: (() => void) | undefined;
  let instance: RotateOnSourceInstance | undefined;
  beforeAll(() => {
    unregister = registerRotatorType(
      defineRotatorType({
        type: rotator,
        summary: "the suite's script decides each step (tests)",
        options: {},
        create: () => ({ create: async () => script.value ?? FRESH, set: async () => script.onSet?.(), test: async () => script.onTest?.(), revoke: async ({ value }) => void script.revoked?.push(value) }),
      }),
    );
  });
  afterAll(() => unregister?.());
  afterEach(async () => {
    script = {};
    instance?.heal?.();
    await instance?.cleanup();
    instance = undefined;
  });
  const fresh = async () => (instance = await harness.create());
  const rotate = (i: RotateOnSourceInstance, more: Partial<RotateOptions> = {}) => rotateSecret({ cwd: i.dir, env: i.env, name: ROTATE_NAME, graceMs: 0, rotator: { type: rotator, options: {} }, ...more });
  const random = { rotator: { type: "random", options: {} } };

  describe(`hush rotate on a staging source: ${type}`, () => {
    it("rotates: the new value is pending while reads serve the old one, then current (the old one previous); no value in any output", async () => {
      const i = await fresh();
      const progress: string[] = [];
      const during: unknown[] = [];
      script = { value: FRESH, onSet: async () => void during.push(await i.served(), await i.backend.state()) };
      const result = await rotate(i, { onProgress: (line) => void progress.push(line) });
      expect(during, "zero downtime: between create and finish, reads serve the old value").toEqual([OLD, i.backend.staged(FRESH)]);
      expect(result).toMatchObject({ name: ROTATE_NAME, source: type, rotator, version: 2, previousVersion: 1, resumed: false });
      expect(await i.backend.state()).toEqual(i.backend.promoted(FRESH));
      expect(await i.served()).toBe(FRESH);
      const second = await rotate(i, { ...random, onProgress: (line) => void progress.push(line) });
      expect(second).toMatchObject({ rotator: "random", version: 3, previousVersion: 2, resumed: false });
      const now = await i.served();
      expect(now).toMatch(/^[A-Za-z0-9]{40}$/);
      const shown = progress.join("\n") + JSON.stringify([result, second]);
      for (const v of [OLD, FRESH, now!]) expect(shown.includes(v), "a value leaked into the progress or the result").toBe(false);
    });

    it("a second rotation while the first is between create and finish is ROTATION_IN_PROGRESS and writes nothing; the first then finishes", async () => {
      const i = await fresh();
      let release!: () => void;
      let started!: () => void;
      const inSet = new Promise<void>((r) => (started = r));
      const gate = new Promise<void>((r) => (release = r));
      script = { value: HELD, onSet: () => (started(), gate) };
      try {
        const first = rotate(i);
        await inSet;
        expect(await i.served(), "a read between create and finish").toBe(OLD);
        const second = await rotate(i, random).catch((e: unknown) => e);
        expectFailure(second, "ROTATION_IN_PROGRESS");
        expect(await i.backend.state(), "the refused rotation wrote nothing").toEqual(i.backend.staged(HELD));
        release();
        expect(await first).toMatchObject({ version: 2, previousVersion: 1 });
        expect(await i.served()).toBe(HELD);
      } finally {
        release();
      }
    });

    it("a rotation cut between stage and finish (its test step fails): the old value is served; --resume finishes and revokes the OLD value, never the new one", async () => {
      const i = await fresh();
      const revoked: string[] = [];
      script = { value: CUT, revoked, onTest: () => Promise.reject(new HushError("SOURCE_UNAVAILABLE", "the target is not ready")) };
      const cut = await rotate(i).catch((e: unknown) => e);
      expectFailure(cut, "ROTATION_FAILED");
      expect(await i.backend.state()).toEqual(i.backend.staged(CUT));
      expect(await i.served()).toBe(OLD);
      script.onTest = undefined;
      const resumed = await rotate(i, { resume: true });
      expect(resumed).toMatchObject({ resumed: true, version: 2, previousVersion: 1, revoke: "done" });
      expect(revoked).toEqual([OLD]);
      expect(await i.served()).toBe(CUT);
      expect(JSON.stringify(resumed)).not.toContain(CUT);
    });

    const cutReason = skips.cutFinish;
    if (cutReason) it.skip(`a finish cut between its steps — skipped: ${cutReason}`, () => undefined);
    else
      it("a finish cut between its steps: --resume finishes, and revokes the OLD value (previous), never the new one", async () => {
        const i = await fresh();
        if (!i.cutFinish) throw new Error(`${type}'s harness has no cutFinish: declare skips.cutFinish with the reason`);
        const revoked: string[] = [];
        script = { value: CUT, revoked, onTest: () => i.cutFinish!.arm() };
        const cut = rotate(i).catch((e: unknown) => e);
        await i.cutFinish.cutWhenLanded();
        expectFailure(await cut, "ROTATION_FAILED");
        i.heal!();
        script.onTest = undefined;
        expect(await i.backend.state()).toEqual(i.backend.cut!(CUT));
        expect(revoked).toEqual([]);
        const resumed = await rotate(i, { resume: true });
        expect(resumed).toMatchObject({ resumed: true, version: 2, previousVersion: 1, revoke: "done" });
        expect(await i.backend.state()).toEqual(i.backend.promoted(CUT));
        expect(revoked).toEqual([OLD]);
      });

    const downReason = skips.unreachable;
    if (downReason) it.skip(`the backend unreachable at finish — skipped: ${downReason}`, () => undefined);
    else
      it("the backend unreachable at finish: ROTATION_FAILED (SOURCE_UNAVAILABLE), current and pending kept; --resume while down is SOURCE_UNAVAILABLE, never 'no pending'; then it finishes", async () => {
        const i = await fresh();
        if (!i.goDown || !i.heal) throw new Error(`${type}'s harness has no goDown/heal: declare skips.unreachable with the reason`);
        script = { value: FRESH, onSet: async () => i.goDown!() };
        const failed = await rotate(i).catch((e: unknown) => e);
        expect(expectFailure(failed, "ROTATION_FAILED").message).toContain("SOURCE_UNAVAILABLE");
        i.heal();
        expect(await i.backend.state()).toEqual(i.backend.staged(FRESH));
        expect(await i.served()).toBe(OLD);
        i.goDown();
        const down = await rotate(i, { ...random, resume: true }).catch((e: unknown) => e);
        expectFailure(down, "SOURCE_UNAVAILABLE");
        i.heal();
        expect(await rotate(i, { ...random, resume: true })).toMatchObject({ resumed: true, version: 2, previousVersion: 1 });
        expect(await i.served()).toBe(FRESH);
      });
  });
}

// --- internal ---

interface Script {
  value?: string;
  onSet?: () => Promise<void> | void;
  onTest?: () => Promise<void> | void;
  revoked?: string[];
}

/** `e` is a HushError with `code` and none of the suite's values in it. */
function expectFailure(e: unknown, code: string): HushError {
  expect(e).toBeInstanceOf(HushError);
  const err = e as HushError;
  expect(err.code, err.message).toBe(code);
  const text = `${String(err)} ${JSON.stringify(err)} ${err.hint ?? ""}`;
  for (const v of Object.values(ROTATE_VALUES)) expect(text.includes(v), "a value leaked into an error").toBe(false);
  return err;
}
