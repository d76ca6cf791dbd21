/**
 * `hush key rotate` for a wrapped key (src/keys/rotation-keys.ts): aws-kms, vault-transit and
 * gcp-kms through their real clients against the fakes, and passphrase. The new key is wrapped by
 * the same KMS key into `<wrapped>.pending`, read back through the provider, the store
 * re-encrypted, the wrapped file replaced; the old key opens nothing. A crash after each step
 * leaves a store that the next open reads with the key hush then uses; a KMS that is down or
 * refuses changes nothing (no pending file, same bytes) and no value or key leaks into the error.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { PassThrough } from "node:stream";
import { spawn } from "node:child_process";
import { createHash, randomInt } from "node:crypto";
import { bundleForChild } from "../helpers/bundle.js";
import { join } from "node:path";
import { generateFernetKey, openToken, type FernetKey } from "../../src/crypto/fernet.js";
import { HushError } from "../../src/errors.js";
import { forgetEnvironmentKeys, type KeySettings } from "../../src/keys/environment-key.js";
import { createAwsKmsKeyProvider, type AwsKmsKeyProviderOptions } from "../../src/keys/aws-kms.js";
import { gcpKmsKeyProviderType } from "../../src/keys/gcp-kms.js";
import { createPassphraseKeyProvider } from "../../src/keys/passphrase.js";
import { createVaultTransitKeyProvider, VAULT_TRANSIT_OPTIONS, type VaultTransitOptions } from "../../src/keys/vault-transit.js";
import type { KeyProvider, KeyProviderContext } from "../../src/keys/provider.js";
import { rotateLocalKey } from "../../src/keys/rotate-local.js";
import { parseOptions } from "../../src/config/options-schema.js";
import { createLocalSource } from "../../src/sources/local.js";
import { startAwsKmsFake, type AwsKmsFake } from "../fakes/aws-kms.js";
import { startGcpKmsFake, type GcpKmsFake } from "../fakes/gcp-kms.js";
import { startVaultFake, type VaultFake } from "../fakes/vault.js";
import { readAllValues } from "../helpers/project-source.js";

const VALUES = { a_key: "a-CANARY-9f8e7d6c5b4a", b_key: "b-CANARY-0a1b2c3d4e5f" };
const AWS_ENV = { AWS_ACCESS_KEY_ID: "AKIDTESTFAKE0000ROT1", AWS_SECRET_ACCESS_KEY: "test-secret-access-key", AWS_EC2_METADATA_DISABLED: "true", AWS_REGION: "us-east-1", AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent" };
const PASSPHRASE = "correct horse battery staple rotate";
const CHEAP = { N: 2 ** 14, r: 8, p: 1 };

let base: string;
let aws: AwsKmsFake;
let vault: VaultFake;
let gcp: GcpKmsFake;
const savedEnv: Record<string, string | undefined> = {};
beforeAll(async () => {
  // The AWS SDK reads its region and credentials from process.env.
  for (const [k, v] of Object.entries(AWS_ENV)) [savedEnv[k], process.env[k]] = [process.env[k], v];
  base = mkdtempSync(join(tmpdir(), "hush-rotate-wrapped-"));
  [aws, vault, gcp] = await Promise.all([startAwsKmsFake(), startVaultFake(), startGcpKmsFake({ projectId: "hush-test", location: "global" })]);
  writeFileSync(join(base, "sa.json"), JSON.stringify(gcp.account.json), { mode: 0o600 });
});
afterAll(async () => {
  for (const [k, v] of Object.entries(savedEnv)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  await Promise.all([aws?.close(), vault?.close(), gcp?.close()]);
  rmSync(base, { recursive: true, force: true });
});

/** A project whose dev store's key is wrapped by `kind`, holding VALUES. */
interface WrappedProject {
  secretsDir: string;
  store: string;
  /** The wrapped-key file. */
  wrapped: string;
  /** A new provider (a new process's). */
  provider(): KeyProvider;
  /** The KMS refuses or cannot be reached from now on; `restore` undoes it. */
  down(): void;
  restore(): void;
  /** Strings that must not appear in an error. */
  secrets: string[];
  /** hush.yaml's key settings and the variables, for a local store. */
  settings: KeySettings;
  env: NodeJS.ProcessEnv;
}

let counter = 0;
async function project(kind: "aws-kms" | "vault-transit" | "gcp-kms" | "passphrase", vaultAuth: "token" | "approle" = "token"): Promise<WrappedProject> {
  const root = mkdtempSync(join(base, `${kind}-`));
  const secretsDir = join(root, ".secrets");
  const id = `k${++counter}`;
  let options: Record<string, unknown>;
  let env: NodeJS.ProcessEnv;
  let wrapped: string;
  let down: () => void;
  let restore: () => void;
  if (kind === "aws-kms") {
    options = { keyId: aws.createKey(`hush-${id}`), endpoint: aws.url };
    env = { ...AWS_ENV };
    wrapped = join(secretsDir, "dev.key.aws-kms");
    [down, restore] = [() => void (aws.denied = true), () => void (aws.denied = false)];
  } else if (kind === "vault-transit") {
    options = { address: vault.url, keyName: `hush-${id}-transit`, timeout: "300ms" };
    env = { VAULT_TOKEN: vault.rootToken };
    if (vaultAuth === "approle") {
      vault.addAppRole(`role-${id}`, `secret-id-${id}-4d3c2b1a`);
      options.auth = { method: "approle", roleId: `role-${id}` };
      env = { VAULT_SECRET_ID: `secret-id-${id}-4d3c2b1a` };
    }
    wrapped = join(secretsDir, "dev.key.vault-transit");
    [down, restore] = [() => void (vault.server.alwaysFault = { drop: true }), () => void (vault.server.alwaysFault = undefined)];
  } else if (kind === "gcp-kms") {
    options = { keyName: gcp.createKey("hush", id), endpoint: gcp.url };
    env = { GOOGLE_APPLICATION_CREDENTIALS: join(base, "sa.json") };
    wrapped = join(secretsDir, "dev.gcp-kms.json");
    [down, restore] = [() => void (gcp.server.alwaysFault = { drop: true }), () => void (gcp.server.alwaysFault = undefined)];
  } else {
    options = {};
    env = { HUSH_PASSPHRASE: PASSPHRASE };
    wrapped = join(secretsDir, "dev.wrapped-key.json");
    [down, restore] = [() => void (env.HUSH_PASSPHRASE = "not the passphrase"), () => void (env.HUSH_PASSPHRASE = PASSPHRASE)];
  }
  const context: KeyProviderContext = { root, secretsDir, environment: "dev", env, onWarning: () => undefined };
  const provider = (): KeyProvider => {
    if (kind === "aws-kms") return createAwsKmsKeyProvider(options as unknown as AwsKmsKeyProviderOptions, context);
    if (kind === "gcp-kms") return gcpKmsKeyProviderType.create(options, context);
    if (kind === "passphrase") return createPassphraseKeyProvider({}, context, { params: CHEAP });
    const parsed = parseOptions(VAULT_TRANSIT_OPTIONS, options, ["keys", "dev"], (p, m) => {
      throw new Error(`${p.join(".")}: ${m}`);
    }) as VaultTransitOptions;
    return createVaultTransitKeyProvider(parsed, context);
  };
  await provider().save(generateFernetKey());
  const settings: KeySettings = { keys: { dev: { provider: kind, options } } };
  const p: WrappedProject = { secretsDir, store: join(secretsDir, "dev.store"), wrapped, provider, down, restore, secrets: [...Object.values(VALUES), PASSPHRASE, vault.rootToken], settings, env };
  const source = createLocalSource({ secretsDir, keys: settings, env });
  for (const [n, v] of Object.entries(VALUES)) await source.set(n, v);
  await source.dispose();
  return p;
}

/** Every value, read by a fresh local store (a new process: no provider kept from before). */
async function readAll(p: WrappedProject): Promise<Record<string, string>> {
  forgetEnvironmentKeys();
  return readAllValues(createLocalSource({ secretsDir: p.secretsDir, keys: p.settings, env: p.env }));
}

const tokenOf = (store: string) => readFileSync(store, "utf8").trim().split("\n").pop()!;
const opens = (key: FernetKey, store: string) => openToken(key, tokenOf(store)).ok;
const keyText = (k: FernetKey) => Buffer.concat([k.signingKey, k.encryptionKey]).toString("base64url");
const sha256 = (text: string | undefined) => createHash("sha256").update(text ?? "(none)").digest("hex");

/** `read` holds exactly VALUES, compared without printing a value: the names as they are, each value by its SHA-256. */
function expectAllValues(read: Record<string, string>, what = "the values read back"): void {
  expect(Object.keys(read).sort(), `${what}: names`).toEqual(Object.keys(VALUES).sort());
  for (const [name, value] of Object.entries(VALUES)) expect(sha256(read[name]), `${what}: ${name} (SHA-256)`).toBe(sha256(value));
}

/** The file at `path` holds `bytes` (ciphertexts only, but never printed either). */
function expectSameBytes(path: string, bytes: Buffer, what: string): void {
  expect(readFileSync(path).equals(bytes), what).toBe(true);
}

/** The note of a rotation that failed before the store was written (src/keys/rotation-note.ts). */
const NOTHING_CHANGED = /\. Nothing was changed: the store and the key file are as they were, and no pending key is left\. Run `hush key rotate` again once /;

function expectNoLeak(err: unknown, p: WrappedProject, keys: FernetKey[]): void {
  const text = err instanceof HushError ? `${err.message} ${err.hint ?? ""} ${String(err.cause ?? "")}` : String(err);
  for (const s of [...p.secrets, ...keys.map(keyText)]) expect(text.includes(s), "a value, key or token leaked into the error").toBe(false);
}

for (const kind of ["aws-kms", "vault-transit", "gcp-kms", "passphrase"] as const) {
  describe(`hush key rotate with a ${kind} key`, () => {
    it("re-wraps a fresh key with the same provider; the store re-encrypted; the old key opens nothing; --keep-old keeps the old wrapped file", async () => {
      const p = await project(kind);
      const before = readFileSync(p.wrapped);
      const oldKey = await p.provider().load();
      const r = await rotateLocalKey({ secretsDir: p.secretsDir, environment: "dev", provider: p.provider(), keepOld: true });
      expect(r).toMatchObject({ provider: kind, keyPath: p.wrapped, reencrypted: true, keptOld: `${p.wrapped}.old` });
      const newKey = await p.provider().load();
      expect(keyText(newKey) === keyText(oldKey), "a new key (compared without printing either)").toBe(false);
      expect(opens(oldKey, p.store), "the old key opens nothing").toBe(false);
      expect(opens(newKey, p.store)).toBe(true);
      expect(readFileSync(p.wrapped).equals(before)).toBe(false);
      expect(readFileSync(p.wrapped, "utf8").includes(keyText(newKey)), "only a wrapped key on disk").toBe(false);
      expect(statSync(p.wrapped).mode & 0o777).toBe(0o600);
      expectSameBytes(`${p.wrapped}.old`, before, "the old key kept, still wrapped");
      expect(statSync(`${p.wrapped}.old`).mode & 0o777).toBe(0o600);
      expect(existsSync(`${p.wrapped}.pending`)).toBe(false);
      expectAllValues(await readAll(p));
    });

    for (const step of ["pending", "store", "readBack", "key", "done"] as const) {
      it(`a crash after step "${step}": the next open reads every value with the key hush then uses`, async () => {
        const p = await project(kind);
        const oldKey = await p.provider().load();
        const crash = rotateLocalKey({ secretsDir: p.secretsDir, environment: "dev", provider: p.provider(), onStep: (at) => { if (at === step) throw new Error(`crash at ${at}`); } });
        await expect(crash).rejects.toThrow(`crash at ${step}`);
        if (step !== "done") expect(statSync(`${p.wrapped}.pending`).mode & 0o777, "the pending key is written 0600").toBe(0o600);
        expectAllValues(await readAll(p)); // the open settles the rotation
        const key = await p.provider().load();
        expect(opens(key, p.store)).toBe(true);
        const rotated = keyText(key) !== keyText(oldKey);
        expect(rotated, "the store reached the new key exactly when the crash came after the store step").toBe(step !== "pending");
        if (rotated) expect(opens(oldKey, p.store), "the old key opens nothing").toBe(false);
        // A pending key left is harmless: the open settled it (store, readBack), or it is a copy of the key (key), or it opens nothing (pending).
        if (step === "store" || step === "readBack" || step === "done") expect(existsSync(`${p.wrapped}.pending`), "the open settled the pending key").toBe(false);
        if (step === "key") expectSameBytes(`${p.wrapped}.pending`, readFileSync(p.wrapped), "the pending key is a copy of the key");
        // And a rotation after the crash works and leaves no pending key.
        await rotateLocalKey({ secretsDir: p.secretsDir, environment: "dev", provider: p.provider() });
        expectAllValues(await readAll(p));
        expect(existsSync(`${p.wrapped}.pending`)).toBe(false);
      });
    }

    it("the KMS down or refusing: a clear error, the store and the wrapped key unchanged, no pending key, nothing leaked", async () => {
      const p = await project(kind);
      const oldKey = await p.provider().load();
      const before = { wrapped: readFileSync(p.wrapped), store: readFileSync(p.store) };
      // Down from the start (the current key cannot be unwrapped), then down after it was (the wrap or the read-back fails).
      // (A passphrase provider that has unwrapped keeps the passphrase: only the first case applies.)
      for (const loadedFirst of kind === "passphrase" ? [false] : [false, true]) {
        const provider = p.provider();
        if (loadedFirst) await provider.load();
        p.down();
        const err = await rotateLocalKey({ secretsDir: p.secretsDir, environment: "dev", provider }).catch((e: unknown) => e);
        p.restore();
        expect(err).toBeInstanceOf(HushError);
        expect((err as HushError).code).toMatch(kind === "passphrase" ? /^WRONG_KEY$/ : /^(SOURCE_UNAVAILABLE|ACCESS_DENIED|KMS_[A-Z_]+)$/);
        expect((err as HushError).message).toMatch(NOTHING_CHANGED);
        expectNoLeak(err, p, [oldKey]);
        expectSameBytes(p.wrapped, before.wrapped, "the wrapped key is unchanged");
        expectSameBytes(p.store, before.store, "the store is unchanged");
        expect(existsSync(`${p.wrapped}.pending`)).toBe(false);
      }
      expectAllValues(await readAll(p));
    });
  });
}

describe("hush key rotate with a wrapped key: the read-back", () => {
  it("aws-kms: the KMS key disabled (KMS_DECRYPT_FAILED) or KMS unreachable (SOURCE_UNAVAILABLE) while re-keying: nothing changes", async () => {
    const p = await project("aws-kms");
    const keyArn = String(p.settings.keys!.dev!.options.keyId);
    const before = { wrapped: readFileSync(p.wrapped), store: readFileSync(p.store) };
    const faults: [string, () => void, () => void][] = [
      ["KMS_DECRYPT_FAILED", () => void aws.disabled.add(keyArn), () => void aws.disabled.delete(keyArn)],
      ["SOURCE_UNAVAILABLE", () => void (aws.server.alwaysFault = { drop: true }), () => void (aws.server.alwaysFault = undefined)],
    ];
    for (const [code, fault, heal] of faults) {
      const provider = p.provider();
      const oldKey = await provider.load(); // the Encrypt of the new key is what fails
      fault();
      const err = await rotateLocalKey({ secretsDir: p.secretsDir, environment: "dev", provider }).catch((e: unknown) => e);
      heal();
      expect(err).toMatchObject({ code });
      expect((err as HushError).message).toMatch(NOTHING_CHANGED);
      if (code === "SOURCE_UNAVAILABLE") expect((err as HushError).message).toMatch(/again once the service can be reached\.$/);
      expectNoLeak(err, p, [oldKey]);
      expectSameBytes(p.wrapped, before.wrapped, "the wrapped key is unchanged");
      expectSameBytes(p.store, before.store, "the store is unchanged");
      expect(existsSync(`${p.wrapped}.pending`)).toBe(false);
    }
    expectAllValues(await readAll(p));
  });

  it("vault-transit: the wrap works but the unwrap of the pending key is denied: nothing changes, the pending key removed", async () => {
    const p = await project("vault-transit");
    const before = { wrapped: readFileSync(p.wrapped), store: readFileSync(p.store) };
    const provider = p.provider();
    await provider.load();
    vault.deny(`transit/decrypt/${String(p.settings.keys!.dev!.options.keyName)}`); // this project's transit key only
    const err = await rotateLocalKey({ secretsDir: p.secretsDir, environment: "dev", provider }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ACCESS_DENIED" });
    expect((err as HushError).message).toMatch(NOTHING_CHANGED);
    expectNoLeak(err, p, []);
    expectSameBytes(p.wrapped, before.wrapped, "the wrapped key is unchanged");
    expectSameBytes(p.store, before.store, "the store is unchanged");
    expect(existsSync(`${p.wrapped}.pending`)).toBe(false);
    expect(vault.server.requests.some((r) => r.path.startsWith("/v1/transit/encrypt/")), "the pending key was wrapped").toBe(true);
  });
});

describe("hush key rotate with a wrapped key: what a failure says was changed", () => {
  const fail = (at: string) => new HushError("WRITE_FAILED", `Cannot write at step ${at}.`);
  it("before the store is written: nothing changed (the pending key removed); once its rewrite began: how it resumes; after the key: done", async () => {
    const p = await project("aws-kms");
    const before = { wrapped: readFileSync(p.wrapped), store: readFileSync(p.store) };
    const at = async (step: "pending" | "store" | "key") => (await rotateLocalKey({ secretsDir: p.secretsDir, environment: "dev", provider: p.provider(), onStep: (s) => { if (s === step) throw fail(s); } }).catch((e: unknown) => e)) as HushError;
    const early = await at("pending");
    expect(early).toMatchObject({ code: "WRITE_FAILED" });
    expect(early.message).toMatch(/^Cannot write at step pending\. Nothing was changed: .* again once this is fixed\.$/);
    expectSameBytes(p.wrapped, before.wrapped, "the wrapped key is unchanged");
    expectSameBytes(p.store, before.store, "the store is unchanged");
    expect(existsSync(`${p.wrapped}.pending`), "no pending key left").toBe(false);
    const mid = await at("store");
    expect(mid).toMatchObject({ code: "WRITE_FAILED" });
    expect(mid.message).not.toMatch(/Nothing was changed/);
    expect(mid.message).toContain(`the new key is kept in ${p.wrapped}.pending; the next hush command that opens the store`);
    expect(existsSync(`${p.wrapped}.pending`), "the pending key is kept").toBe(true);
    expectAllValues(await readAll(p), "after the open that settles it"); // as the note says
    expect(existsSync(`${p.wrapped}.pending`), "settled").toBe(false);
    const late = await at("key");
    expect(late.message).toMatch(/The store and the key were already replaced: the rotation itself is done\.$/);
    expectAllValues(await readAll(p));
    expectNoLeak(early, p, []);
    expectNoLeak(mid, p, []);
  });

  it("an interrupted rotation that cannot be settled (KMS down): the rotation did not start, the values intact", async () => {
    const p = await project("aws-kms");
    await expect(rotateLocalKey({ secretsDir: p.secretsDir, environment: "dev", provider: p.provider(), onStep: (s) => { if (s === "store") throw new Error("crash"); } })).rejects.toThrow("crash");
    p.down();
    const err = (await rotateLocalKey({ secretsDir: p.secretsDir, environment: "dev", provider: p.provider() }).catch((e: unknown) => e)) as HushError;
    p.restore();
    expect(err).toBeInstanceOf(HushError);
    expect(err.message).toMatch(/ The rotation did not start: an interrupted rotation \(its new key in .*\.pending\) could not be settled first/);
    expect(err.message).not.toMatch(/Nothing was changed/);
    expect(existsSync(`${p.wrapped}.pending`), "the pending key is kept").toBe(true);
    expectNoLeak(err, p, []);
    expectAllValues(await readAll(p));
  });
});

describe("hush key rotate with a gcp-kms key: one client", () => {
  it("the pending key's providers reuse the key's Cloud KMS client: one credential for the unwrap, the wrap and the read-back", async () => {
    const p = await project("gcp-kms");
    const realNow = Date.now.bind(Date);
    // Each request the fake serves moves the clock on 2 s, so a client made after it signs another JWT (its iat is in seconds); a client kept reuses its own.
    const clock = vi.spyOn(Date, "now").mockImplementation(() => realNow() + 2000 * gcp.server.requests.length);
    try {
      const from = gcp.server.requests.length;
      await rotateLocalKey({ secretsDir: p.secretsDir, environment: "dev", provider: p.provider() });
      const calls = gcp.server.requests.slice(from).filter((r) => /:(en|de)crypt$/.test(r.path));
      expect(calls.length, "unwrap, wrap, read-back").toBe(3);
      expect(new Set(calls.map((r) => r.headers.authorization)).size, "credentials used (one per client)").toBe(1);
    } finally {
      clock.mockRestore();
    }
  });
});

describe("hush key rotate with a wrapped key: a process that had the old key", () => {
  it("aws-kms: a store opened before another process's rotation (or its crash after the store step) reads on: the kept provider unwraps again", async () => {
    const p = await project("aws-kms");
    forgetEnvironmentKeys();
    const { settings, env } = p;
    const first = createLocalSource({ secretsDir: p.secretsDir, keys: settings, env });
    expect((await first.get("a_key"))?.value === VALUES.a_key, "a_key reads back").toBe(true); // this process now keeps the aws-kms provider with the old key
    await first.dispose();
    // Another process re-keys and dies after the store step: new store, old wrapped key, the pending key.
    await expect(rotateLocalKey({ secretsDir: p.secretsDir, environment: "dev", provider: p.provider(), onStep: (at) => { if (at === "store") throw new Error("crash"); } })).rejects.toThrow("crash");
    const again = createLocalSource({ secretsDir: p.secretsDir, keys: settings, env });
    try {
      expect((await again.get("b_key"))?.value === VALUES.b_key, "b_key reads back").toBe(true);
    } finally {
      await again.dispose();
    }
    expect(existsSync(`${p.wrapped}.pending`)).toBe(false);
    // And a full rotation by another process: the next store opened here reads with the new key.
    await rotateLocalKey({ secretsDir: p.secretsDir, environment: "dev", provider: p.provider() });
    const third = createLocalSource({ secretsDir: p.secretsDir, keys: settings, env });
    try {
      expect((await third.get("a_key"))?.value === VALUES.a_key, "a_key reads back").toBe(true);
    } finally {
      await third.dispose();
    }
  });
});

describe("hush key rotate with a passphrase key on a terminal", () => {
  it("asks the passphrase once: the new key is wrapped and read back under the same passphrase", async () => {
    const p = await project("passphrase");
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
    const output = new PassThrough();
    let prompts = 0;
    output.on("data", (c: Buffer) => {
      if (!/passphrase/i.test(c.toString())) return;
      prompts++;
      setImmediate(() => input.write(`${PASSPHRASE}\n`));
    });
    const context: KeyProviderContext = { root: join(p.secretsDir, ".."), secretsDir: p.secretsDir, environment: "dev", env: {}, onWarning: () => undefined };
    const oldKey = await p.provider().load();
    await rotateLocalKey({ secretsDir: p.secretsDir, environment: "dev", provider: createPassphraseKeyProvider({}, context, { params: CHEAP, tty: { input, output } }) });
    expect(prompts).toBe(1);
    expect(opens(oldKey, p.store)).toBe(false);
    expectAllValues(await readAll(p)); // HUSH_PASSPHRASE (the same passphrase) opens the new key
  });
});

describe("hush key rotate with a wrapped key: SIGKILLs", () => {
  for (const auth of ["token", "approle"] as const) {
    it(`vault-transit (${auth}): SIGKILL of a rotating process at random points: every value reads back with the key hush then uses`, { timeout: 120_000 }, async () => {
      const p = await project("vault-transit", auth);
      const logins = vault.logins.length;
      const script = await bundleForChild("test/helpers/rotate-loop-wrapped.ts", base, "rotate-loop-wrapped");
      let rotations = 0;
      for (let kill = 0; kill < 8; kill++) {
        const child = spawn(process.execPath, [script, p.secretsDir, JSON.stringify(p.settings.keys)], { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH, ...p.env } });
        let seen = 0;
        let errors = "";
        child.stderr.on("data", (c: Buffer) => void (errors += c.toString()));
        const started = new Promise<void>((resolve) => child.stdout.on("data", (c: Buffer) => { seen += c.toString().split("\n").length - 1; resolve(); }));
        const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
        await Promise.race([started, exited]);
        expect(errors).toBe("");
        await new Promise((r) => setTimeout(r, randomInt(0, 40)));
        child.kill("SIGKILL");
        await exited;
        rotations += seen;
        expectAllValues(await readAll(p), `after kill ${kill}`);
        expect(opens(await p.provider().load(), p.store)).toBe(true);
      }
      expect(rotations).toBeGreaterThan(0);
      // AppRole: each rotating process logs in once however many rotations it made (a re-key forgets providers, not the client); this process's reads reuse the login of its save.
      if (auth === "approle") expect(vault.logins.length - logins, "logins: one per rotating process at most").toBeLessThanOrEqual(8);
      process.stdout.write(`wrapped re-keying crash test (vault-transit, ${auth}): 8 SIGKILLs over ${rotations} completed rotations, 0 stores lost, ${vault.logins.length - logins} logins\n`);
    });
  }
});
