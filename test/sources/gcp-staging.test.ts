// The gcp source's rotation stage against the Secret Manager fake, through the real SDK (REST).
// It runs the staging conformance suite (./conformance/staging.ts): stage pins `hush-current` and
// aliases the new version `hush-pending`, so plain reads keep the old value although the new
// version is `latest`; promote moves the aliases with the etag (a promote cut between its two
// patches finishes when promoted again); check-and-set refusals; a stage that loses
// `hush-pending` to a concurrent one refuses; a `set` moves `hush-current`; failures (5xx,
// throttling) are SOURCE_UNAVAILABLE, never "no pending". Here besides: `latest`, the etag on
// every patch, property-mapped names and a source without `rotation: true`.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { HushErrorCode } from "../../src/errors.js";
import type { SecretSource } from "../../src/types.js";
import { googleErrorBody } from "../fakes/gcp-common.js";
import { startGcpTestBed, type GcpTestBed } from "./gcp-harness.js";
import { describeStagingConformance, type StagingInstance, type StagingSource } from "./conformance/staging.js";
import { expectCode as expectCodeWithout } from "../helpers/expect-code.js";

const P = "projects/hush-test";
const OLD = ["old-", "gcp-stage-canary-", "7Hk"].join("");
const NEW = ["new-", "gcp-stage-canary-", "2Zp"].join("");
type Stager = StagingSource;

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

/** Polls (bounded) until `done()`. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
}

describeStagingConformance("gcp", {
  async create(): Promise<StagingInstance> {
    const made: SecretSource[] = [];
    const open = (options: Parameters<GcpTestBed["source"]>[0]) => {
      const s = bed.source({ rotation: true, ...options }).source as Stager;
      made.push(s);
      return s;
    };
    const first = bed.source({ rotation: true }); // a fresh prefix per instance; cached, as hush.yaml builds it
    made.push(first.source);
    const { prefix } = first;
    const secretOf = (name: string) => bed.fake.secret(P, `${prefix}${name}`)!;
    return {
      source: first.source as Stager,
      another: () => open({ prefix, cacheTtlMs: 0 }),
      seed: async (name, value) => void bed.fake.seed(P, `${prefix}${name}`, value), // as gcloud would: no alias
      ownLabels: ["latest"],
      replyCanBeLost: true,
      backend: {
        state: (name) => ({ aliases: secretOf(name).versionAliases, versions: secretOf(name).versions.length }),
        expected: {
          staged: { aliases: { "hush-current": 1, "hush-pending": 2 }, versions: 2 },
          promoted: { aliases: { "hush-current": 2, "hush-previous": 1 }, versions: 2 },
          discarded: { aliases: { "hush-current": 1 }, versions: 2 },
          overtakenDiscarded: { aliases: { "hush-current": 3 }, versions: 3 },
          cut: { aliases: { "hush-current": 2, "hush-pending": 2, "hush-previous": 1 }, versions: 2 },
          raced: { aliases: { "hush-current": 1, "hush-pending": 3 }, versions: 3 }, // ours (2) is read by no one
        },
        writes: () => bed.fake.server.requests.filter((r) => r.method === "POST" || r.method === "PATCH").length,
      },
      async cutPromote(name, version) {
        // The hush-current move is applied, its reply held while Google goes down; the hush-pending removal then fails.
        bed.fake.holdNextPatchReplyMs = 500;
        const failing = (first.source as Stager).promote(name, version).catch((e: unknown) => e);
        await until(() => bed.fake.holdNextPatchReplyMs === 0);
        bed.fake.server.alwaysFault = googleErrorBody("UNAVAILABLE");
        const e = await failing;
        bed.fake.server.alwaysFault = undefined;
        return e;
      },
      async raceStage(name, ours, theirs) {
        // Our version is added; its reply waits while another stage adds its own and takes hush-pending.
        const other = open({ prefix });
        const adds = () => bed.fake.server.requests.filter((r) => r.path.endsWith(":addVersion")).length;
        const before = adds();
        bed.fake.holdNextAddReplyMs = 500;
        const outcome = ours().then(
          () => undefined,
          (e: unknown) => e,
        );
        await until(() => adds() !== before);
        await other.stage(name, theirs);
        return { error: await outcome, pending: theirs };
      },
      unavailable: {
        faults: { UNAVAILABLE: () => void (bed.fake.server.alwaysFault = googleErrorBody("UNAVAILABLE")), RESOURCE_EXHAUSTED: () => void (bed.fake.server.alwaysFault = googleErrorBody("RESOURCE_EXHAUSTED")) },
        heal: () => void (bed.fake.server.alwaysFault = undefined),
      },
      async cleanup() {
        bed.fake.server.alwaysFault = undefined;
        for (const s of made) await s.dispose?.();
      },
    };
  },
}, {
  skips: {
    concurrentStages: "Secret Manager has no lock: two stages racing both add a version and one loses the etag-checked alias patch; raceStage drives that window step by step",
  },
});

/** A fresh secret holding OLD (written by the test, as gcloud would: no alias), a cached source and an uncached reader. */
function setup(): void {
  const made = bed.source({ rotation: true });
  [source, prefix] = [made.source as Stager, made.prefix];
  plain = bed.source({ prefix, cacheTtlMs: 0, rotation: true }).source;
  bed.fake.seed(P, `${prefix}${name}`, OLD);
}
const secret = () => bed.fake.secret(P, `${prefix}${name}`)!;

const expectCode = (p: Promise<unknown>, code: HushErrorCode, values: readonly string[] = [OLD, NEW]) => expectCodeWithout(p, code, values);

describe("gcp source: rotation stage on version aliases", () => {
  it("the pending version is `latest` (versions say so) while reads keep hush-current; every alias patch carries the etag and updateMask version_aliases", async () => {
    setup();
    await source.stage(name, NEW);
    expect((await source.versions(name)).map((v) => [v.version, v.labels])).toEqual([
      [2, ["latest", "pending"]],
      [1, ["current"]],
    ]);
    expect((await plain.get(name))?.value).toBe(OLD);
    await source.promote(name, 2);
    await source.stage(name, "other-CANARY");
    await source.discardPending(name, 3);
    const patches = bed.fake.server.requests.filter((r) => r.method === "PATCH");
    expect(patches.length).toBeGreaterThanOrEqual(4);
    expect(patches.every((r) => typeof (r.json as { etag?: unknown }).etag === "string" && r.query.get("updateMask") === "version_aliases")).toBe(true);
  });

  it("a set during a rotation is a new version (3) and moves hush-current onto it", async () => {
    setup();
    await source.stage(name, NEW);
    expect((await source.set(name, "third-CANARY")).version).toBe(3);
    expect((await plain.get(name))?.value, "set moved hush-current").toBe("third-CANARY");
    expect(secret().versionAliases).toEqual({ "hush-current": 3, "hush-pending": 2 });
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
