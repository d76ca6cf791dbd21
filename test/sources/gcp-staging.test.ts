// The gcp source's rotation stage against the Secret Manager fake, through the real SDK (REST):
// stage pins `hush-current` and aliases the new version `hush-pending`, so plain reads keep the
// old value although the new version is `latest`; promote moves the aliases in one patch with the
// etag; check-and-set refusals; a stage that loses `hush-pending` to a concurrent one refuses; a
// `set` moves `hush-current`; failures (5xx, throttling) are SOURCE_UNAVAILABLE, never "no pending".
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HushError, type HushErrorCode } from "../../src/errors.js";
import type { SecretSource } from "../../src/types.js";
import { googleErrorBody } from "../fakes/gcp-common.js";
import { startGcpTestBed, type GcpTestBed } from "./gcp-harness.js";

const P = "projects/hush-test";
const OLD = ["old-", "gcp-stage-canary-", "7Hk"].join("");
const NEW = ["new-", "gcp-stage-canary-", "2Zp"].join("");
type Stager = SecretSource & Required<Pick<SecretSource, "stage" | "getPending" | "promote" | "discardPending" | "versions" | "set">>;

let bed: GcpTestBed;
let source: Stager;
let plain: SecretSource; // no cache: what any other reader of the secret gets
let prefix: string;
const name = "api_key";

beforeAll(async () => {
  bed = await startGcpTestBed();
});
afterAll(async () => bed.close());
afterEach(async () => {
  bed.fake.server.alwaysFault = undefined;
  bed.fake.server.faults.length = 0;
  await source?.dispose?.();
  await plain?.dispose?.();
});

/** A fresh secret holding OLD (written by the test, as gcloud would: no alias), a cached source and an uncached reader. */
function setup(): void {
  const made = bed.source({ rotation: true });
  [source, prefix] = [made.source as Stager, made.prefix];
  plain = bed.source({ prefix, cacheTtlMs: 0, rotation: true }).source;
  bed.fake.seed(P, `${prefix}${name}`, OLD);
}
const secret = () => bed.fake.secret(P, `${prefix}${name}`)!;

async function expectCode(p: Promise<unknown>, code: HushErrorCode, secrets: string[] = [OLD, NEW]): Promise<HushError> {
  const e = await p.then(
    () => expect.unreachable("it must throw"),
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HushError);
  expect((e as HushError).code).toBe(code);
  const text = `${String(e)} ${(e as HushError).hint ?? ""} ${JSON.stringify(e)} ${(e as Error).stack ?? ""}`;
  for (const s of secrets) expect(text).not.toContain(s);
  return e as HushError;
}

describe("gcp source: rotation stage on version aliases", () => {
  it("stage keeps reads on the old value while the new version is `latest`; promote moves hush-current then drops hush-pending, with the etag", async () => {
    setup();
    expect((await source.get(name))?.value).toBe(OLD); // cached now: promote must drop it
    const staged = await source.stage(name, NEW);
    expect(staged).toMatchObject({ name, value: NEW, version: 2, source: "gcp" });
    expect(secret().versionAliases).toEqual({ "hush-current": 1, "hush-pending": 2 });
    expect((await plain.get(name))?.value, "a read between stage and promote returns the old value").toBe(OLD);
    expect((await source.get(name))?.value).toBe(OLD);
    expect(await source.getPending(name)).toMatchObject({ value: NEW, version: 2 });
    expect((await source.versions(name)).map((v) => [v.version, v.labels])).toEqual([
      [2, ["latest", "pending"]],
      [1, ["current"]],
    ]);
    expect(await source.promote(name, 2)).toMatchObject({ value: NEW, version: 2 });
    expect(secret().versionAliases).toEqual({ "hush-current": 2, "hush-previous": 1 });
    expect((await source.get(name))?.value, "the cache dropped the name at promote").toBe(NEW);
    expect((await plain.get(name))?.value).toBe(NEW);
    expect(await source.getPending(name)).toBeUndefined();
    expect(await source.promote(name, 2), "a retried promote (reply lost) is done already").toMatchObject({ value: NEW, version: 2 });
    const patches = bed.fake.server.requests.filter((r) => r.method === "PATCH");
    expect(patches.every((r) => typeof (r.json as { etag?: unknown }).etag === "string" && r.query.get("updateMask") === "version_aliases")).toBe(true);
  });

  it("check-and-set: a second stage is ROTATION_IN_PROGRESS; promote of a non-pending version refuses; a set after the stage becomes current and makes promote CONCURRENT_MODIFICATION; discard drops the alias", async () => {
    setup();
    await expectCode(source.promote(name, 2), "ROTATION_IN_PROGRESS");
    await source.stage(name, NEW);
    await expectCode(source.stage(name, "other-CANARY"), "ROTATION_IN_PROGRESS", [OLD, NEW, "other-CANARY"]);
    expect(secret().versions.length, "the refused stage wrote nothing").toBe(2);
    await expectCode(source.promote(name, 1), "ROTATION_IN_PROGRESS");
    expect((await source.set(name, "third-CANARY")).version).toBe(3);
    expect((await plain.get(name))?.value, "set moved hush-current").toBe("third-CANARY");
    await expectCode(source.promote(name, 2), "CONCURRENT_MODIFICATION", [OLD, NEW, "third-CANARY"]);
    expect(await source.discardPending(name, 1)).toBe(false);
    expect(await source.discardPending(name, 2)).toBe(true);
    expect(await source.getPending(name)).toBeUndefined();
    expect(secret().versionAliases).toEqual({ "hush-current": 3 });
    await expectCode(source.stage("absent_name", NEW), "NOT_FOUND");
  });

  it("a stage that loses hush-pending to another stage between its add and its patch refuses (ROTATION_IN_PROGRESS); its version is read by no one", async () => {
    setup();
    const other = bed.source({ prefix, rotation: true }).source as Stager;
    try {
      const adds = () => bed.fake.server.requests.filter((r) => r.path.endsWith(":addVersion")).length;
      const before = adds();
      bed.fake.holdNextAddReplyMs = 500; // our version is stored; its reply waits while the other stage runs
      const ours = source.stage(name, NEW);
      const deadline = Date.now() + 10_000;
      while (adds() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
      await other.stage(name, "theirs-CANARY");
      await expectCode(ours, "ROTATION_IN_PROGRESS", [OLD, NEW, "theirs-CANARY"]);
      expect((await source.getPending(name))?.value).toBe("theirs-CANARY");
      expect((await plain.get(name))?.value).toBe(OLD);
    } finally {
      await other.dispose?.();
    }
  });

  it("5xx and throttling past the retries are SOURCE_UNAVAILABLE for getPending, stage, promote and discard: never 'no pending'", async () => {
    setup();
    await source.stage(name, NEW);
    for (const fault of [googleErrorBody("UNAVAILABLE"), googleErrorBody("RESOURCE_EXHAUSTED")]) {
      bed.fake.server.alwaysFault = fault;
      await expectCode(source.getPending(name), "SOURCE_UNAVAILABLE");
      await expectCode(source.stage(name, NEW), "SOURCE_UNAVAILABLE");
      await expectCode(source.promote(name, 2), "SOURCE_UNAVAILABLE");
      await expectCode(source.discardPending(name, 2), "SOURCE_UNAVAILABLE");
      bed.fake.server.alwaysFault = undefined;
    }
    expect(secret().versionAliases).toEqual({ "hush-current": 1, "hush-pending": 2 });
    expect(secret().versions.length).toBe(2);
  });

  it("a property-mapped name is READ_ONLY", async () => {
    setup();
    const mapped = bed.source({ prefix, rotation: true }, { field: { key: `${prefix}${name}`, property: "x" } }).source as Stager;
    try {
      await expectCode(mapped.stage("field", NEW), "READ_ONLY");
    } finally {
      await mapped.dispose?.();
    }
  });

  it("without `rotation: true` the source cannot stage, and reads take latest as any other client does", async () => {
    setup();
    await source.stage(name, NEW);
    const off = bed.source({ prefix, cacheTtlMs: 0 }).source;
    try {
      expect(typeof (off as Partial<Stager>).stage).toBe("undefined");
      // The pending version is latest: a source without rotation serves it, as gcloud and Cloud Run's :latest do.
      expect((await off.get(name))?.value).toBe(NEW);
      expect((await plain.get(name))?.value).toBe(OLD);
    } finally {
      await off.dispose?.();
    }
  });
});
