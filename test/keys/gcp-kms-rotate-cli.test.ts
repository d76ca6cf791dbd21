/**
 * `hush key rotate` through the built CLI on a store whose dev key is wrapped by Cloud KMS
 * (`keys: { dev: { provider: gcp-kms } }`), against the KMS fake with the real `@google-cloud/kms`
 * client and real service-account credentials: the new key is wrapped by the same crypto key and
 * read back, the store re-encrypted, the wrapped file replaced; the old wrapped key then opens
 * nothing, the values read back intact. Cloud KMS going down part-way (the wrap of the new key, or
 * its read-back) changes nothing, says so (SOURCE_UNAVAILABLE, exit 8: "Nothing was changed ... run
 * `hush key rotate` again") and leaks no value.
 * dist/cli.js runs in place so `@google-cloud/kms` resolves.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateFernetKey, type FernetKey } from "../../src/crypto/fernet.js";
import { gcpKmsKeyProviderType } from "../../src/keys/gcp-kms.js";
import type { KeyProvider } from "../../src/keys/provider.js";
import { startGcpKmsFake, type GcpKmsFake } from "../fakes/gcp-kms.js";
import { expectNoLeak, expectUnchanged, NOTHING_CHANGED_NOTE, expectValuesIntact, snapshot, storeValues, wrappedCliProject, type WrappedCliProject } from "../helpers/wrapped-key-cli.js";

let kms: GcpKmsFake;
const projects: WrappedCliProject[] = [];
beforeAll(async () => {
  kms = await startGcpKmsFake({ projectId: "hush-test" });
});
afterEach(() => {
  kms.unavailableAfter = {};
});
afterAll(async () => {
  await kms?.close();
  for (const p of projects) p.cleanup();
});

/** A project whose dev key is wrapped by a new crypto key, holding WRAPPED_VALUES; `provider()` is a new process's. */
async function project(): Promise<WrappedCliProject & { provider(): KeyProvider }> {
  const keyName = kms.createKey("hush", `dev${projects.length}`);
  const p = wrappedCliProject("gcp-kms-rotate-cli", JSON.stringify({ provider: "gcp-kms", keyName, endpoint: kms.url }), "dev.gcp-kms.json", {});
  projects.push(p);
  p.env.GOOGLE_APPLICATION_CREDENTIALS = join(p.dir, "sa.json");
  writeFileSync(p.env.GOOGLE_APPLICATION_CREDENTIALS, JSON.stringify(kms.account.json), { mode: 0o600 });
  const context = { root: p.dir, secretsDir: p.secretsDir, environment: "dev", env: p.env, onWarning: () => undefined };
  const provider = () => gcpKmsKeyProviderType.create({ keyName, endpoint: kms.url }, context);
  await provider().save(generateFernetKey());
  await storeValues(p);
  return Object.assign(p, { provider });
}

const keyText = (k: FernetKey) => Buffer.concat([k.signingKey, k.encryptionKey]).toString("base64url");
/** What must never be printed: the old and new keys and the service account's private key. */
const secretsOf = (...keys: FernetKey[]) => [...keys.map(keyText), kms.account.json.private_key!.split("\n")[1]!];

// Each case runs the CLI 6 to 8 times, each loading the Google SDK: minutes on a loaded machine, never a hang (the fake answers at once).
describe("hush key rotate with a gcp-kms key (built CLI)", { timeout: 120_000 }, () => {
  it("re-keys: one wrap and two unwraps; the old wrapped key opens nothing (WRONG_KEY, never 'not found'), the new one reads every value", async () => {
    const p = await project();
    const before = snapshot(p);
    const oldKey = await p.provider().load();
    const calls = { ...kms.calls };
    const r = await p.hush("key", "rotate");
    expect(r.stderr).toMatch(/^re-keyed dev: the store is re-encrypted under a new key \(gcp-kms: .*dev\.gcp-kms\.json\); the old key is gone\n$/);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    // Unwrap of the current key, wrap of the new one, unwrap of it read back.
    expect({ encrypt: kms.calls.encrypt - calls.encrypt, decrypt: kms.calls.decrypt - calls.decrypt }).toEqual({ encrypt: 1, decrypt: 2 });
    const newKey = await p.provider().load();
    expect(keyText(newKey) === keyText(oldKey), "a new key (compared without printing either)").toBe(false);
    expect(readFileSync(p.store).equals(before.store)).toBe(false);
    expect(statSync(p.wrapped).mode & 0o777).toBe(0o600);
    expect(readFileSync(p.wrapped, "utf8").includes(keyText(newKey)), "only a ciphertext on disk").toBe(false);
    expectNoLeak(r, secretsOf(oldKey, newKey));
    await expectValuesIntact(p);
    // The old wrapped key put back: it still unwraps (KMS), but to a key that opens nothing.
    const current = readFileSync(p.wrapped);
    writeFileSync(p.wrapped, before.wrapped, { mode: 0o600 });
    const old = await p.hush("get", "db_password");
    expect(old.code, old.stderr).toBe(5);
    expect(old.stderr).toMatch(/^hush: Wrong key for the store .*dev\.store/);
    expect(old.stderr).not.toMatch(/not found/i);
    expectNoLeak(old, secretsOf(oldKey, newKey));
    writeFileSync(p.wrapped, current, { mode: 0o600 });
    await expectValuesIntact(p);
  });

  it("--json: what was done on stdout, nothing on stderr; with --keep-old the old key stays wrapped (0600)", async () => {
    const p = await project();
    const before = snapshot(p);
    const oldKey = await p.provider().load();
    const r = await p.hush("key", "rotate", "--keep-old", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ environment: "dev", provider: "gcp-kms", keyPath: p.wrapped, reencrypted: true, keptOld: `${p.wrapped}.old` });
    expect(Object.keys(out).sort()).toEqual(["audit", "environment", "keptOld", "keyPath", "provider", "reencrypted"]);
    expect(readFileSync(`${p.wrapped}.old`).equals(before.wrapped), "the old key, still wrapped").toBe(true);
    expect(statSync(`${p.wrapped}.old`).mode & 0o777).toBe(0o600);
    expectNoLeak(r, secretsOf(oldKey, await p.provider().load()));
    await expectValuesIntact(p);
  });

  for (const [stage, verb, down] of [
    ["the wrap of the new key", "encrypt", () => void (kms.unavailableAfter = { encrypt: kms.calls.encrypt })],
    ["the read-back of the new key", "decrypt", () => void (kms.unavailableAfter = { decrypt: kms.calls.decrypt + 1 })],
  ] as const) {
    it(`Cloud KMS down part-way (${stage} fails): SOURCE_UNAVAILABLE (exit 8), nothing changed, no pending key, no value leaked`, async () => {
      const p = await project();
      const before = snapshot(p);
      const oldKey = await p.provider().load();
      const calls = { ...kms.calls };
      down();
      const r = await p.hush("key", "rotate", "--json");
      kms.unavailableAfter = {};
      expect(r.code, r.stderr).toBe(8);
      expect(r.stdout, "no JSON result for a rotation that did not happen").toBe("");
      expect(r.stderr).toMatch(new RegExp(`^hush: gcp-kms: ${verb} of projects/hush-test/.* failed: Google answered UNAVAILABLE\\.`));
      expect(r.stderr, "the error says nothing changed and the command can be run again").toMatch(NOTHING_CHANGED_NOTE);
      expect(r.stderr).not.toMatch(/not found|re-keyed/i);
      expect(kms.calls.decrypt - calls.decrypt, "the current key was unwrapped: KMS went down after").toBeGreaterThanOrEqual(1);
      expectUnchanged(p, before);
      expectNoLeak(r, secretsOf(oldKey));
      await expectValuesIntact(p);
      expect(keyText(await p.provider().load()) === keyText(oldKey), "the key is still the old one").toBe(true);
    });
  }
});
