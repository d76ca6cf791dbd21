/** The vault source's mapping, batch reads, writes with cas, caching, last-known-good and --debug lines. */
import { writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { generateFernetKey } from "../../../src/crypto/fernet.js";
import { keyFilePath } from "../../../src/crypto/key-file.js";
import { expectHushError } from "../conformance/cases.js";
import { setupVault, type VaultSetup } from "./harness.js";

let t: VaultSetup | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});
const rejection = (p: Promise<unknown>) => p.then(() => expect.unreachable("it must throw"), (e: unknown) => e);
const reads = (s: VaultSetup) => s.vault.server.requests.filter((r) => r.path.startsWith("/v1/secret/data/")).length;
const lists = (s: VaultSetup) => s.vault.server.requests.filter((r) => r.query.get("list") === "true").length;

describe("vault: the mapping model", () => {
  const remoteRefs = { openai_api_key: { key: "shared/llm", property: "openai" }, anthropic_api_key: { key: "shared/llm", property: "anthropic" }, old_key: { key: "shared/llm", property: "openai", version: "1" }, nothing_here: { key: "shared/llm", property: "absent" } };

  it("remote.key + property picks a field of a multi-field secret; version pins one; an absent field is 'not here'", async () => {
    t = await setupVault({}, { remoteRefs });
    t.vault.kv().write("shared/llm", { data: { openai: "sk-old-CANARY", anthropic: "ant-CANARY" } });
    t.vault.kv().write("shared/llm", { data: { openai: "sk-new-CANARY", anthropic: "ant-CANARY" } });
    const r = await t.source.get("openai_api_key");
    expect(r).toMatchObject({ value: "sk-new-CANARY", version: 2, location: "secret/data/shared/llm#openai" });
    expect((await t.source.get("old_key"))?.value).toBe("sk-old-CANARY");
    expect(await t.source.get("nothing_here")).toBeUndefined();
    expect((await t.source.list()).sort()).toEqual(["anthropic_api_key", "nothing_here", "old_key", "openai_api_key"]);
    expectHushError(await rejection(t.source.set!("old_key", "x-CANARY")), "READ_ONLY");
  });

  it("a secret with several fields and no property is refused, naming the fields, not their values", async () => {
    t = await setupVault();
    t.vault.kv().write("app/two", { data: { a: "a-CANARY", b: "b-CANARY" } });
    const e = expectHushError(await rejection(t.source.get("two")), "INVALID_ARGUMENT");
    expect(e.message).toMatch(/holds 2 fields \(a, b\)/);
  });

  it("set keeps the other fields of a multi-field secret, with check-and-set", async () => {
    t = await setupVault({}, { remoteRefs });
    t.vault.kv().write("shared/llm", { data: { openai: "sk-CANARY", anthropic: "ant-CANARY" } });
    await t.source.set!("openai_api_key", "sk-rotated-CANARY");
    const post = t.vault.server.requests.filter((r) => r.method === "POST" && r.path === "/v1/secret/data/shared/llm").at(-1)!;
    expect(post.json).toEqual({ options: { cas: 1 }, data: { openai: "sk-rotated-CANARY", anthropic: "ant-CANARY" } });
    expect(await t.source.delete!("anthropic_api_key")).toBe(true);
    expect(t.vault.kv().secrets.get("shared/llm")!.versions.get(3)!.data).toEqual({ openai: "sk-rotated-CANARY" });
    expect(await t.source.delete!("anthropic_api_key")).toBe(false);
  });

  it("a write that loses a check-and-set race reads again and retries: no update is lost", async () => {
    t = await setupVault();
    t.vault.kv().write("app/shared", { data: { value: "v1-CANARY", note: "n" } });
    const kv = t.vault.kv();
    const write = kv.write.bind(kv);
    let raced = false;
    kv.write = (path, body) => {
      if (!raced) {
        raced = true;
        write(path, { data: { value: "other-writer-CANARY", note: "kept" } }); // someone else wins first
      }
      return write(path, body);
    };
    await t.source.set!("shared", "mine-CANARY");
    expect(kv.secrets.get("app/shared")!.versions.get(3)!.data).toEqual({ value: "mine-CANARY", note: "kept" });
  });
});

describe("vault: getMany", () => {
  it("one LIST, then one read per distinct key that exists (concurrently, bounded); unlisted names are not read", async () => {
    t = await setupVault({ concurrency: 4 });
    const names = Array.from({ length: 50 }, (_, i) => `key_${i}`);
    t.seed(Object.fromEntries(names.slice(0, 40).map((n) => [n, `${n}-CANARY`])));
    const before = t.vault.server.requests.length;
    const records = await t.source.getMany!(names);
    expect(records.filter(Boolean).length).toBe(40);
    expect(records[7]?.value).toBe("key_7-CANARY");
    expect(records[45]).toBeUndefined();
    const made = t.vault.server.requests.slice(before).filter((r) => !r.path.startsWith("/v1/auth/"));
    expect(made.filter((r) => r.query.get("list") === "true").length).toBe(1);
    expect(made.filter((r) => r.path.startsWith("/v1/secret/data/")).length).toBe(40);
    await t.source.getMany!(names); // cached: nothing more for the 40 held (the 10 missing are cached as 'not here' too)
    expect(reads(t)).toBe(40);
  });

  it("a LIST the policy denies is skipped: every key is read", async () => {
    t = await setupVault();
    t.seed({ a: "a-CANARY", b: "b-CANARY" });
    t.vault.deny("secret/metadata/app");
    expect((await t.source.getMany!(["a", "b", "c"])).map((r) => r?.value)).toEqual(["a-CANARY", "b-CANARY", undefined]);
    expect(reads(t)).toBe(3);
    expect(lists(t)).toBe(1);
  });

  it("a destroyed latest version is DELETED through get and getMany, never an empty value", async () => {
    t = await setupVault();
    t.seed({ gone: "v1-CANARY", kept: "k-CANARY" });
    t.vault.kv().mark("app/gone", "destroy", [1]);
    const e = expectHushError(await rejection(t.source.get("gone")), "DELETED");
    expect(e.message).toMatch(/latest version \(version 1\) of secret\/data\/app\/gone is destroyed/);
    expectHushError(await rejection(t.source.getMany!(["kept", "gone"])), "DELETED");
    expect((await t.source.versions!("gone"))[0]).toMatchObject({ version: 1, labels: ["current", "destroyed"] });
  });
});

describe("vault: cache, refresh, last-known-good, --debug", () => {
  it("serves from the cache within cacheTtl; refresh() reads the rotated value at once", async () => {
    t = await setupVault({ cacheTtl: "1h" });
    t.seed({ api_key: "v1-CANARY" });
    await t.source.get("api_key");
    t.seed({ api_key: "v2-CANARY" });
    expect((await t.source.get("api_key"))?.value).toBe("v1-CANARY");
    await t.source.refresh();
    expect((await t.source.get("api_key"))?.value).toBe("v2-CANARY");
  });

  it("offlineCache: a sealed Vault serves the encrypted last-known-good copy with a warning and a stale marker", async () => {
    t = await setupVault({ cacheTtl: 0, offlineCache: { maxStaleness: "1h" } });
    writeFileSync(keyFilePath(t.context.secretsDir, "dev"), generateFernetKey(), { mode: 0o600 });
    t.seed({ api_key: "lkg-CANARY" });
    await t.source.get("api_key");
    await new Promise((r) => setTimeout(r, 20)); // the copy is written after the turn
    t.vault.sealed = true;
    const r = await t.source.get("api_key");
    expect(r).toMatchObject({ value: "lkg-CANARY", stale: true });
    expect(t.warnings.join("\n")).toMatch(/serving the last-known-good copy of api_key/);
    t.vault.deny("secret/data/app/api_key");
    t.vault.sealed = false;
    expectHushError(await rejection(t.source.get("api_key")), "ACCESS_DENIED");
  });

  it("--debug lines show each attempt and its wait, never a value or a token; the final error carries them in its stack", async () => {
    t = await setupVault();
    t.seed({ api_key: "dbg-CANARY" });
    t.vault.server.faults.push({ status: 503 }, { status: 503 });
    expect((await t.source.get("api_key"))?.value).toBe("dbg-CANARY");
    expect(t.debug.some((l) => /vault: attempt 1 POST \/v1\/auth\/approle\/login: 503, waited \d+ ms/.test(l))).toBe(true);
    t.vault.server.alwaysFault = { status: 500 };
    const e = expectHushError(await rejection(t.source.get("other")), "SOURCE_UNAVAILABLE");
    expect(e.stack).toMatch(/attempt 4 GET \/v1\/secret\/data\/app\/other: 500/);
    const all = `${t.debug.join("\n")}\n${e.stack}`;
    expect(all).not.toContain("CANARY");
    for (const token of t.vault.tokens.keys()) expect(all).not.toContain(token);
  });

  it("a reply that is JSON but not the documented shape is BAD_REPLY", async () => {
    t = await setupVault();
    t.seed({ api_key: "x-CANARY" });
    await t.source.get("api_key"); // logged in
    t.vault.server.faults.push({ status: 200, body: '{"data":{"unexpected":true}}' });
    expectHushError(await rejection(t.source.get("other")), "BAD_REPLY");
  });
});

describe("vault: check (hush doctor)", () => {
  it("ok: the token's origin and lifetime, and the keys under the prefix; problems each with a fix, never a token", async () => {
    t = await setupVault();
    t.seed({ a: "a-CANARY", b: "b-CANARY" });
    const ok = await t.source.check!();
    expect(ok.ok).toBe(true);
    expect(ok.detail).toMatch(/token from AppRole login, expires in \d+ min, renewable; 2 keys under secret\/app/);
    t.vault.deny("secret/metadata/app");
    const denied = await t.source.check!();
    expect(denied.ok).toBe(false);
    expect(denied.problems?.[0]?.fix).toMatch(/Grant "list" on secret\/metadata\/app\/\*/);
    t.vault.sealed = true;
    const sealed = await t.source.check!();
    expect(sealed.problems?.[0]?.fix).toMatch(/unsealed/);
    const text = JSON.stringify([ok, denied, sealed]);
    expect(text).not.toContain("CANARY");
    for (const token of t.vault.tokens.keys()) expect(text).not.toContain(token);
  });
});
