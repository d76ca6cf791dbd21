/**
 * `hush rotate` (the library's rotateSecret) on a `gcp` source, against the Secret Manager fake
 * through the real SDK (REST): the new value waits under the alias `hush-pending` while plain
 * reads keep the old one (`hush-current`), finish moves `hush-current` (`hush-previous` = the old
 * version), a second rotation during the first is refused, a rotation cut after its stage or
 * half-way through its finish is finished by --resume (revoking the OLD value, never the new),
 * and an unreachable Google fails the rotation without a value and without "no pending" ever read.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rotateSecret } from "../../src/workflows/rotate.js";
import { registerRotatorType } from "../../src/rotation/registry.js";
import { defineRotatorType } from "../../src/rotation/rotator.js";
import { HushError } from "../../src/errors.js";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { createGcpSource } from "../../src/sources/gcp.js";
import type { SecretSource } from "../../src/types.js";
import { googleErrorBody } from "../fakes/gcp-common.js";
import { startGcpSecretManagerFake, type GcpSecretManagerFake } from "../fakes/gcp-secret-manager.js";

const P = "projects/hush-test";
const OLD = ["old-", "gcp-rotate-canary-", "4Rt"].join("");
const UNAVAILABLE = googleErrorBody("UNAVAILABLE");

let fake: GcpSecretManagerFake;
let root: string;
let dir: string;
let secretId: string;
let reader: SecretSource; // another app reading the secret, no cache
let n = 0;
let savedCredentials: string | undefined;

beforeAll(async () => {
  fake = await startGcpSecretManagerFake({ projectId: "hush-test" });
  root = realpathSync(mkdtempSync(join(tmpdir(), "hush-gcp-rotate-")));
  const credentials = join(root, "service-account.json");
  writeFileSync(credentials, JSON.stringify(fake.account.json), { mode: 0o600 });
  savedCredentials = process.env.GOOGLE_APPLICATION_CREDENTIALS;
  process.env.GOOGLE_APPLICATION_CREDENTIALS = credentials;
});
afterAll(async () => {
  await fake.close();
  rmSync(root, { recursive: true, force: true });
  if (savedCredentials === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  else process.env.GOOGLE_APPLICATION_CREDENTIALS = savedCredentials;
});
beforeEach(() => {
  dir = join(root, `p${++n}`);
  const prefix = `r${n}-`;
  secretId = `${prefix}api_token`;
  mkdirSync(join(dir, ".secrets"), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, ".secrets", ".encryption.key"), generateFernetKey(), { mode: 0o600 });
  writeFileSync(join(dir, "hush.yaml"), `version: 1\nsources:\n  - type: gcp\n    options: { project: hush-test, endpoint: "${fake.url}", prefix: "${prefix}", timeout: 5s, rotation: true }\n`);
  fake.seed(P, secretId, OLD);
  reader = createGcpSource({ project: "hush-test", endpoint: fake.url, prefix, cacheTtlMs: 0, rotation: true }, { root: dir, secretsDir: join(dir, ".secrets"), environment: "dev", onWarning: () => undefined });
});
afterEach(async () => {
  fake.server.alwaysFault = undefined;
  fake.server.faults.length = 0;
  await reader.dispose?.();
});

const aliases = () => fake.secret(P, secretId)!.versionAliases;
const valueOf = (version: number) => fake.secret(P, secretId)!.versions[version - 1]!.data.toString("utf8");

describe("hush rotate on the gcp source", () => {
  it("random rotator: pending staged while reads keep the old value, then promoted; hush-previous is the old version", async () => {
    const seen: unknown[] = [];
    const progress: string[] = [];
    const result = await rotateSecret({
      cwd: dir,
      name: "api_token",
      graceMs: 0,
      rotator: { type: "random", options: {} },
      onProgress: (line) => {
        progress.push(line);
        if (line.startsWith("create:")) seen.push({ ...aliases() });
      },
    });
    expect(seen).toEqual([{ "hush-current": 1, "hush-pending": 2 }]);
    expect(result).toMatchObject({ source: "gcp", rotator: "random", version: 2, previousVersion: 1, resumed: false });
    expect(aliases()).toEqual({ "hush-current": 2, "hush-previous": 1 });
    expect(valueOf(2)).toMatch(/^[A-Za-z0-9]{40}$/);
    expect((await reader.get("api_token"))?.value).toBe(valueOf(2));
    const shown = progress.join("\n") + JSON.stringify(result);
    expect(shown).not.toContain(OLD);
    expect(shown).not.toContain(valueOf(2));
  });

  it("a read by another app between create and finish returns the old value; a second rotation then is ROTATION_IN_PROGRESS; the first then finishes", async () => {
    let release!: () => void;
    let started!: () => void;
    const inSet = new Promise<void>((r) => (started = r));
    const gate = new Promise<void>((r) => (release = r));
    const off = registerRotatorType(defineRotatorType({ type: "test-held-gcp", summary: "waits in set (tests)", options: {}, create: () => ({ create: async () => "held-CANARY-value", set: async () => (started(), gate) }) }));
    try {
      const first = rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, rotator: { type: "test-held-gcp", options: {} } });
      await inSet;
      expect((await reader.get("api_token"))?.value, "zero downtime: latest is the pending version, reads are not").toBe(OLD);
      const second = await rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, rotator: { type: "random", options: {} } }).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(HushError);
      expect((second as HushError).code).toBe("ROTATION_IN_PROGRESS");
      expect(String(second)).not.toContain("held-CANARY-value");
      expect(fake.secret(P, secretId)!.versions.length, "the refused rotation wrote nothing").toBe(2);
      release();
      expect(await first).toMatchObject({ version: 2, previousVersion: 1 });
      expect((await reader.get("api_token"))?.value).toBe("held-CANARY-value");
    } finally {
      release();
      off();
    }
  });

  it("a rotation cut between stage and finish (the test step fails): the old value is served; --resume finishes and revokes the OLD value", async () => {
    const revoked: string[] = [];
    let failTest = true;
    const off = registerRotatorType(
      defineRotatorType({
        type: "test-crash-gcp",
        summary: "test step fails once (tests)",
        options: {},
        create: () => ({
          create: async () => "crash-CANARY-value",
          test: async () => {
            if (failTest) throw new Error("the target is not ready");
          },
          revoke: async ({ value }) => void revoked.push(value),
        }),
      }),
    );
    try {
      const cut = await rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, rotator: { type: "test-crash-gcp", options: {} } }).catch((e: unknown) => e);
      expect((cut as HushError).code).toBe("ROTATION_FAILED");
      expect(aliases()).toEqual({ "hush-current": 1, "hush-pending": 2 });
      expect((await reader.get("api_token"))?.value).toBe(OLD);
      failTest = false;
      const resumed = await rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, resume: true, rotator: { type: "test-crash-gcp", options: {} } });
      expect(resumed).toMatchObject({ resumed: true, version: 2, previousVersion: 1, revoke: "done" });
      expect(revoked).toEqual([OLD]);
      expect((await reader.get("api_token"))?.value).toBe("crash-CANARY-value");
    } finally {
      off();
    }
  });

  it("a finish cut between moving hush-current and dropping hush-pending: --resume finishes, and revokes the OLD value (previous), never the new one", async () => {
    const revoked: string[] = [];
    let hold = () => undefined as void;
    const off = registerRotatorType(
      defineRotatorType({
        type: "test-cut-gcp",
        summary: "finish cut half-way (tests)",
        options: {},
        create: () => ({ create: async () => "cut-CANARY-value", test: async () => hold(), revoke: async ({ value }) => void revoked.push(value) }),
      }),
    );
    try {
      let armed = false;
      hold = () => void ((armed = true), (fake.holdNextPatchReplyMs = 500)); // the hush-current move is applied, its reply held while Google goes down
      const cut = rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, rotator: { type: "test-cut-gcp", options: {} } }).catch((e: unknown) => e);
      const deadline = Date.now() + 10_000;
      while (!(armed && fake.holdNextPatchReplyMs === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
      fake.server.alwaysFault = UNAVAILABLE;
      expect(((await cut) as HushError).code).toBe("ROTATION_FAILED");
      fake.server.alwaysFault = undefined;
      hold = () => undefined;
      expect(aliases()).toEqual({ "hush-current": 2, "hush-pending": 2, "hush-previous": 1 });
      expect(revoked).toEqual([]);

      const resumed = await rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, resume: true, rotator: { type: "test-cut-gcp", options: {} } });
      expect(resumed).toMatchObject({ resumed: true, version: 2, previousVersion: 1, revoke: "done" });
      expect(aliases()).toEqual({ "hush-current": 2, "hush-previous": 1 });
      expect(revoked).toEqual([OLD]);
    } finally {
      off();
    }
  });

  it("Google unreachable at finish: ROTATION_FAILED (SOURCE_UNAVAILABLE), current and pending kept, --resume finishes; unreachable at the start: SOURCE_UNAVAILABLE", async () => {
    const off = registerRotatorType(defineRotatorType({ type: "test-breaks-gcp", summary: "Google goes down after set (tests)", options: {}, create: () => ({ create: async () => "fresh-CANARY-value", set: async () => void (fake.server.alwaysFault = UNAVAILABLE) }) }));
    try {
      const failed = await rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, rotator: { type: "test-breaks-gcp", options: {} } }).catch((e: unknown) => e);
      expect((failed as HushError).code).toBe("ROTATION_FAILED");
      expect(String(failed)).toContain("SOURCE_UNAVAILABLE");
      fake.server.alwaysFault = undefined;
      expect(aliases()).toEqual({ "hush-current": 1, "hush-pending": 2 });

      fake.server.alwaysFault = UNAVAILABLE;
      const down = await rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, resume: true, rotator: { type: "random", options: {} } }).catch((e: unknown) => e);
      expect((down as HushError).code, "a read that fails is never 'no pending'").toBe("SOURCE_UNAVAILABLE");
      fake.server.alwaysFault = undefined;

      const resumed = await rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, resume: true, rotator: { type: "random", options: {} } });
      expect(resumed).toMatchObject({ resumed: true, version: 2, previousVersion: 1 });
      expect((await reader.get("api_token"))?.value).toBe("fresh-CANARY-value");
      for (const e of [failed, down]) {
        expect(String(e) + JSON.stringify(e)).not.toContain(OLD);
        expect(String(e) + JSON.stringify(e)).not.toContain("fresh-CANARY-value");
      }
    } finally {
      off();
    }
  });
});
