/**
 * `hush key rotate` (src/keys/rotate-local.ts): the store is re-encrypted under a new key and the
 * old key opens nothing; a crash after any step (thrown at each step, and real SIGKILLs of a
 * rotating process) leaves a store that opens with exactly the key hush then uses, values intact;
 * a full disk (ENOSPC) changes nothing. Also `hush key move`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CANARY, expectNoCanary, hushIn, tempProject } from "../config/temp-project.js";
import { openToken, parseFernetKey } from "../../src/crypto/fernet.js";
import { HushError } from "../../src/errors.js";
import { createLocalSource } from "../../src/sources/local.js";
import { createFileKeyProvider } from "../../src/keys/file.js";
import { finishInterruptedRotation, rotateLocalKey } from "../../src/keys/rotate-local.js";
import { createAuditor } from "../../src/audit/auditor.js";
import { verifyAuditLog } from "../../src/audit/verify.js";
import { jsonlLogPath } from "../../src/audit/jsonl-sink.js";
import { deriveAuditKeys } from "../../src/audit/secret-id.js";
import { event } from "../audit/helpers.js";
import { bundleForChild } from "../helpers/bundle.js";
import { fillDisk, mountTmpfs, unmount } from "../helpers/tmpfs.js";
import { copyTree } from "../helpers/copy-tree.js";
import { readAllValues } from "../helpers/project-source.js";

const tokenOf = (store: string) => readFileSync(store, "utf8").trim().split("\n").pop()!;
const opensWith = (keyPath: string, store: string) => openToken(parseFernetKey(readFileSync(keyPath)), tokenOf(store)).ok;
/** A pending key a crash left is harmless: it opens nothing, or it is the key itself (the next rotation removes it). */
const pendingIsHarmless = (keyPath: string, store: string) => !existsSync(`${keyPath}.pending`) || !opensWith(`${keyPath}.pending`, store) || readFileSync(`${keyPath}.pending`).equals(readFileSync(keyPath));

let root: string;
beforeAll(() => void (root = mkdtempSync(join(tmpdir(), "hush-rotate-"))));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A `file`-keyed local store in a fresh folder holding `values`. */
async function fileStore(values: Record<string, string>) {
  const secretsDir = join(mkdtempSync(join(root, "p-")), ".secrets");
  const source = createLocalSource({ secretsDir });
  for (const [n, v] of Object.entries(values)) await source.set(n, v);
  await source.dispose();
  const context = { root: join(secretsDir, ".."), secretsDir, environment: "dev", onWarning: () => undefined };
  return { secretsDir, keyPath: join(secretsDir, ".encryption.key"), store: join(secretsDir, "dev.store"), provider: () => createFileKeyProvider(context) };
}

async function readAll(secretsDir: string): Promise<Record<string, string>> {
  return readAllValues(createLocalSource({ secretsDir }));
}

describe("hush key rotate", () => {
  it("re-encrypts under a new key (user provider); the old key opens nothing; --keep-old keeps it 0600", async () => {
    const dir = tempProject();
    await hushIn(dir, ["init"]);
    await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY });
    const json = JSON.parse((await hushIn(dir, ["key", "rotate", "--json"])).stdout);
    expect(json).toMatchObject({ environment: "dev", provider: "user", reencrypted: true });
    const before = readFileSync(json.keyPath);
    const store = join(dir, ".secrets", "dev.store");
    const r = await hushIn(dir, ["key", "rotate", "--keep-old"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("re-keyed dev: the store is re-encrypted under a new key");
    expectNoCanary(r);
    expect(readFileSync(`${json.keyPath}.old`)).toEqual(before);
    expect(statSync(`${json.keyPath}.old`).mode & 0o777).toBe(0o600);
    expect(opensWith(`${json.keyPath}.old`, store), "the old key opens nothing").toBe(false);
    expect(opensWith(json.keyPath, store)).toBe(true);
    expect(existsSync(`${json.keyPath}.pending`)).toBe(false);
    expect((await hushIn(dir, ["get", "openai_api_key"])).stdout).toBe(CANARY);
    // The audit log's anchor and start marker moved to the new key: the log still verifies.
    const verify = await hushIn(dir, ["audit", "verify"]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(r.stderr + verify.stderr).not.toContain("does not match");
  });

  for (const step of ["pending", "store", "readBack", "key", "done"] as const) {
    it(`a crash after step "${step}" leaves a store that opens with the key hush uses, nothing lost`, async () => {
      const values = { a_key: "a-CANARY", b_key: "b-CANARY" };
      const s = await fileStore(values);
      const oldKey = readFileSync(s.keyPath);
      await expect(rotateLocalKey({ secretsDir: s.secretsDir, environment: "dev", provider: s.provider(), onStep: (at) => { if (at === step) throw new Error(`crash at ${at}`); } })).rejects.toThrow(`crash at ${step}`);
      expect(await readAll(s.secretsDir)).toEqual(values); // the next open settles the rotation
      expect(opensWith(s.keyPath, s.store)).toBe(true);
      expect(pendingIsHarmless(s.keyPath, s.store)).toBe(true);
      const rotated = !readFileSync(s.keyPath).equals(oldKey);
      expect(rotated, "the store reached the new key exactly when the crash came after the store step").toBe(step !== "pending");
      if (rotated) expect(openToken(parseFernetKey(oldKey), tokenOf(s.store)).ok, "the old key opens nothing").toBe(false);
      // And a rotation after the crash works.
      await rotateLocalKey({ secretsDir: s.secretsDir, environment: "dev", provider: s.provider() });
      expect(await readAll(s.secretsDir)).toEqual(values);
      expect(existsSync(`${s.keyPath}.pending`), "the next rotation settled what the crash left").toBe(false);
    });
  }

  for (const step of ["pending", "store", "readBack", "audit", "key", "done"] as const) {
    it(`a crash after step "${step}": once settled, the audit log verifies under the key hush uses`, async () => {
      const s = await fileStore({ a_key: "a-CANARY" });
      const auditor = createAuditor({ secretsDir: s.secretsDir, environment: "dev" });
      for (let i = 1; i <= 3; i++) auditor.record(event(`secret_${i}`));
      await auditor.close();
      await expect(rotateLocalKey({ secretsDir: s.secretsDir, environment: "dev", provider: s.provider(), onStep: (at) => { if (at === step) throw new Error(`crash at ${at}`); } })).rejects.toThrow(`crash at ${step}`);
      await finishInterruptedRotation({ secretsDir: s.secretsDir, environment: "dev", provider: s.provider() });
      const anchorKey = deriveAuditKeys(parseFernetKey(readFileSync(s.keyPath))).anchorKey;
      const verified = await verifyAuditLog(jsonlLogPath(s.secretsDir, "dev"), { anchorKey });
      expect(verified.problems.map((x) => x.kind)).toEqual([]);
      expect(verified.ok).toBe(true);
    });
  }

  it("settling a rotation whose audit files cannot be re-MACed replaces the key all the same, says so once, and the store opens", async () => {
    const s = await fileStore({ a_key: "a-CANARY" });
    const auditor = createAuditor({ secretsDir: s.secretsDir, environment: "dev" });
    auditor.record(event("secret_1"));
    await auditor.close();
    await expect(rotateLocalKey({ secretsDir: s.secretsDir, environment: "dev", provider: s.provider(), onStep: (at) => { if (at === "store") throw new Error("crash at store"); } })).rejects.toThrow("crash at store");
    const pending = readFileSync(`${s.keyPath}.pending`);
    const marker = jsonlLogPath(s.secretsDir, "dev").replace(/\.jsonl$/, ".start");
    rmSync(marker);
    mkdirSync(marker); // a start marker that cannot be read: the re-MAC fails
    const settled = await finishInterruptedRotation({ secretsDir: s.secretsDir, environment: "dev", provider: s.provider() }).catch((e: unknown) => e);
    expect(settled).toBeInstanceOf(HushError);
    expect(String(settled)).not.toContain("a-CANARY");
    expect(readFileSync(s.keyPath).equals(pending), "the pending key became the key").toBe(true);
    expect(existsSync(`${s.keyPath}.pending`)).toBe(false);
    expect(await finishInterruptedRotation({ secretsDir: s.secretsDir, environment: "dev", provider: s.provider() })).toBe(false);
    expect(await readAll(s.secretsDir)).toEqual({ a_key: "a-CANARY" });
  });

  it("SIGKILL of a rotating process at random points: the store always opens with its key, nothing lost", { timeout: 120_000 }, async () => {
    const values = { a_key: "a-CANARY", b_key: "b-CANARY", c_key: "x".repeat(50_000) };
    const s = await fileStore(values);
    const script = await bundleForChild("test/helpers/rotate-loop.ts", root, "rotate-loop");
    let rotations = 0;
    for (let kill = 0; kill < 12; kill++) {
      const child = spawn(process.execPath, [script, s.secretsDir], { stdio: ["ignore", "pipe", "pipe"] });
      let seen = 0;
      const started = new Promise<void>((resolve) => child.stdout.on("data", (c: Buffer) => { seen += c.toString().split("\n").length - 1; resolve(); }));
      const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
      await started;
      await new Promise((r) => setTimeout(r, randomInt(0, 25)));
      child.kill("SIGKILL");
      await exited;
      rotations += seen;
      expect(await readAll(s.secretsDir), `after kill ${kill}`).toEqual(values);
      expect(opensWith(s.keyPath, s.store)).toBe(true);
      expect(pendingIsHarmless(s.keyPath, s.store)).toBe(true);
    }
    process.stdout.write(`re-keying crash test: 12 SIGKILLs over ${rotations} completed rotations, 0 stores lost\n`);
  });

  it("ENOSPC during the re-encryption: WRITE_FAILED, the old store and key unchanged and in use", async (ctx) => {
    const parent = mkdtempSync(join(root, "full-"));
    const mount = mountTmpfs(ctx, parent, 512);
    if (!mount) return;
    try {
      const s = await fileStore({ a_key: "a-CANARY" });
      const secretsDir = join(mount, ".secrets");
      copyTree(s.secretsDir, secretsDir);
      const keyPath = join(secretsDir, ".encryption.key");
      const before = { key: readFileSync(keyPath), store: readFileSync(join(secretsDir, "dev.store")) };
      fillDisk(mount);
      const context = { root: mount, secretsDir, environment: "dev", onWarning: () => undefined };
      const err = await rotateLocalKey({ secretsDir, environment: "dev", provider: createFileKeyProvider(context) }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "WRITE_FAILED" });
      expect(readFileSync(keyPath)).toEqual(before.key);
      expect(readFileSync(join(secretsDir, "dev.store"))).toEqual(before.store);
      expect(await readAll(secretsDir)).toEqual({ a_key: "a-CANARY" });
      expect(readdirSync(secretsDir).filter((f) => f.includes(".tmp-"))).toEqual([]);
    } finally {
      unmount(mount);
    }
  });
});

describe("hush key move", () => {
  it("--to user moves a .secrets/ key out of the project; --to file moves it back; the store opens all along", async () => {
    const dir = tempProject();
    await hushIn(dir, ["init", "--key-provider", "file"]);
    await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY });
    const noProject = await hushIn(dir, ["key", "move", "--to", "user"]);
    expect(noProject.code).toBe(3);
    expect(noProject.stderr).toContain("project:");
    const { appendFileSync } = await import("node:fs");
    appendFileSync(join(dir, "hush.yaml"), "version: 1\nproject: moved-app-1\n");
    const key = readFileSync(join(dir, ".secrets", ".encryption.key"));
    const up = JSON.parse((await hushIn(dir, ["key", "move", "--to", "user", "--json"])).stdout);
    expect(up).toMatchObject({ moved: true, from: { provider: "file" }, to: { provider: "user" } });
    expect(existsSync(join(dir, ".secrets", ".encryption.key"))).toBe(false);
    expect(readFileSync(up.to.where)).toEqual(key);
    expect(statSync(up.to.where).mode & 0o777).toBe(0o600);
    expect((await hushIn(dir, ["get", "openai_api_key"])).stdout).toBe(CANARY);
    const doctor = JSON.parse((await hushIn(dir, ["doctor", "--json"])).stdout);
    expect(doctor.keys[0]).toMatchObject({ environment: "dev", provider: "user", insideProject: false, warnings: [] });
    const down = await hushIn(dir, ["key", "move", "--to", "file"]);
    expect(down.code, down.stderr).toBe(0);
    expect(existsSync(up.to.where)).toBe(false);
    expect((await hushIn(dir, ["get", "openai_api_key"])).stdout).toBe(CANARY);
    expectNoCanary(down);
  });
});
