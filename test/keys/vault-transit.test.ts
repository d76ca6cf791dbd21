/** The `vault-transit` key provider passes the key-provider conformance suite against the Vault fake's transit engine. */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseOptions } from "../../src/config/options-schema.js";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import type { KeyProviderContext } from "../../src/keys/provider.js";
import { VAULT_TRANSIT_OPTIONS, vaultTransitKeyProviderType, type VaultTransitOptions } from "../../src/keys/vault-transit.js";
import { startVaultFake, type VaultFake } from "../fakes/vault.js";
import { describeKeyProviderConformance } from "./conformance/suite.js";

async function setup(options: Record<string, unknown> = {}) {
  const vault = await startVaultFake();
  const root = mkdtempSync(join(tmpdir(), "hush-key-transit-"));
  const secretsDir = join(root, ".secrets");
  mkdirSync(secretsDir, { mode: 0o700 });
  const context: KeyProviderContext = { root, secretsDir, environment: "prod", env: { VAULT_TOKEN: vault.rootToken }, onWarning: () => undefined };
  const parsed = parseOptions(VAULT_TRANSIT_OPTIONS, { address: vault.url, keyName: "hush-prod", timeout: "300ms", ...options }, ["keys", "prod"], (p, m) => {
    throw new Error(`${p.join(".")}: ${m}`);
  }) as VaultTransitOptions;
  const make = () => vaultTransitKeyProviderType.create(parsed, context);
  const file = join(secretsDir, "prod.key.vault-transit");
  const cleanup = async () => {
    await vault.close();
    rmSync(root, { recursive: true, force: true });
  };
  return { vault, root, file, make, cleanup };
}
const decrypts = (vault: VaultFake) => vault.server.requests.filter((r) => r.path.startsWith("/v1/transit/decrypt/")).length;

describeKeyProviderConformance("vault-transit", {
  async create() {
    const t = await setup();
    return {
      provider: t.make(),
      reopen: t.make,
      calls: () => decrypts(t.vault),
      secrets: [t.vault.rootToken],
      faults: {
        // The file's ciphertext now comes from another transit key: it does not open with hush-prod.
        async wrongKey() {
          const doc = JSON.parse(readFileSync(t.file, "utf8")) as { ciphertext: string };
          const res = await fetch(`${t.vault.url}/v1/transit/encrypt/another`, { method: "POST", headers: { "x-vault-token": t.vault.rootToken }, body: JSON.stringify({ plaintext: Buffer.alloc(32, 7).toString("base64") }) });
          doc.ciphertext = ((await res.json()) as { data: { ciphertext: string } }).data.ciphertext;
          writeFileSync(t.file, JSON.stringify(doc), { mode: 0o600 });
        },
        corrupt: async () => writeFileSync(t.file, "{ cut short", { mode: 0o600 }),
        laxPermissions: async () => chmodSync(t.file, 0o644),
        deny: async () => t.vault.deny("transit/decrypt/"),
        unreachable: async () => void (t.vault.server.alwaysFault = { drop: true }),
      },
      cleanup: t.cleanup,
    };
  },
});

describe("vault-transit key provider", () => {
  it("keeps only the ciphertext on disk (0600), names the transit key, and unwraps once per provider", async () => {
    const t = await setup();
    try {
      const key = generateFernetKey();
      await t.make().save(key);
      const text = readFileSync(t.file, "utf8");
      expect(text).toMatch(/"ciphertext":"vault:v1:/);
      expect(text).not.toContain(key.slice(0, 16));
      expect(text).not.toContain(Buffer.from(key, "base64url").toString("base64").slice(0, 16));
      const p = t.make();
      await Promise.all([p.load(), p.load(), p.load()]);
      expect(decrypts(t.vault)).toBe(1);
      expect(p.location()).toEqual({ provider: "vault-transit", where: `${t.vault.url}/v1/transit/keys/hush-prod (wrapped key in ${t.file})`, insideProject: false });
    } finally {
      await t.cleanup();
    }
  });

  it("a file wrapped for another transit key says which, as WRONG_KEY; a sealed Vault is SOURCE_UNAVAILABLE", async () => {
    const t = await setup();
    try {
      await t.make().save(generateFernetKey());
      const other = vaultTransitKeyProviderType.create({ ...(parseOptions(VAULT_TRANSIT_OPTIONS, { address: t.vault.url, keyName: "other", timeout: "300ms" }, [], () => undefined) as VaultTransitOptions), file: t.file }, { root: t.root, secretsDir: join(t.root, ".secrets"), environment: "prod", env: { VAULT_TOKEN: t.vault.rootToken }, onWarning: () => undefined });
      await expect(other.load()).rejects.toMatchObject({ code: "WRONG_KEY", message: expect.stringMatching(/wrapped with transit\/hush-prod, not transit\/other/) });
      t.vault.sealed = true;
      await expect(t.make().load()).rejects.toMatchObject({ code: "SOURCE_UNAVAILABLE" });
    } finally {
      await t.cleanup();
    }
  });
});

describe("vault-transit: one Vault client (one login) per process and Vault, shared with the pending-key providers", () => {
  it("AppRole: one login per process for the key's save and unwrap, the pending key's wrap and its read-back; an expired token is replaced by one new login, never sent again", async () => {
    const t = await setup();
    try {
      t.vault.addAppRole("role-transit", "secret-id-transit-0123");
      const env = { VAULT_SECRET_ID: "secret-id-transit-0123" };
      const parsed = parseOptions(VAULT_TRANSIT_OPTIONS, { address: t.vault.url, keyName: "hush-prod", timeout: "300ms", auth: { method: "approle", roleId: "role-transit" } }, [], () => undefined) as VaultTransitOptions;
      const context: KeyProviderContext = { root: t.root, secretsDir: join(t.root, ".secrets"), environment: "prod", env, onWarning: () => undefined };
      const logins = t.vault.logins.length;
      await vaultTransitKeyProviderType.create(parsed, context).save(generateFernetKey());
      const provider = vaultTransitKeyProviderType.create(parsed, context); // another provider of this process (a re-key forgets providers, not clients)
      await provider.load();
      const pending = provider.wrappedKeyFile!().at(`${t.file}.pending`);
      const key = generateFernetKey();
      await pending.save(key);
      await provider.wrappedKeyFile!().at(`${t.file}.pending`).load();
      expect(t.vault.logins.length - logins, "one login for the providers of this process and their pending-key providers").toBe(1);
      // The token expires (its lease ran out, or it was revoked): the next call logs in again, once.
      const token = [...t.vault.tokens.keys()].at(-1)!;
      t.vault.expireToken(token);
      const sent = t.vault.server.requests.length;
      await provider.wrappedKeyFile!().at(`${t.file}.pending`).load();
      expect(t.vault.logins.length - logins).toBe(2);
      const after = t.vault.server.requests.slice(sent);
      expect(after.filter((r) => r.path.startsWith("/v1/transit/") && r.headers["x-vault-token"] === token), "the expired token is sent once (the 403 that found it expired)").toHaveLength(1);
      expect(after.at(-1)!.headers["x-vault-token"]).not.toBe(token);
      expect(readFileSync(`${t.file}.pending`, "utf8").includes(token), "no token in the file").toBe(false);
      // Other variables (another process's, or a test's) are another client: its own login.
      await vaultTransitKeyProviderType.create(parsed, { ...context, env: { ...env } }).load();
      expect(t.vault.logins.length - logins).toBe(3);
    } finally {
      await t.cleanup();
    }
  });
});
