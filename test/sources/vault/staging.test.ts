// The vault source's rotation stage against the Vault fake, through the source's own HTTP client.
// It runs the staging conformance suite (../conformance/staging.ts): stage writes a new KV v2
// version marked hush-pending while reads keep serving hush-current (zero downtime, also through
// the cache), promote moves the marks in one metadata write (a retry writes nothing), check-and-set
// refusals, two stages racing past the check, discard, and failures (5xx, throttling) are
// SOURCE_UNAVAILABLE, never "no pending". Here besides: what a read costs, other metadata and
// fields kept, discard covering the latest version, writes without hush, another writer acting
// between stage's writes, a stage cut between its writes, the watch's tag, and the source without
// `rotation: true`. No value in any error.
import { afterEach, describe, expect, it } from "vitest";
import type { HushErrorCode } from "../../../src/errors.js";
import { PREFIX, setupVault, type VaultSetup } from "./harness.js";
import { createVaultClient } from "../../../src/sources/vault/client.js";
import { createVaultKvSource } from "../../../src/sources/vault/source.js";
import { versionTags } from "../../../src/sources/vault/watch-snapshot.js";
import { describeStagingConformance, STAGING_VALUES, type StagingInstance, type StagingSource } from "../conformance/staging.js";
import { expectCode as expectCodeWithout } from "../../helpers/expect-code.js";

const OLD = ["old-", "vault-stage-", "7Hk"].join("");
const NEW = ["new-", "vault-stage-", "2Zp"].join("");
const THEIRS = ["theirs-", "vault-stage-", "9Qa"].join("");
const NAME = "api_key";
const KEY = `${PREFIX}/${NAME}`;

type Stager = StagingSource & Required<Pick<StagingSource, "getMany">>;
let setup: VaultSetup | undefined;
let source: Stager;

afterEach(async () => {
  await setup?.cleanup();
  setup = undefined;
});

const S = STAGING_VALUES;
const FAULTS = { "503 sealed": { status: 503, body: JSON.stringify({ errors: ["Vault is sealed"] }) }, "429 rate limit": { status: 429, body: JSON.stringify({ errors: ["rate limit quota exceeded"] }) }, "500": { status: 500, body: JSON.stringify({ errors: ["internal error"] }) } };

describeStagingConformance("vault", {
  async create(): Promise<StagingInstance> {
    const bed = await setupVault({ rotation: true }); // cached, as hush.yaml builds it
    const { vault } = bed;
    return {
      source: bed.source as unknown as StagingSource,
      another: () => bed.another({ cacheTtl: 0 }) as unknown as StagingSource,
      seed: async (name, value) => bed.seed({ [name]: value }),
      replyCanBeLost: true,
      backend: {
        // hush's marks (without the random hush-stage id), the latest version (what a plain Vault read serves) and every version's value.
        state(name) {
          const s = vault.kv().secrets.get(`${PREFIX}/${name}`)!;
          const { "hush-stage": _id, ...marks } = s.custom_metadata ?? {};
          return { marks, latest: s.current_version, values: Object.fromEntries([...s.versions].map(([n, v]) => [n, v.data])) };
        },
        expected: {
          staged: { marks: { "hush-current": "1", "hush-pending": "2" }, latest: 2, values: { 1: { value: S.OLD }, 2: { value: S.NEW } } },
          promoted: { marks: { "hush-current": "2", "hush-previous": "1" }, latest: 2, values: { 1: { value: S.OLD }, 2: { value: S.NEW } } },
          // The pending version was the latest: covered by a copy of the current data, so plain Vault reads serve it too.
          discarded: { marks: { "hush-current": "3" }, latest: 3, values: { 1: { value: S.OLD }, 2: { value: S.NEW }, 3: { value: S.OLD } } },
          // The set wrote over the served value, not the pending one; version 3 is newer than hush-current and not pending: served.
          overtakenDiscarded: { marks: { "hush-current": "1" }, latest: 3, values: { 1: { value: S.OLD }, 2: { value: S.NEW }, 3: { value: S.THEIRS } } },
          raced: { marks: { "hush-current": "1", "hush-pending": "2" }, latest: 1, values: { 1: { value: S.OLD } } }, // no version written
        },
        writes: () => vault.server.requests.filter((r) => r.method === "POST").length,
      },
      async raceStage(name, ours) {
        // Another stage writes its marks just before ours are read back (it would write its version next).
        let marked = false;
        vault.beforeRequest = (method, api) => {
          if (api !== `secret/metadata/${PREFIX}/${name}`) return undefined;
          if (method === "POST") marked = true;
          else if (marked) {
            vault.beforeRequest = undefined;
            vault.kv().writeMetadata(`${PREFIX}/${name}`, { custom_metadata: { "hush-current": "1", "hush-pending": "2", "hush-stage": "the-other-stage" } });
          }
          return undefined;
        };
        const error = await ours().then(
          () => undefined,
          (e: unknown) => e,
        );
        vault.beforeRequest = undefined;
        return { error, pending: undefined }; // its marks point at a version not written yet: nothing is pending
      },
      unavailable: {
        faults: Object.fromEntries(Object.entries(FAULTS).map(([what, fault]) => [what, () => void (vault.server.alwaysFault = fault)])),
        heal: () => void (vault.server.alwaysFault = undefined),
      },
      cleanup: () => bed.cleanup(),
    };
  },
}, {
  skips: {
    concurrentStages: "Vault has no lock: two stages racing past the check are told apart by the marks read back (raceStage) and by the data write's check-and-set (a test below)",
    cutPromote: "promote is one metadata write (the marks move together): it is done or not; a lost reply is promoteRetry",
  },
});

async function start(options: Record<string, unknown> = {}): Promise<VaultSetup> {
  setup = await setupVault({ rotation: true, ...options });
  setup.seed({ [NAME]: OLD });
  source = setup.source as unknown as Stager;
  return setup;
}

const marks = () => setup!.vault.kv().secrets.get(KEY)!.custom_metadata;
const latestValue = () => {
  const s = setup!.vault.kv().secrets.get(KEY)!;
  return s.versions.get(s.current_version)!.data?.value;
};
const labels = async () => (await source.versions(NAME)).map((v) => [v.version, v.labels ?? []]);

const expectCode = (p: Promise<unknown>, code: HushErrorCode, values: readonly string[] = [OLD, NEW, THEIRS]) => expectCodeWithout(p, code, values);

describe("vault source: rotation stage on KV v2 versions and custom_metadata marks", () => {
  it("cost of a read: one request without a pending version, two while one is pending", async () => {
    const { vault } = await start({ cacheTtl: 0 });
    const requestsOf = async (fn: () => Promise<unknown>) => {
      const before = vault.server.requests.length;
      await fn();
      return vault.server.requests.length - before;
    };
    await source.get(NAME); // the AppRole login
    expect(await requestsOf(() => source.get(NAME))).toBe(1);
    await source.stage(NAME, NEW);
    expect(await requestsOf(() => source.get(NAME))).toBe(2);
    await source.promote(NAME, 2);
    expect(await requestsOf(() => source.get(NAME))).toBe(1);
  });

  it("other custom_metadata entries are kept; a multi-field secret keeps its other fields, and a set during the rotation never carries the pending value", async () => {
    const { vault } = await setupVault({ cacheTtl: 0, rotation: true }, { remoteRefs: { [NAME]: { key: KEY, property: "token" }, svc_user: { key: KEY, property: "user" } } }).then((s) => (setup = s));
    vault.kv().write(KEY, { data: { token: OLD, user: "svc" } });
    vault.kv().writeMetadata(KEY, { custom_metadata: { owner: "team-a" } });
    source = setup!.source as unknown as Stager;
    await source.stage(NAME, NEW);
    expect(vault.kv().secrets.get(KEY)!.versions.get(2)!.data).toEqual({ token: NEW, user: "svc" });
    expect(marks()).toMatchObject({ owner: "team-a", "hush-pending": "2" });
    await source.set("svc_user", "svc2");
    expect(vault.kv().secrets.get(KEY)!.versions.get(3)!.data, "the other field's write starts from the served version").toEqual({ token: OLD, user: "svc2" });
    expect((await source.get(NAME))?.value).toBe(OLD);
    await expectCode(source.promote(NAME, 2), "CONCURRENT_MODIFICATION");
    expect(await source.discardPending(NAME, 2)).toBe(true);
    expect(marks()).toEqual({ owner: "team-a", "hush-current": "1" });
  });

  it("discard of a pending version that is the latest covers it with the current data: plain Vault reads serve the old value too", async () => {
    await start({ cacheTtl: 0 });
    await source.stage(NAME, NEW);
    expect(await source.discardPending(NAME, 2)).toBe(true);
    expect(latestValue()).toBe(OLD);
    expect(marks()).toEqual({ "hush-current": "3" });
    expect((await source.get(NAME))?.value).toBe(OLD);
    expect(await source.discardPending(NAME, 2), "a retried discard").toBe(false);
    expect((await source.stage(NAME, NEW)).version, "a new rotation can start").toBe(4);
  });

  it("a write without hush (no marks, or newer than hush-current and not pending) is served, not ignored", async () => {
    const { vault } = await start({ cacheTtl: 0 });
    await source.stage(NAME, NEW);
    await source.promote(NAME, 2);
    vault.kv().write(KEY, { data: { value: THEIRS } });
    expect((await source.get(NAME))?.value).toBe(THEIRS);
    expect(await labels()).toEqual([
      [3, ["current"]],
      [2, []],
      [1, ["previous"]],
    ]);
    expect((await source.stage(NAME, NEW)).version, "and a stage starts from it").toBe(4);
    expect(marks()).toMatchObject({ "hush-current": "3", "hush-pending": "4" });
  });

  it("another writer landing between stage's marks and its data write: the stage refuses and drops its mark, so that write is served", async () => {
    const { vault } = await start({ cacheTtl: 0 });
    vault.beforeRequest = (method, api) => {
      if (method === "POST" && api === `secret/data/${KEY}`) {
        vault.beforeRequest = undefined;
        vault.kv().write(KEY, { data: { value: THEIRS } });
      }
      return undefined;
    };
    await expectCode(source.stage(NAME, NEW), "CONCURRENT_MODIFICATION");
    expect((await source.get(NAME))?.value, "the other writer's version is served, not hidden behind the old value").toBe(THEIRS);
    expect(await source.getPending(NAME)).toBeUndefined();
    expect(marks()).toEqual({ "hush-current": "1" });
  });

  it("another writer landing, and the stage cannot drop its mark (Vault fails): CONCURRENT_MODIFICATION says the mark is left, no value in it; hush set then serves", async () => {
    const { vault } = await start({ cacheTtl: 0 });
    let landed = false;
    vault.beforeRequest = (method, api) => {
      if (method === "POST" && api === `secret/data/${KEY}` && !landed) {
        landed = true;
        vault.kv().write(KEY, { data: { value: THEIRS } });
      } else if (landed && method === "POST" && api === `secret/metadata/${KEY}`) return { status: 500, json: { errors: ["internal error"] } };
      return undefined;
    };
    const e = await expectCode(source.stage(NAME, NEW), "CONCURRENT_MODIFICATION");
    expect(e.message).toContain("could not be dropped (SOURCE_UNAVAILABLE)");
    vault.beforeRequest = undefined;
    expect((await source.get(NAME))?.value).toBe(OLD);
    await source.set(NAME, THEIRS);
    expect((await source.get(NAME))?.value).toBe(THEIRS);
  });

  it("a stage cut between its marks and its data write stages nothing: no pending, the old value served, a new stage succeeds", async () => {
    const { vault } = await start({ cacheTtl: 0 });
    vault.beforeRequest = (method, api) => (method === "POST" && api === `secret/data/${KEY}` ? { status: 500, json: { errors: ["internal error"] } } : undefined);
    await expectCode(source.stage(NAME, NEW), "SOURCE_UNAVAILABLE");
    vault.beforeRequest = undefined;
    expect(marks()).toMatchObject({ "hush-current": "1", "hush-pending": "2" });
    expect(await source.getPending(NAME)).toBeUndefined();
    expect((await source.get(NAME))?.value).toBe(OLD);
    expect((await source.stage(NAME, NEW)).version).toBe(2);
    expect(await source.promote(NAME, 2)).toMatchObject({ value: NEW });
  });

  it("a stage cut between its marks and its data write, then hush set: a read serves the set value (the stale mark is dropped), and a later rotation works", async () => {
    const { vault } = await start({ cacheTtl: 0 });
    vault.beforeRequest = (method, api) => (method === "POST" && api === `secret/data/${KEY}` ? { status: 500, json: { errors: ["internal error"] } } : undefined);
    await expectCode(source.stage(NAME, NEW), "SOURCE_UNAVAILABLE");
    vault.beforeRequest = undefined;
    expect(marks(), "the cut stage's mark is above the latest version").toMatchObject({ "hush-current": "1", "hush-pending": "2" });
    expect(await source.set(NAME, THEIRS)).toMatchObject({ version: 2 });
    expect((await source.get(NAME))?.value, "the deliberate write is served, not the old value").toBe(THEIRS);
    expect((await source.getMany([NAME]))[0]).toMatchObject({ value: THEIRS, version: 2 });
    expect(await source.getPending(NAME)).toBeUndefined();
    expect(marks()).toEqual({ "hush-current": "1" });
    expect((await source.stage(NAME, NEW)).version, "a later rotation starts from the set value").toBe(3);
    expect((await source.get(NAME))?.value).toBe(THEIRS);
    expect(await source.promote(NAME, 3)).toMatchObject({ value: NEW });
    expect((await source.get(NAME))?.value).toBe(NEW);
    expect(marks()).toEqual({ "hush-current": "3", "hush-previous": "2" });
  });

  it("a write landing while promote moves the marks is CONCURRENT_MODIFICATION (Vault has no check-and-set on metadata: read back)", async () => {
    const { vault } = await start({ cacheTtl: 0 });
    await source.stage(NAME, NEW);
    vault.beforeRequest = (method, api) => {
      if (method === "POST" && api === `secret/metadata/${KEY}`) {
        vault.beforeRequest = undefined;
        vault.kv().write(KEY, { data: { value: THEIRS } });
      }
      return undefined;
    };
    await expectCode(source.promote(NAME, 2), "CONCURRENT_MODIFICATION");
    expect((await source.get(NAME))?.value, "the newest write is served").toBe(THEIRS);
  });

  it("the watch's version tag does not move when a version is staged, and moves at promote", async () => {
    const { vault } = await start({ cacheTtl: 0 });
    const client = createVaultClient({ address: vault.url, auth: { method: "token" }, env: { VAULT_TOKEN: vault.rootToken }, timeoutMs: 2000, maxSockets: 2, source: "vault" });
    try {
      const kv = createVaultKvSource({ name: "vault", client, mount: "secret", path: PREFIX, field: "value", concurrency: 2, rotation: true });
      const tag = async () => (await versionTags(kv, client, "secret", 2, true)).get(NAME)?.tag;
      const before = await tag();
      await source.stage(NAME, NEW);
      expect(await tag()).toBe(before);
      await source.promote(NAME, 2);
      expect(await tag()).not.toBe(before);
    } finally {
      client.close();
    }
  });

  it("without rotation: true a pending-marked latest version is served as latest (one read, as before the marks), and the source cannot stage", async () => {
    setup = await setupVault({ cacheTtl: 0 });
    setup.seed({ [NAME]: OLD });
    const { vault } = setup;
    vault.kv().write(KEY, { data: { value: NEW } });
    vault.kv().writeMetadata(KEY, { custom_metadata: { "hush-current": "1", "hush-pending": "2", "hush-stage": "a-stage" } });
    const plain = setup.source;
    await plain.get(NAME); // the AppRole login
    const before = vault.server.requests.length;
    expect((await plain.get(NAME))?.value).toBe(NEW);
    expect(vault.server.requests.length - before, "one read, no marks followed").toBe(1);
    expect((await plain.getMany!([NAME]))[0]).toMatchObject({ value: NEW, version: 2 });
    expect((await plain.versions!(NAME)).map((v) => [v.version, v.labels ?? []])).toEqual([
      [2, ["current"]],
      [1, []],
    ]);
    for (const m of ["stage", "getPending", "promote", "discardPending"] as const) expect(plain[m], m).toBeUndefined();
  });

  it("a pinned version (secrets.NAME.remote.version) is READ_ONLY", async () => {
    setup = await setupVault({ cacheTtl: 0, rotation: true }, { remoteRefs: { [NAME]: { key: KEY, version: "1" } } });
    setup.seed({ [NAME]: OLD });
    source = setup.source as unknown as Stager;
    await expectCode(source.stage(NAME, NEW), "READ_ONLY");
  });
});
