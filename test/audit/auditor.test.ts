import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createAuditor } from "../../src/audit/auditor.js";
import type { AuditSink } from "../../src/audit/sink.js";
import { createJsonlSink } from "../../src/audit/jsonl-sink.js";
import { createKeyFile } from "../../src/crypto/key-file.js";
import { loadAuditKeys } from "../../src/audit/secret-id.js";
import { createSecretsManager } from "../../src/manager.js";
import { createEnvSource } from "../../src/sources/env.js";
import { HushError } from "../../src/errors.js";
import { CANARY, event, makeProject, type TempProject } from "./helpers.js";
import { fillDisk, mountTmpfs, remountReadOnly, unmount } from "../helpers/tmpfs.js";

let p: TempProject;
beforeEach(() => {
  p = makeProject();
});
afterEach(() => p.cleanup());

const throwing: AuditSink = { name: "broken", persistent: true, append: async () => Promise.reject(Object.assign(new Error(`disk says ${CANARY}`), { code: "EIO" })) };
const hanging: AuditSink = { name: "hung", persistent: true, append: () => new Promise<void>(() => undefined) };

/** Checks a rejection is AUDIT_FAILED and carries no value. */
async function expectDenied(p: Promise<unknown>, pattern?: RegExp): Promise<HushError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(HushError);
  expect((e as HushError).code).toBe("AUDIT_FAILED");
  if (pattern) expect((e as HushError).message).toMatch(pattern);
  expect(String(e)).not.toContain(CANARY);
  expect(JSON.stringify(e)).not.toContain(CANARY);
  return e as HushError;
}

function managerWith(auditor: ReturnType<typeof createAuditor>, warnings: string[] = []) {
  return createSecretsManager({
    cwd: p.dir,
    secretsDir: p.secretsDir,
    sources: [createEnvSource({ env: { OPENAI_API_KEY: CANARY } })],
    audit: auditor,
    onWarning: (m) => warnings.push(m),
  });
}

describe("fail-closed (required) mode (FAULTS 21)", () => {
  it("denies when the only persistent sink throws, without passing its message on", async () => {
    const auditor = createAuditor({ environment: "dev", keys: p.keys, mode: "required", sinks: [throwing], onWarning: () => undefined });
    await expectDenied(Promise.resolve(auditor.record(event("openai_api_key"))), /broken: EIO/);
    const hush = managerWith(auditor);
    await expectDenied(hush.get("openai_api_key"));
    await auditor.close();
  });

  it("denies when the sink hangs past the timeout", async () => {
    const auditor = createAuditor({ environment: "dev", keys: p.keys, mode: "required", sinks: [hanging], timeoutMs: 100, onWarning: () => undefined });
    await expectDenied(Promise.resolve(auditor.record(event("openai_api_key"))), /within 100 ms|hung: TIMEOUT/);
    const hush = managerWith(auditor);
    await expectDenied(hush.get("openai_api_key"));
    await expectDenied(hush.get("openai_api_key", { required: true }));
  });

  it("serves once one persistent sink has the record, and never counts stderr as persistent", async () => {
    const lines: string[] = [];
    const stderr = { write: (s: string) => lines.push(s) };
    const ok = createAuditor({ secretsDir: p.secretsDir, environment: "dev", mode: "required", sinks: [throwing, createJsonlSink({ path: p.logPath, environment: "dev" })], onWarning: () => undefined });
    expect(await managerWith(ok).get("openai_api_key")).toBe(CANARY);
    await ok.close();
    expect(readFileSync(p.logPath, "utf8").trim().split("\n")).toHaveLength(1);
    expect(() => createAuditor({ environment: "dev", keys: p.keys, mode: "required", sinks: [] })).toThrow(/persistent sink/);
    const { createStderrSink } = await import("../../src/audit/stderr-sink.js");
    const onlyStderr = createAuditor({ environment: "dev", keys: p.keys, mode: "best-effort", sinks: [createStderrSink({ stream: stderr })] });
    onlyStderr.record(event("openai_api_key"));
    await onlyStderr.close();
    expect(lines.join("")).toMatch(/^hush: audit: .* read served id:[0-9a-f]{16} local v1 alice@box pid 4242\n$/);
    expect(() => createAuditor({ environment: "dev", keys: p.keys, mode: "required", sinks: [createStderrSink({ stream: stderr })] })).toThrow(HushError);
  });

  it("denies when the environment has no key to compute secret ids", async () => {
    const dir = join(p.dir, "nokey");
    mkdirSync(dir, { mode: 0o700 });
    const auditor = createAuditor({ secretsDir: dir, environment: "dev", mode: "required" });
    const e = await expectDenied(Promise.resolve(auditor.record(event("openai_api_key"))), /^no key file at .*\.encryption\.key yet, and audit ids are keyed by it$/);
    expect(e.hint).toMatch(/hush init/);
  });

  it("denies when the disk is full, and leaves the log as it was", async (ctx) => {
    const mount = mountTmpfs(ctx, p.dir, 64);
    if (!mount) return;
    try {
      createKeyFile(mount, "dev");
      const keys = loadAuditKeys(mount, "dev");
      const log = join(mount, "audit.dev.jsonl");
      const first = createAuditor({ environment: "dev", keys, mode: "required", sinks: [createJsonlSink({ path: log, environment: "dev" })] });
      await first.record(event("a"));
      const before = readFileSync(log);
      fillDisk(mount);
      const auditor = createAuditor({ environment: "dev", keys, mode: "required", sinks: [createJsonlSink({ path: log, environment: "dev" })], onWarning: () => undefined });
      const e = await expectDenied(Promise.resolve(auditor.record(event("b"))));
      expect(e.message).toMatch(/ENOSPC/);
      expect(readFileSync(log).equals(before)).toBe(true);
    } finally {
      unmount(mount);
    }
  });

  it("denies when the log's file system is read-only", async (ctx) => {
    const mount = mountTmpfs(ctx, p.dir, 256);
    if (!mount) return;
    try {
      createKeyFile(mount, "dev");
      const keys = loadAuditKeys(mount, "dev");
      remountReadOnly(mount);
      const auditor = createAuditor({ environment: "dev", keys, mode: "required", sinks: [createJsonlSink({ path: join(mount, "audit.dev.jsonl"), environment: "dev" })], onWarning: () => undefined });
      const e = await expectDenied(Promise.resolve(auditor.record(event("a"))));
      expect(e.message).toMatch(/EROFS/);
    } finally {
      unmount(mount);
    }
  });

  it("denies on a log it may not write (non-root: a read-only folder)", async (ctx) => {
    if (process.getuid?.() === 0) ctx.skip(); // root writes anyway; the tmpfs tests above cover it
    chmodSync(p.secretsDir, 0o500);
    try {
      const auditor = createAuditor({ secretsDir: p.secretsDir, environment: "dev", mode: "required", onWarning: () => undefined });
      await expectDenied(Promise.resolve(auditor.record(event("a"))), /EACCES/);
    } finally {
      chmodSync(p.secretsDir, 0o700);
    }
  });
});

describe("best-effort mode (FAULTS 21)", () => {
  it("serves, warns once per failure burst and once on recovery", async () => {
    let fail = true;
    const flaky: AuditSink = { name: "flaky", persistent: true, append: async () => (fail ? Promise.reject(new HushError("WRITE_FAILED", "x", { cause: { code: "ENOSPC" } })) : undefined) };
    const warnings: string[] = [];
    const auditor = createAuditor({ environment: "dev", keys: p.keys, sinks: [flaky], onWarning: (m) => warnings.push(m) });
    const hush = managerWith(auditor, warnings);
    for (let i = 0; i < 3; i++) {
      expect(await hush.get("openai_api_key")).toBe(CANARY);
      await auditor.flush();
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/flaky sink failed \(WRITE_FAILED\/ENOSPC\).*still served/);
    fail = false;
    await hush.get("openai_api_key");
    await auditor.flush();
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/works again; 3 access records were not written/);
    expect(warnings.join("\n")).not.toContain(CANARY);
    await auditor.close();
  });

  it("serves when the sink hangs, and a missing key only warns", async () => {
    const warnings: string[] = [];
    const auditor = createAuditor({ environment: "dev", keys: p.keys, sinks: [hanging], timeoutMs: 50, onWarning: (m) => warnings.push(m) });
    expect(await managerWith(auditor).get("openai_api_key")).toBe(CANARY);
    await auditor.flush();
    expect(warnings[0]).toMatch(/hung sink failed \(TIMEOUT\)/);
    const dir = join(p.dir, "nokey");
    mkdirSync(dir, { mode: 0o700 });
    const noKey = createAuditor({ secretsDir: dir, environment: "dev", onWarning: (m) => warnings.push(m) });
    noKey.record(event("a"));
    await noKey.close();
    expect(warnings[1]).toMatch(/^audit: 1 access record was not written: no key file at .* yet, .*Create the key with `hush init`/);
    expect(existsSync(join(dir, "audit.dev.jsonl"))).toBe(false);
  });

  it("writes a batch at batchSize without waiting for the timer, and flushes on close", async () => {
    const batches: number[] = [];
    const counting: AuditSink = { name: "count", persistent: true, append: async (entries) => void batches.push(entries.length) };
    const auditor = createAuditor({ environment: "dev", keys: p.keys, sinks: [counting], batchSize: 4, flushIntervalMs: 60_000 });
    const tick = () => new Promise((r) => setTimeout(r, 30));
    for (let i = 0; i < 3; i++) auditor.record(event("a"));
    await tick();
    expect(batches).toEqual([]);
    auditor.record(event("a"));
    await tick();
    expect(batches).toEqual([4]);
    auditor.record(event("a"));
    auditor.record(event("a"));
    await auditor.close();
    expect(batches).toEqual([4, 2]);
  });
});
