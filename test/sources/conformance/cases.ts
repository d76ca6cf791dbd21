/**
 * The cases of the source conformance suite, in the order they run. Each case that needs a
 * capability says which (`requires`); a source without it declares a skip with its reason, and
 * the suite's `contract` case checks that the declared skips and the capabilities agree.
 */
import { expect } from "vitest";
import { HushError, type HushErrorCode } from "../../../src/errors.js";
import type { SourceChange } from "../../../src/types.js";
import type { ConformanceInstance } from "./harness.js";

/** Values that catch encoding bugs; each is also a canary for the leak checks. */
export const CONFORMANCE_VALUES: Record<string, string> = {
  openai_api_key: "sk-proj-CANARY0123456789abcdefghijklmnopqrstuvwxyzABCD",
  unicode_pass: "pässwörd-ñ-日本語-🔑-é\u0301-CANARY",
  multi_line: "-----BEGIN KEY-----\nCANARYline1\nline2\n-----END KEY-----",
  quoted: `he said "hi" and 'bye' $HOME \\n CANARY`,
  empty_value: "",
  long_value: "CANARY".repeat(2000),
};

/** One case of the suite. */
export interface CaseDefinition<Id extends string = string> {
  id: Id;
  /** What it checks, one line (the test's title after `<id>: `). */
  title: string;
  /** The capability the case needs; without it the source must declare a skip. */
  requires?: { what: string; present(instance: ConformanceInstance): boolean };
  run(instance: ConformanceInstance): Promise<void>;
}

const has = (what: string, present: (i: ConformanceInstance) => boolean) => ({ what, present });

const CASES = [
  { id: "values", title: "returns every seeded value exactly, with its provenance", run: valuesCase },
  { id: "getMany", title: "getMany gives what get gives, in the order asked (missing names: undefined)", requires: has("getMany", (i) => !!i.source.getMany), run: getManyCase },
  { id: "missing", title: "returns undefined for a name it does not have, never throws", run: missingCase },
  { id: "list", title: "lists names without values", run: listCase },
  { id: "write", title: "set then get; set again; delete then undefined; delete again is false", requires: has("set and delete", (i) => !!i.source.set && !!i.source.delete), run: writeCase },
  { id: "setMany", title: "setMany writes a batch all or nothing: records in order, values exact; a repeated or invalid name writes nothing", requires: has("setMany", (i) => !!i.source.setMany), run: setManyCase },
  { id: "versions", title: "keeps versions newest first, with creation times and no values", requires: has("versions", (i) => !!i.source.versions), run: versionsCase },
  { id: "watch", title: "watch reports an outside write, without values; stop is idempotent", requires: has("watch", (i) => !!i.source.watch), run: watchCase },
  { id: "leak", title: "no stored value appears in any error's message, String(), JSON or hint", run: leakCase },
  { id: "denied", title: "a denied read is an ACCESS_DENIED error, never 'not found'", requires: has("a way to deny a read (faults.deny)", (i) => !!i.faults?.deny), run: deniedCase },
  { id: "deleted", title: "a deleted or destroyed latest version is a DELETED error, not an empty value nor 'not found'", requires: has("a way to delete the latest version (faults.deleteLatest)", (i) => !!i.faults?.deleteLatest), run: deletedCase },
  { id: "rateLimited", title: "429 with Retry-After is waited out and retried; a longer Retry-After than the cap is SOURCE_UNAVAILABLE, never 'not found'", requires: has("a remote backend that rate-limits (faults.rateLimit)", (i) => !!i.faults?.rateLimit), run: rateLimitedCase },
  { id: "serverErrors", title: "a brief 5xx storm is retried away; a lasting one is SOURCE_UNAVAILABLE, and the source recovers", requires: has("a remote backend with 5xx faults (faults.serverErrors)", (i) => !!i.faults?.serverErrors), run: serverErrorsCase },
  { id: "slow", title: "a server slower than the timeout is SOURCE_UNAVAILABLE, in bounded time; the source recovers", requires: has("a remote backend that can be slow (faults.slow)", (i) => !!i.faults?.slow), run: slowCase },
  { id: "malformed", title: "a malformed reply is a BAD_REPLY error, never a value nor 'not found'", requires: has("a remote backend that can answer malformed replies (faults.malformed)", (i) => !!i.faults?.malformed), run: malformedCase },
  { id: "tokenExpiry", title: "an expired credential logs in again and serves, or is ACCESS_DENIED; never 'not found'", requires: has("a credential that can expire (faults.expireToken)", (i) => !!i.faults?.expireToken), run: tokenExpiryCase },
  { id: "concurrent", title: "concurrent gets of one name during a set see the old or the new value, never a torn one", requires: has("set", (i) => !!i.source.set), run: concurrentCase },
  { id: "dispose", title: "dispose is idempotent, also while watching and when called twice at once", requires: has("dispose", (i) => !!i.source.dispose), run: disposeCase },
] as const satisfies readonly CaseDefinition[];

/** The remote-fault cases, which a source without a network backend skips. */
export const REMOTE_FAULT_CASES = ["rateLimited", "serverErrors", "slow", "malformed", "tokenExpiry"] as const;

/**
 * The skips of the remote-fault cases for a source with no network backend, with the reason:
 * `skips: { ...noRemoteBackend("a local file"), ... }`.
 */
export function noRemoteBackend(what: string): Record<(typeof REMOTE_FAULT_CASES)[number], string> {
  const reason = `no remote backend: ${what} has no rate limits, server errors, timeouts, wire replies or credentials`;
  return Object.fromEntries(REMOTE_FAULT_CASES.map((id) => [id, reason])) as Record<(typeof REMOTE_FAULT_CASES)[number], string>;
}

/** A case that a source may skip, with a reason. */
export type SkippableCase = (typeof CASES)[number]["id"];

/** Every case after `contract`, in order. */
export const CONFORMANCE_CASES: readonly CaseDefinition<SkippableCase>[] = CASES;
/** Every case name, `contract` (never skipped) included. */
export type ConformanceCase = "contract" | SkippableCase;

/** Checks that `e` is a HushError with `code` and that none of the suite's values leaked into it. */
export function expectHushError(e: unknown, code?: HushErrorCode): HushError {
  expect(e).toBeInstanceOf(HushError);
  const err = e as HushError;
  if (code) expect(err.code, err.message).toBe(code);
  const text = `${err.message} ${String(err)} ${JSON.stringify(err)} ${err.hint}`;
  for (const value of Object.values(CONFORMANCE_VALUES)) if (value.length > 0) expect(text.includes(value.slice(0, 24)), "a value leaked into an error").toBe(false);
  expect(text.includes("CANARY"), "a value leaked into an error").toBe(false);
  return err;
}

// --- internal ---

/** The rejection of `p`, or a failed expectation when it resolves (naming what it resolved to, never a value). */
async function rejectionOf(p: Promise<unknown>, what: string): Promise<unknown> {
  const outcome = await p.then(
    (v) => ({ resolved: v }),
    (e: unknown) => ({ rejected: e }),
  );
  if ("rejected" in outcome) return outcome.rejected;
  const shape = outcome.resolved === undefined ? "undefined ('not found')" : "a result";
  return expect.unreachable(`${what} resolved to ${shape}; it must throw`);
}

async function valuesCase({ source, seed }: ConformanceInstance): Promise<void> {
  await seed(CONFORMANCE_VALUES);
  for (const [name, value] of Object.entries(CONFORMANCE_VALUES)) {
    const r = await source.get(name);
    expect(r, name).toBeDefined();
    expect(r!.value === value, `the value of ${name} comes back exactly`).toBe(true);
    expect(r!.source).toBe(source.name);
    expect(r!.name).toBe(name);
  }
}

async function getManyCase({ source, seed }: ConformanceInstance): Promise<void> {
  await seed(CONFORMANCE_VALUES);
  const names = ["not_there_at_all", ...Object.keys(CONFORMANCE_VALUES).reverse()];
  const many = await source.getMany!(names);
  expect(many.length).toBe(names.length);
  for (const [i, name] of names.entries()) expect(many[i], name).toEqual(await source.get(name));
  expect(await source.getMany!([])).toEqual([]);
}

async function missingCase({ source, seed }: ConformanceInstance): Promise<void> {
  expect(await source.get("not_there_at_all")).toBeUndefined();
  await seed({ something_else: "x-value" });
  expect(await source.get("not_there_at_all")).toBeUndefined();
}

async function listCase({ source, seed }: ConformanceInstance): Promise<void> {
  await seed(CONFORMANCE_VALUES);
  const names = await source.list();
  for (const name of Object.keys(CONFORMANCE_VALUES)) expect(names).toContain(name);
  expect(JSON.stringify(names)).not.toContain("CANARY");
}

async function writeCase({ source }: ConformanceInstance): Promise<void> {
  const r = await source.set!("written_key", "first-CANARY");
  expect(r.value).toBe("first-CANARY");
  expect(r.source).toBe(source.name);
  expect((await source.get("written_key"))?.value).toBe("first-CANARY");
  await source.set!("written_key", "second-CANARY");
  expect((await source.get("written_key"))?.value).toBe("second-CANARY");
  expect(await source.delete!("written_key")).toBe(true);
  expect(await source.get("written_key")).toBeUndefined();
  expect(await source.delete!("written_key")).toBe(false);
}

async function setManyCase({ source }: ConformanceInstance): Promise<void> {
  const entries = Object.entries(CONFORMANCE_VALUES);
  const records = await source.setMany!(entries);
  expect(records.map((r) => r.name)).toEqual(entries.map(([n]) => n));
  for (const [i, [name, value]] of entries.entries()) {
    expect(records[i]!.value === value, `the record of ${name} carries its value`).toBe(true);
    expect(records[i]!.source).toBe(source.name);
    expect((await source.get(name))?.value === value, `the value of ${name} comes back exactly`).toBe(true);
  }
  expect(JSON.stringify(await source.list())).not.toContain("CANARY");
  await source.setMany!([["quoted", "second-CANARY"], ["batch_new", "new-CANARY"]]);
  expect((await source.get("quoted"))?.value).toBe("second-CANARY");
  expect((await source.get("openai_api_key"))?.value, "a name outside the batch is kept").toBe(CONFORMANCE_VALUES.openai_api_key);
  if (source.versions) expect((await source.versions("quoted")).length, "one new version per name in the batch").toBe(2);
  expect(await source.setMany!([])).toEqual([]);
  for (const bad of [[["never_written", "x-CANARY"], ["never_written", "y-CANARY"]], [["never_written", "x-CANARY"], ["../x", "y-CANARY"]]] as [string, string][][]) {
    expectHushError(await rejectionOf(source.setMany!(bad), "setMany of a bad batch"));
    expect(await source.get("never_written"), "a refused batch writes nothing").toBeUndefined();
  }
}

async function versionsCase({ source, seed }: ConformanceInstance): Promise<void> {
  await seed({ versioned: "v1-CANARY" });
  await seed({ versioned: "v2-CANARY" });
  const versions = await source.versions!("versioned");
  expect(versions.length).toBe(2);
  expect(versions[0]!.version).toBeGreaterThan(versions[1]!.version);
  expect(versions[0]!.createdAt).toBeInstanceOf(Date);
  expect(JSON.stringify(versions)).not.toContain("CANARY");
  if (!source.getVersion) return;
  expect((await source.getVersion("versioned", versions[1]!.version))?.value).toBe("v1-CANARY");
  expect((await source.getVersion("versioned", versions[0]!.version))?.value).toBe("v2-CANARY");
  expect(await source.getVersion("versioned", versions[0]!.version + 1000)).toBeUndefined();
}

async function watchCase({ source, seed }: ConformanceInstance): Promise<void> {
  await seed({ before_watch: "0-CANARY" });
  await source.get("before_watch"); // a source that caches now has something to compare with
  const changes: SourceChange[] = [];
  let notify: () => void = () => undefined;
  const seen = new Promise<void>((r) => (notify = r)); // bounded by the test's timeout
  const stop = source.watch!((change) => {
    changes.push(change);
    notify();
  });
  await seed({ watched_key: "1-CANARY" }); // one value: one change to report, whatever the debounce
  await seen;
  stop();
  stop();
  expect(changes[0]!.source).toBe(source.name);
  if (changes[0]!.names !== undefined) expect(changes[0]!.names).toContain("watched_key");
  expect(JSON.stringify(changes)).not.toContain("CANARY");
}

async function leakCase(h: ConformanceInstance): Promise<void> {
  await h.seed(CONFORMANCE_VALUES);
  const errors: unknown[] = [];
  for (const bad of ["../x", "/abs", "a/b", "nul\0byte", "", "x".repeat(300)]) {
    await h.source.get(bad).catch((e: unknown) => errors.push(e));
  }
  if (h.breakIt) {
    await h.breakIt();
    await new Promise((r) => setImmediate(r)); // file-backed sources re-check from the next turn
    const calls: (() => Promise<unknown> | undefined)[] = [() => h.source.get("openai_api_key"), () => h.source.getMany?.(["openai_api_key", "quoted"]), () => h.source.list(), () => h.source.set?.("openai_api_key", "new-CANARY")];
    for (const call of calls) await Promise.resolve().then<unknown>(call).catch((e: unknown) => errors.push(e));
    expect(errors.some((e) => e instanceof HushError && e.code !== "INVALID_NAME"), "breakIt() must make a read fail").toBe(true);
  }
  expect(errors.length, "invalid names are refused with an error").toBeGreaterThan(0);
  for (const e of errors) expectHushError(e);
}

async function deniedCase(h: ConformanceInstance): Promise<void> {
  await h.seed(CONFORMANCE_VALUES);
  await h.faults!.deny!("openai_api_key");
  expectHushError(await rejectionOf(h.source.get("openai_api_key"), "get of a denied name"), "ACCESS_DENIED");
  if (h.source.getMany) expectHushError(await rejectionOf(h.source.getMany(["quoted", "openai_api_key"]), "getMany with a denied name"), "ACCESS_DENIED");
}

async function deletedCase(h: ConformanceInstance): Promise<void> {
  await h.seed({ deleted_latest: "v1-CANARY", kept: "kept-CANARY" });
  await h.faults!.deleteLatest!("deleted_latest");
  expectHushError(await rejectionOf(h.source.get("deleted_latest"), "get of a deleted latest version"), "DELETED");
  if (h.source.getMany) expectHushError(await rejectionOf(h.source.getMany(["kept", "deleted_latest"]), "getMany with a deleted latest version"), "DELETED");
  expect((await h.source.get("kept"))?.value).toBe("kept-CANARY");
}

async function rateLimitedCase(h: ConformanceInstance): Promise<void> {
  await h.seed(CONFORMANCE_VALUES);
  await h.faults!.rateLimit!(1);
  const t0 = Date.now();
  expect((await h.source.get("openai_api_key"))?.value === CONFORMANCE_VALUES.openai_api_key, "served after the Retry-After").toBe(true);
  expect(Date.now() - t0, "Retry-After: 1 was honoured (a lower bound only)").toBeGreaterThanOrEqual(950);
  await h.faults!.rateLimit!(3600); // far beyond any cap: no one waits an hour
  expectHushError(await rejectionOf(h.source.get("quoted"), "get while rate-limited for an hour"), "SOURCE_UNAVAILABLE");
}

async function serverErrorsCase(h: ConformanceInstance): Promise<void> {
  await h.seed(CONFORMANCE_VALUES);
  await h.faults!.serverErrors!(2);
  expect((await h.source.get("openai_api_key"))?.value === CONFORMANCE_VALUES.openai_api_key, "served after two 5xx").toBe(true);
  await h.faults!.serverErrors!(Infinity);
  expectHushError(await rejectionOf(h.source.get("quoted"), "get during a 5xx storm"), "SOURCE_UNAVAILABLE");
  if (h.source.getMany) expectHushError(await rejectionOf(h.source.getMany(["quoted", "multi_line"]), "getMany during a 5xx storm"), "SOURCE_UNAVAILABLE");
  expectHushError(await rejectionOf(h.source.list(), "list during a 5xx storm"), "SOURCE_UNAVAILABLE");
  await h.faults!.heal!();
  expect((await h.source.get("quoted"))?.value === CONFORMANCE_VALUES.quoted, "served once the storm is over").toBe(true);
}

async function slowCase(h: ConformanceInstance): Promise<void> {
  await h.seed(CONFORMANCE_VALUES);
  await h.faults!.slow!();
  const err = expectHushError(await rejectionOf(h.source.get("unicode_pass"), "get from a slow server"), "SOURCE_UNAVAILABLE");
  expect(err.message).toMatch(/timed out/);
  await h.faults!.heal!();
  expect((await h.source.get("unicode_pass"))?.value === CONFORMANCE_VALUES.unicode_pass, "served once the server is fast again").toBe(true);
}

async function malformedCase(h: ConformanceInstance): Promise<void> {
  await h.seed(CONFORMANCE_VALUES);
  await h.faults!.malformed!();
  expectHushError(await rejectionOf(h.source.get("multi_line"), "get of a malformed reply"), "BAD_REPLY");
  expectHushError(await rejectionOf(h.source.list(), "list of a malformed reply"), "BAD_REPLY");
  await h.faults!.heal!();
  expect((await h.source.get("multi_line"))?.value === CONFORMANCE_VALUES.multi_line).toBe(true);
}

async function tokenExpiryCase(h: ConformanceInstance): Promise<void> {
  await h.seed(CONFORMANCE_VALUES);
  const expected = await h.faults!.expireToken!();
  if (expected === "relogin") expect((await h.source.get("long_value"))?.value === CONFORMANCE_VALUES.long_value, "served after logging in again").toBe(true);
  else expectHushError(await rejectionOf(h.source.get("long_value"), "get with an expired token"), "ACCESS_DENIED");
}

async function concurrentCase({ source }: ConformanceInstance): Promise<void> {
  const before = `old-CANARY-${"o".repeat(20_000)}`;
  const after = `new-CANARY-${"n".repeat(30_000)}`;
  await source.set!("torn", before);
  let settled = false;
  const write = source.set!("torn", after).finally(() => (settled = true));
  const reads: Promise<string | undefined>[] = [];
  // Reads issued across the turns the write takes (lock, temp file, rename, a network call...).
  for (let i = 0; i < 200 && !settled; i++) {
    reads.push(source.get("torn").then((r) => r?.value));
    await new Promise((r) => setImmediate(r));
  }
  await write;
  for (const [i, value] of (await Promise.all(reads)).entries()) expect(value === before || value === after, `read ${i} saw the old or the new value`).toBe(true);
  expect((await source.get("torn"))?.value === after, "after the write, the new value").toBe(true);
}

async function disposeCase({ source, seed }: ConformanceInstance): Promise<void> {
  await seed({ something: "x-CANARY" });
  await source.get("something");
  const stop = source.watch?.(() => undefined);
  await source.dispose!();
  await source.dispose!();
  await Promise.all([source.dispose!(), source.dispose!()]);
  stop?.();
}
