import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HushError } from "../../../src/errors.js";
import { generateFernetKey } from "../../../src/crypto/fernet.js";
import { withLastKnownGood } from "../../../src/sources/remote/last-known-good.js";
import { createMemorySource } from "../../helpers/memory-source.js";

const VALUE = "sk-lkg-CANARY-0123456789";
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(options: { maxStalenessMs?: number; key?: boolean } = {}) {
  const root = mkdtempSync(join(tmpdir(), "hush-lkg-"));
  dirs.push(root);
  const secretsDir = join(root, ".secrets");
  mkdirSync(secretsDir, { mode: 0o700 });
  if (options.key !== false) writeFileSync(join(secretsDir, "prod.key"), generateFernetKey(), { mode: 0o600 });
  const warnings: string[] = [];
  let t = 1_000_000;
  const make = () => {
    const inner = createMemorySource("vault", { api_key: VALUE, other: "other-CANARY" });
    const source = withLastKnownGood(inner, { maxStalenessMs: options.maxStalenessMs ?? 3_600_000, context: { secretsDir, environment: "prod", onWarning: (m) => warnings.push(m) }, now: () => t });
    return { inner, source };
  };
  return { secretsDir, warnings, make, advance: (ms: number) => (t += ms) };
}
const down = () => new HushError("SOURCE_UNAVAILABLE", "vault: read of secret/data/api_key failed: the backend could not be reached.");

describe("withLastKnownGood", () => {
  it("keeps what it reads encrypted (0600 in 0700), and serves it with a warning and a stale marker when the backend is down", async () => {
    const { secretsDir, warnings, make, advance } = setup();
    const first = make();
    expect((await first.source.get("api_key"))?.value).toBe(VALUE);
    await first.source.dispose!();
    const dir = join(secretsDir, "offline");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const [file] = readdirSync(dir);
    expect(file).toBe("prod.vault.lkg");
    expect(statSync(join(dir, file!)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, file!), "utf8")).not.toContain("CANARY");

    advance(10 * 60_000);
    const second = make(); // a new process: reads the file
    second.inner.failWith = down();
    const r = await second.source.get("api_key");
    expect(r?.value).toBe(VALUE);
    expect(r?.stale).toBe(true);
    expect(r?.location).toMatch(/last-known-good copy, read /);
    expect(warnings.join("\n")).toMatch(/unreachable \(SOURCE_UNAVAILABLE\); serving the last-known-good copy of api_key, read 10 min ago/);
    expect(warnings.join("\n")).not.toContain("CANARY");
    expect(await second.source.list()).toEqual(expect.arrayContaining(["api_key"]));
  });

  it("refuses a copy older than maxStaleness, saying so", async () => {
    const { make, advance } = setup({ maxStalenessMs: 60_000 });
    const a = make();
    await a.source.get("api_key");
    await a.source.dispose!();
    advance(120_000);
    const b = make();
    b.inner.failWith = down();
    const e = (await b.source.get("api_key").catch((x: unknown) => x)) as HushError;
    expect(e.code).toBe("SOURCE_UNAVAILABLE");
    expect(e.message).toMatch(/older than maxStaleness \(60 s\): not served/);
    expect(JSON.stringify(e)).not.toContain("CANARY");
  });

  it("never serves a copy on ACCESS_DENIED or DELETED, and drops it", async () => {
    const { make } = setup();
    const a = make();
    await a.source.get("api_key");
    await a.source.get("other");
    await a.inner.faults.deny("api_key");
    await expect(a.source.get("api_key")).rejects.toMatchObject({ code: "ACCESS_DENIED" });
    await a.inner.faults.deleteLatest("other");
    await expect(a.source.get("other")).rejects.toMatchObject({ code: "DELETED" });
    await a.source.dispose!();
    const b = make();
    b.inner.failWith = down();
    await expect(b.source.get("api_key"), "the denied copy was dropped").rejects.toMatchObject({ code: "SOURCE_UNAVAILABLE" });
    await expect(b.source.get("other"), "the deleted copy was dropped").rejects.toMatchObject({ code: "SOURCE_UNAVAILABLE" });
  });

  it("with no copy, the original failure passes through; other errors are never masked", async () => {
    const { make } = setup();
    const a = make();
    a.inner.failWith = down();
    await expect(a.source.get("api_key")).rejects.toBe(a.inner.failWith);
    a.inner.failWith = new HushError("BAD_REPLY", "x");
    await expect(a.source.get("api_key")).rejects.toMatchObject({ code: "BAD_REPLY" });
  });

  it("a copy under another key (a rotated environment key) is ignored with a warning, then replaced", async () => {
    const { secretsDir, warnings, make } = setup();
    const a = make();
    await a.source.get("api_key");
    await a.source.dispose!();
    writeFileSync(join(secretsDir, "prod.key"), generateFernetKey(), { mode: 0o600 });
    const b = make();
    b.inner.failWith = down();
    await expect(b.source.get("api_key")).rejects.toMatchObject({ code: "SOURCE_UNAVAILABLE" });
    expect(warnings.join()).toMatch(/were not used \(WRONG_KEY\)/);
  });

  it("without the environment's key, the copies are off, with a warning; reads still work", async () => {
    const { warnings, make } = setup({ key: false });
    const a = make();
    expect((await a.source.get("api_key"))?.value).toBe(VALUE);
    await a.source.dispose!();
    expect(warnings.join()).toMatch(/offlineCache is off: the environment's key could not be loaded \(KEY_MISSING\)/);
  });
});
