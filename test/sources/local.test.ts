import { afterAll, afterEach, describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalSource, type LocalSourceOptions } from "../../src/sources/local.js";
import { encodeStoreFile } from "../../src/sources/local/store-file.js";
import { generateFernetKey, parseFernetKey } from "../../src/crypto/fernet.js";
import { readKeyFile } from "../../src/crypto/key-file.js";
import { HushError, type HushErrorCode } from "../../src/errors.js";
import { describeSourceConformance, noRemoteBackend } from "./conformance/suite.js";
import { waitFor } from "../helpers/run-binary.js";

const root = mkdtempSync(join(tmpdir(), "hush-local-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CANARY = "sk-CANARY-local-0123456789abcdef";
const sources: { dispose(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of sources.splice(0)) await s.dispose();
});

function setup(options: LocalSourceOptions = {}) {
  const dir = join(mkdtempSync(join(root, "case-")), ".secrets");
  const make = (more: LocalSourceOptions = {}) => {
    const s = createLocalSource({ secretsDir: dir, ...options, ...more });
    sources.push(s);
    return s;
  };
  return { dir, store: join(dir, "dev.store"), key: join(dir, ".encryption.key"), source: make(), make };
}

/** Awaits a call that must fail with `code`, and checks that no value leaks into the error. */
async function expectCode(call: Promise<unknown>, code: HushErrorCode): Promise<HushError> {
  try {
    await call;
  } catch (e) {
    expect(e).toBeInstanceOf(HushError);
    const err = e as HushError;
    expect(err.code, err.message).toBe(code);
    const text = `${err.message} ${String(err)} ${JSON.stringify(err)} ${err.hint}`;
    expect(text).not.toContain("CANARY");
    return err;
  }
  return expect.unreachable(`expected ${code}`);
}

describeSourceConformance("local", {
  async create() {
    const { source, store, make } = setup();
    return {
      source,
      seed: async (values) => {
        const writer = make();
        for (const [name, value] of Object.entries(values)) await writer.set(name, value);
      },
      breakIt: async () => {
        const bytes = readFileSync(store);
        bytes[bytes.length - 20]! ^= 0x01;
        writeFileSync(store, bytes);
      },
      cleanup: async () => undefined,
    };
  },
}, {
  skips: {
    ...noRemoteBackend("the local store file"),
    denied: "local files have no credentials to refuse: a store the process cannot read is READ_FAILED, one others can read INSECURE_PERMISSIONS (both tested below)",
    deleted: "no per-version delete: `delete` removes the secret (later reads are 'not found', as asked), and old versions are dropped only past maxVersions, never the latest",
  },
});

describe("local source: values and versions", () => {
  it("round-trips values with provenance; accepts the env-var form of a name", async () => {
    const t0 = new Date("2026-01-02T03:04:05.000Z");
    const { source, store } = setup({ now: () => t0 });
    expect(await source.get("openai_api_key")).toBeUndefined();
    expect(await source.list()).toEqual([]);
    const written = await source.set("OPENAI_API_KEY", CANARY);
    const expected = { name: "openai_api_key", value: CANARY, source: "local", version: 1, updatedAt: t0, location: store };
    expect(written).toEqual(expected);
    expect(await source.get("openai_api_key")).toEqual(expected);
    for (const value of ["", "a\0b", "日本語-🔑", "x".repeat(100_000)]) {
      await source.set("other", value);
      expect((await source.get("other"))?.value).toBe(value);
    }
    expect(await source.list()).toEqual(["openai_api_key", "other"]);
  });

  it("keeps at most maxVersions versions, newest first, with their times; numbers only grow", async () => {
    let clock = Date.parse("2026-03-01T00:00:00Z");
    const { source } = setup({ now: () => new Date((clock += 1000)) });
    for (let i = 1; i <= 12; i++) await source.set("rotating", `v${i}-CANARY`);
    const versions = await source.versions("rotating");
    expect(versions.map((v) => v.version)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    expect(versions[0]).toEqual({ version: 12, createdAt: new Date(Date.parse("2026-03-01T00:00:12Z")), labels: ["current"] });
    expect(versions[1]!.labels).toEqual(["previous"]);
    expect(JSON.stringify(versions)).not.toContain("CANARY");
    expect((await source.getVersion("rotating", 3))?.value).toBe("v3-CANARY");
    expect(await source.getVersion("rotating", 2)).toBeUndefined();
    expect(await source.versions("never_set")).toEqual([]);
  });

  it("rollback makes a new version with the old value", async () => {
    const { source } = setup({ maxVersions: 3 });
    await source.set("db_password", "first-CANARY");
    await source.set("db_password", "second-CANARY");
    const back = await source.rollback("db_password", 1);
    expect(back).toMatchObject({ version: 3, value: "first-CANARY" });
    expect((await source.get("db_password"))?.value).toBe("first-CANARY");
    const e = await expectCode(source.rollback("db_password", 7), "VERSION_NOT_FOUND");
    expect(e.message).toContain('"db_password"');
    await expectCode(source.rollback("never_set", 1), "VERSION_NOT_FOUND");
  });

  it("delete removes every value and keeps the version counter (tombstone)", async () => {
    const { source, store } = setup();
    expect(await source.delete("nothing")).toBe(false);
    await source.set("temp_key", "one-CANARY");
    await source.set("temp_key", "two-CANARY");
    expect(await source.delete("temp_key")).toBe(true);
    expect(await source.get("temp_key")).toBeUndefined();
    expect(await source.versions("temp_key")).toEqual([]);
    expect(await source.list()).toEqual([]);
    expect(await source.delete("temp_key")).toBe(false);
    expect((await source.set("temp_key", "three-CANARY")).version).toBe(3);
    expect(readFileSync(store, "latin1")).not.toContain("CANARY"); // encrypted on disk
  });

  it("stores a secret named __proto__ as an ordinary name", async () => {
    const { source, make } = setup();
    await source.set("__proto__", "proto-CANARY");
    await source.set("constructor", "c-CANARY");
    expect((await make().get("__proto__"))?.value).toBe("proto-CANARY");
    expect(await make().list()).toEqual(["__proto__", "constructor"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses values that cannot round-trip, without quoting them", async () => {
    const { source } = setup();
    await expectCode(source.set("bad", "CANARY\ud800"), "INVALID_VALUE");
    await expectCode(source.set("bad", 42 as unknown as string), "INVALID_VALUE");
    await expectCode(source.set("bad", "CANARY".repeat(200_000)), "LIMIT_EXCEEDED");
    await expectCode(source.set("../x", "CANARY"), "INVALID_NAME");
    expect(await source.list()).toEqual([]);
  });

  it("sees another instance's writes (the file changed) and keeps its own cache otherwise", async () => {
    const { source, make } = setup();
    const other = make();
    await source.set("shared", "a-CANARY");
    expect((await other.get("shared"))?.value).toBe("a-CANARY");
    await source.set("shared", "b-CANARY");
    await nextTurn(); // a file is checked at most once per event-loop turn
    expect((await other.get("shared"))?.value).toBe("b-CANARY");
    await other.set("second", "c-CANARY"); // written from other's fresh re-read, not a stale copy
    await nextTurn();
    expect(await source.list()).toEqual(["second", "shared"]);
  });

  it("keeps environments apart: own store, own key", async () => {
    const { dir, source, make } = setup();
    const prod = make({ environment: "prod" });
    await source.set("k", "dev-CANARY");
    await prod.set("k", "prod-CANARY");
    expect((await prod.get("k"))?.value).toBe("prod-CANARY");
    expect(readdirSync(dir).sort()).toEqual([".encryption.key", "dev.store", "prod.key", "prod.store"]);
    writeFileSync(join(dir, "dev.store"), readFileSync(join(dir, "prod.store")));
    await expectCode(make().get("k"), "WRONG_KEY");
  });

  it("creates the folder 0700 and the key and store 0600 under umask 0", async () => {
    const previous = process.umask(0);
    try {
      const { dir, store, key, source } = setup();
      await source.set("k", CANARY);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(key).mode & 0o777).toBe(0o600);
      expect(statSync(store).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });

  it("writes the documented format: header with key id and token length", async () => {
    const { source, store, key } = setup();
    await source.set("k", CANARY);
    const text = readFileSync(store, "latin1");
    const m = /^hush-local 1 key=([0-9a-f]{16}) len=(\d+)\n([A-Za-z0-9_=-]+)\n$/.exec(text);
    expect(m).not.toBeNull();
    const signingKey = readKeyFile(key).signingKey;
    expect(m![1]).toBe(createHmac("sha256", signingKey).update("hush key id v1").digest().subarray(0, 8).toString("hex"));
    expect(Number(m![2])).toBe(m![3]!.length);
  });
});

describe("local source: damaged stores are refused and kept (FAULTS 5, 7)", () => {
  async function damaged(damage: (bytes: Buffer, paths: { store: string; key: string }) => Buffer | void) {
    const s = setup();
    await s.source.set("k", CANARY);
    await s.source.set("other", "other-CANARY");
    const bytes = readFileSync(s.store);
    const result = damage(Buffer.from(bytes), s);
    if (result) writeFileSync(s.store, result);
    return { ...s, before: readFileSync(s.store) };
  }

  /** set, delete and rollback on a store that does not open throw, and the file stays byte-identical. */
  async function expectKept(s: Awaited<ReturnType<typeof damaged>>, code: HushErrorCode) {
    const fresh = s.make();
    const files = readdirSync(s.dir).sort();
    await expectCode(fresh.get("k"), code);
    await expectCode(fresh.list(), code);
    await expectCode(fresh.set("k", "new-CANARY"), code);
    await expectCode(fresh.set("brand_new", "new-CANARY"), code);
    await expectCode(fresh.delete("k"), code);
    await expectCode(fresh.rollback("k", 1), code);
    expect(readFileSync(s.store).equals(s.before)).toBe(true);
    expect(readdirSync(s.dir).sort()).toEqual(files); // no temp, no lock, and no new key
  }

  it("another key: WRONG_KEY", async () => {
    const s = await damaged((_b, { key }) => writeFileSync(key, generateFernetKey()));
    const e = await expectCode(s.make().get("k"), "WRONG_KEY");
    expect(e.message).toContain(s.store);
    await expectKept(s, "WRONG_KEY");
  });

  it("an altered token with the right key id: STORE_CORRUPT", async () => {
    const s = await damaged((b) => {
      b[b.length - 30] = b[b.length - 30] === 0x41 ? 0x42 : 0x41;
      return b;
    });
    expect((await expectCode(s.make().get("k"), "STORE_CORRUPT")).message).toContain("HMAC");
    await expectKept(s, "STORE_CORRUPT");
  });

  it("a store that breaks after a good read fails every read of that turn, never answers from the old document", async () => {
    const { source, store } = setup();
    await source.set("k", CANARY);
    expect((await source.get("k"))?.value).toBe(CANARY);
    await new Promise((r) => setImmediate(r)); // a new event-loop turn: the file is checked again
    const bytes = readFileSync(store);
    bytes[bytes.length - 20]! ^= 0x01;
    writeFileSync(store, bytes);
    await expectCode(source.get("k"), "STORE_CORRUPT");
    await expectCode(source.get("k"), "STORE_CORRUPT"); // same turn: before the fix, the old value
  });

  it("every cut of the file, from empty to one byte short: STORE_TRUNCATED", async () => {
    const s = await damaged(() => undefined);
    for (let n = 0; n < s.before.length; n++) {
      writeFileSync(s.store, s.before.subarray(0, n));
      const e = await expectCode(s.make().get("k"), "STORE_TRUNCATED");
      expect(e.message).toContain(s.store);
    }
    writeFileSync(s.store, s.before.subarray(0, 40));
    await expectKept({ ...s, before: readFileSync(s.store) }, "STORE_TRUNCATED");
  });

  it.each([
    ["a foreign header", (b: Buffer) => Buffer.concat([Buffer.from("not-a-store 1\n"), b])],
    ["bytes after the token", (b: Buffer) => Buffer.concat([b, Buffer.from("more")])],
    ["a non-base64 token", (b: Buffer) => Buffer.from(b.toString("latin1").replace(/\n(.{10})./, "\n$1*"), "latin1")],
    ["an unknown format version", (b: Buffer) => Buffer.from(b.toString("latin1").replace(/^hush-local 1 /, "hush-local 2 "), "latin1")],
  ])("%s: STORE_CORRUPT", async (_label, damage) => {
    const s = await damaged(damage);
    await expectKept(s, "STORE_CORRUPT");
  });

  it("valid encryption of a wrong document: STORE_CORRUPT; a bad entry only fails its own name, and blocks writes", async () => {
    const s = await damaged(() => undefined);
    const key = parseFernetKey(readFileSync(s.key));
    const write = (doc: unknown) => writeFileSync(s.store, encodeStoreFile(key, doc as never, s.store));
    write({ format: "hush-local", v: 1, environment: "prod", secrets: {} });
    await expectCode(s.make().get("k"), "STORE_CORRUPT");
    write({ format: "hush-local", v: 1, environment: "dev", secrets: [] });
    await expectCode(s.make().get("k"), "STORE_CORRUPT");
    write({ format: "hush-local", v: 1, environment: "dev", secrets: { good: { versions: [{ v: 1, value: "g-CANARY", createdAt: "2026-01-01T00:00:00Z" }] }, bad: { versions: [{ v: 1, value: 5 }] } } });
    expect((await s.make().get("good"))?.value).toBe("g-CANARY");
    await expectCode(s.make().get("bad"), "STORE_CORRUPT");
    await expectCode(s.make().list(), "STORE_CORRUPT");
    const before = readFileSync(s.store);
    for (const call of [s.make().set("good", "n-CANARY"), s.make().set("k", "n-CANARY"), s.make().delete("good"), s.make().rollback("good", 1)]) {
      await expectCode(call, "STORE_CORRUPT");
    }
    expect(readFileSync(s.store).equals(before)).toBe(true);
  });

  it("a store without its key: KEY_MISSING", async () => {
    const s = await damaged((_b, { key }) => rmSync(key));
    await expectKept(s, "KEY_MISSING");
  });
});

describe("local source: permissions and leftovers (FAULTS 8, 9)", () => {
  it.each([
    ["folder", (s: ReturnType<typeof setup>) => s.dir, 0o755, "chmod 700"],
    ["key", (s: ReturnType<typeof setup>) => s.key, 0o644, "chmod 600"],
    ["store", (s: ReturnType<typeof setup>) => s.store, 0o666, "chmod 600"],
  ] as const)("refuses a %s others can read, with the chmod in the hint; `warn` reads and warns", async (_label, pick, mode, fix) => {
    const s = setup();
    await s.source.set("k", CANARY);
    chmodSync(pick(s), mode);
    const e = await expectCode(s.make().get("k"), "INSECURE_PERMISSIONS");
    expect(e.hint).toBe(`Run: ${fix} ${pick(s)}`);
    await expectCode(s.make().set("k", "x-CANARY"), "INSECURE_PERMISSIONS");
    const warnings: string[] = [];
    expect((await s.make({ permissions: "warn", onWarning: (m) => warnings.push(m) }).get("k"))?.value).toBe(CANARY);
    expect(warnings.join("\n")).toContain(`${fix} ${pick(s)}`);
    const check = await s.make().check();
    expect(check.ok).toBe(false);
    expect(check.problems?.map((p) => p.fix)).toEqual([`${fix} ${pick(s)}`]);
  });

  it("a write the file system refuses (chattr +i folder) is WRITE_FAILED and leaves the store as it was", async (ctx) => {
    const s = setup();
    await s.source.set("k", CANARY);
    const before = readFileSync(s.store);
    if (spawnSync("chattr", ["+i", s.dir]).status !== 0) return ctx.skip();
    try {
      await expectCode(s.make().set("k", "new-CANARY"), "WRITE_FAILED");
      await expectCode(s.source.delete("k"), "WRITE_FAILED");
    } finally {
      spawnSync("chattr", ["-i", s.dir]);
    }
    expect(readFileSync(s.store).equals(before)).toBe(true);
    expect((await s.make().get("k"))?.value).toBe(CANARY);
  });

  it("check() reports a healthy store and a damaged one, without values", async () => {
    const s = setup();
    expect(await s.source.check()).toMatchObject({ ok: true });
    await s.source.set("k", CANARY);
    expect(await s.source.check()).toEqual({ ok: true, detail: `${s.store}: opens, 1 secrets` });
    writeFileSync(s.store, "");
    const check = await s.make().check();
    expect(check).toMatchObject({ ok: false, detail: `${s.store}: STORE_TRUNCATED` });
    expect(JSON.stringify(check)).not.toContain("CANARY");
  });

  it("sweeps a dead writer's temp file on open, never a live writer's", async () => {
    const s = setup();
    await s.source.set("k", CANARY);
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    const deadTemp = join(s.dir, `.dev.store.tmp-${dead}-00aa11bb22cc`);
    const liveTemp = join(s.dir, `.dev.store.tmp-${process.pid}-00aa11bb22cc`);
    writeFileSync(deadTemp, "half a store", { mode: 0o600 });
    writeFileSync(liveTemp, "in progress", { mode: 0o600 });
    expect((await s.make().get("k"))?.value).toBe(CANARY);
    expect(existsSync(deadTemp)).toBe(false);
    expect(existsSync(liveTemp)).toBe(true);
  });
});

describe("local source: watch", () => {
  it("reports another instance's write with the changed names; stop ends it", async () => {
    const s = setup();
    await s.source.set("a", "1-CANARY");
    await s.source.get("a");
    const changes: (string[] | undefined)[] = [];
    let notify: () => void = () => undefined;
    const stop = s.source.watch((c) => {
      changes.push(c.names);
      notify();
    });
    const seen = new Promise<void>((r) => (notify = r));
    await s.make().set("b", "2-CANARY");
    await seen;
    expect(changes).toEqual([["b"]]);
    stop();
    stop();
  });

  it("reports another instance's write even when a read of this instance saw the new file first", async () => {
    // A read between the file event and the end of the debounce (an app's get, a gateway's TTL
    // re-read) loads the new document: the watcher must still report it, once.
    const s = setup();
    await s.source.set("a", "1-CANARY");
    await s.source.get("a");
    const changes: (string[] | undefined)[] = [];
    const stop = s.source.watch((c) => void changes.push(c.names));
    await s.make().set("b", "2-CANARY");
    await nextTurn(); // reads re-check the file from the next turn
    expect((await s.source.get("b"))?.value).toBe("2-CANARY"); // within the 50 ms debounce
    await waitFor(() => (changes.length === 1 ? true : undefined), "the first change", 10_000);
    await s.make().set("c", "3-CANARY"); // a later write: the only other report
    await waitFor(() => (changes.length === 2 ? true : undefined), "the second change", 10_000);
    expect(changes).toEqual([["b"], ["c"]]);
    stop();
  });

  it("waits for a folder that does not exist yet, then reports the first write", async () => {
    const s = setup();
    let notify: () => void = () => undefined;
    const seen = new Promise<void>((r) => (notify = r));
    const stop = s.source.watch(() => notify());
    await s.make().set("first", "1-CANARY");
    await seen;
    expect((await s.source.get("first"))?.value).toBe("1-CANARY");
    stop();
  });
});

function nextTurn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
