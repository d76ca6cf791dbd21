/**
 * `hush rotate` (the library's rotateSecret) on a `vault` source, against the Vault fake through
 * the source's own HTTP client: the new value waits as a KV v2 version marked hush-pending while
 * reads keep serving the old one, finish moves the marks (hush-previous = the old version), a
 * second rotation during the first is refused, a rotation cut between stage and finish resumes and
 * revokes the old value only, and an unreachable Vault fails the rotation without a value and
 * without "no pending" ever read. The SIGKILL-then-resume case is in crash-resume.test.ts.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rotateSecret } from "../../src/workflows/rotate.js";
import { openConfiguredManager } from "../../src/config/open.js";
import { registerRotatorType } from "../../src/rotation/registry.js";
import { defineRotatorType } from "../../src/rotation/rotator.js";
import { HushError } from "../../src/errors.js";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { startVaultFake, type VaultFake } from "../fakes/vault.js";

const OLD = ["old-", "vault-rotate-canary-", "4Rt"].join("");
const KEY = "app/api_token";
const UNAVAILABLE = { status: 503, body: JSON.stringify({ errors: ["Vault is sealed"] }) };

let vault: VaultFake;
let root: string;
let dir: string;
let env: NodeJS.ProcessEnv;
let n = 0;

beforeAll(async () => {
  vault = await startVaultFake();
  root = realpathSync(mkdtempSync(join(tmpdir(), "hush-vault-rotate-")));
});
afterAll(async () => {
  await vault.close();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  dir = join(root, `p${++n}`);
  env = { HOME: dir, VAULT_TOKEN: vault.rootToken };
  mkdirSync(join(dir, ".secrets"), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, ".secrets", ".encryption.key"), generateFernetKey(), { mode: 0o600 });
  writeFileSync(join(dir, "hush.yaml"), `version: 1\nsources:\n  - type: vault\n    options: { address: "${vault.url}", path: app, rotation: true, timeout: 2s }\n`);
  vault.kv().deleteAll(KEY);
  vault.kv().write(KEY, { data: { value: OLD } });
});
afterEach(() => {
  vault.server.alwaysFault = undefined;
  vault.beforeRequest = undefined;
});

const secret = () => vault.kv().secrets.get(KEY)!;
const valueOf = (version: number) => secret().versions.get(version)?.data?.value;
/** What a hush read (a manager of its own, no shared cache) serves now. */
async function served(): Promise<string | undefined> {
  const { manager } = await openConfiguredManager({ cwd: dir, env });
  try {
    return (await manager.sources[0]!.get("api_token"))?.value;
  } finally {
    await manager.dispose();
  }
}

describe("hush rotate on the vault source", () => {
  it("without rotation: true the vault source cannot stage: READ_ONLY names 'vault with rotation: true', nothing written", async () => {
    writeFileSync(join(dir, "hush.yaml"), `version: 1\nsources:\n  - type: vault\n    options: { address: "${vault.url}", path: app, timeout: 2s }\n`);
    const e = await rotateSecret({ cwd: dir, env, name: "api_token", graceMs: 0, rotator: { type: "random", options: {} } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HushError);
    expect((e as HushError).code).toBe("READ_ONLY");
    expect((e as HushError).message).toContain("vault with rotation: true");
    expect(secret().current_version).toBe(1);
    expect(secret().custom_metadata ?? {}).toEqual({});
  });

  it("random rotator: a read between stage and finish serves the old value; finish makes the new one current, the old one previous", async () => {
    const reads: (string | undefined)[] = [];
    const off = registerRotatorType(defineRotatorType({ type: "test-reader", summary: "reads in set (tests)", options: {}, create: () => ({ create: async () => "fresh-CANARY-value-x", set: async () => void reads.push(await served()) }) }));
    try {
      const progress: string[] = [];
      const result = await rotateSecret({ cwd: dir, env, name: "api_token", graceMs: 0, rotator: { type: "test-reader", options: {} }, onProgress: (line) => void progress.push(line) });
      expect(reads, "zero downtime: hush reads the old value while version 2 is pending").toEqual([OLD]);
      expect(result).toMatchObject({ source: "vault", rotator: "test-reader", version: 2, previousVersion: 1, resumed: false });
      expect(secret().custom_metadata).toEqual({ "hush-current": "2", "hush-previous": "1" });
      expect(await served()).toBe("fresh-CANARY-value-x");
      expect(progress.join("\n") + JSON.stringify(result)).not.toContain(OLD);
    } finally {
      off();
    }
    const random = await rotateSecret({ cwd: dir, env, name: "api_token", graceMs: 0, rotator: { type: "random", options: {} } });
    expect(random).toMatchObject({ version: 3, previousVersion: 2 });
    expect(valueOf(3)).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(await served()).toBe(valueOf(3));
    expect(JSON.stringify(random)).not.toContain(valueOf(3));
  });

  it("a second rotation while the first is between create and finish is ROTATION_IN_PROGRESS; the first then finishes", async () => {
    let release!: () => void;
    let started!: () => void;
    const inSet = new Promise<void>((r) => (started = r));
    const gate = new Promise<void>((r) => (release = r));
    const off = registerRotatorType(defineRotatorType({ type: "test-held", summary: "waits in set (tests)", options: {}, create: () => ({ create: async () => "held-CANARY-value", set: async () => (started(), gate) }) }));
    try {
      const first = rotateSecret({ cwd: dir, env, name: "api_token", graceMs: 0, rotator: { type: "test-held", options: {} } });
      await inSet;
      const second = await rotateSecret({ cwd: dir, env, name: "api_token", graceMs: 0, rotator: { type: "random", options: {} } }).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(HushError);
      expect((second as HushError).code).toBe("ROTATION_IN_PROGRESS");
      expect(String(second) + JSON.stringify(second)).not.toContain("held-CANARY-value");
      expect(secret().current_version, "the refused rotation wrote nothing").toBe(2);
      expect(await served()).toBe(OLD);
      release();
      expect(await first).toMatchObject({ version: 2, previousVersion: 1 });
      expect(await served()).toBe("held-CANARY-value");
    } finally {
      release();
      off();
    }
  });

  it("a rotation cut between stage and finish (its test step fails): --resume finishes, and revokes the OLD value, never the new one", async () => {
    const revoked: string[] = [];
    let failTest = true;
    const off = registerRotatorType(
      defineRotatorType({
        type: "test-cut",
        summary: "test step fails once (tests)",
        options: {},
        create: () => ({
          create: async () => "cut-CANARY-value",
          test: async () => {
            if (failTest) throw new HushError("SOURCE_UNAVAILABLE", "the target is down");
          },
          revoke: async ({ value }) => void revoked.push(value),
        }),
      }),
    );
    try {
      const cut = await rotateSecret({ cwd: dir, env, name: "api_token", graceMs: 0, rotator: { type: "test-cut", options: {} } }).catch((e: unknown) => e);
      expect((cut as HushError).code).toBe("ROTATION_FAILED");
      expect(secret().custom_metadata).toMatchObject({ "hush-current": "1", "hush-pending": "2" });
      expect(await served()).toBe(OLD);
      failTest = false;
      const resumed = await rotateSecret({ cwd: dir, env, name: "api_token", graceMs: 0, resume: true, rotator: { type: "test-cut", options: {} } });
      expect(resumed).toMatchObject({ resumed: true, version: 2, previousVersion: 1, revoke: "done" });
      expect(revoked).toEqual([OLD]);
      expect(await served()).toBe("cut-CANARY-value");
      expect(String(cut) + JSON.stringify(resumed)).not.toContain("cut-CANARY-value");
    } finally {
      off();
    }
  });

  it("a finish whose reply is lost (marks moved, the read-back fails): --resume finds nothing pending and revokes nothing", async () => {
    const revoked: string[] = [];
    const off = registerRotatorType(defineRotatorType({ type: "test-lost", summary: "records revokes (tests)", options: {}, create: () => ({ create: async () => "lost-CANARY-value", revoke: async ({ value }) => void revoked.push(value) }) }));
    try {
      let metadataPosts = 0;
      vault.beforeRequest = (method, api) => {
        if (api !== `secret/metadata/${KEY}`) return undefined;
        if (method === "POST" && ++metadataPosts === 2) vault.server.alwaysFault = UNAVAILABLE; // promote's marks land; everything after fails
        return undefined;
      };
      const cut = await rotateSecret({ cwd: dir, env, name: "api_token", graceMs: 0, rotator: { type: "test-lost", options: {} } }).catch((e: unknown) => e);
      expect((cut as HushError).code).toBe("ROTATION_FAILED");
      vault.server.alwaysFault = undefined;
      vault.beforeRequest = undefined;
      expect(secret().custom_metadata).toEqual({ "hush-current": "2", "hush-previous": "1" });
      const resumed = await rotateSecret({ cwd: dir, env, name: "api_token", graceMs: 0, resume: true, rotator: { type: "test-lost", options: {} } }).catch((e: unknown) => e);
      expect((resumed as HushError).code).toBe("INVALID_ARGUMENT");
      expect(revoked, "never the new value").toEqual([]);
      expect(await served()).toBe("lost-CANARY-value");
    } finally {
      off();
    }
  });

  it("Vault unreachable at finish: ROTATION_FAILED (SOURCE_UNAVAILABLE), current and pending kept, --resume finishes; unreachable at the start: SOURCE_UNAVAILABLE", async () => {
    const off = registerRotatorType(defineRotatorType({ type: "test-breaks", summary: "Vault goes down after set (tests)", options: {}, create: () => ({ create: async () => "fresh-CANARY-value", set: async () => void (vault.server.alwaysFault = UNAVAILABLE) }) }));
    try {
      const failed = await rotateSecret({ cwd: dir, env, name: "api_token", graceMs: 0, rotator: { type: "test-breaks", options: {} } }).catch((e: unknown) => e);
      expect((failed as HushError).code).toBe("ROTATION_FAILED");
      expect(String(failed)).toContain("SOURCE_UNAVAILABLE");
      vault.server.alwaysFault = undefined;
      expect(secret().custom_metadata).toMatchObject({ "hush-current": "1", "hush-pending": "2" });
      expect(await served()).toBe(OLD);

      vault.server.alwaysFault = UNAVAILABLE;
      const down = await rotateSecret({ cwd: dir, env, name: "api_token", graceMs: 0, resume: true, rotator: { type: "random", options: {} } }).catch((e: unknown) => e);
      expect((down as HushError).code, "a read that fails is never 'no pending'").toBe("SOURCE_UNAVAILABLE");
      vault.server.alwaysFault = undefined;

      const resumed = await rotateSecret({ cwd: dir, env, name: "api_token", graceMs: 0, resume: true, rotator: { type: "random", options: {} } });
      expect(resumed).toMatchObject({ resumed: true, version: 2, previousVersion: 1 });
      expect(await served()).toBe("fresh-CANARY-value");
      for (const e of [failed, down]) {
        expect(String(e) + JSON.stringify(e)).not.toContain(OLD);
        expect(String(e) + JSON.stringify(e)).not.toContain("fresh-CANARY-value");
      }
    } finally {
      off();
    }
  });
});
