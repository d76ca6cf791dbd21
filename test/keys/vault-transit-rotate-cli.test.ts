/**
 * `hush key rotate` through the built CLI on a store whose dev key is wrapped by Vault's transit
 * engine, logging in with AppRole against the Vault fake: one login for the whole rotation (the
 * provider and the pending-key providers it makes share one client and its token), the values
 * intact under the new key, the token in no file and no output.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { parseOptions } from "../../src/config/options-schema.js";
import { createVaultTransitKeyProvider, VAULT_TRANSIT_OPTIONS, type VaultTransitOptions } from "../../src/keys/vault-transit.js";
import type { KeyProvider } from "../../src/keys/provider.js";
import { rotateLocalKey } from "../../src/keys/rotate-local.js";
import { startVaultFake, type VaultFake } from "../fakes/vault.js";
import { expectNoLeak, expectValuesIntact, snapshot, storeValues, WRAPPED_VALUES, wrappedCliProject, type WrappedCliProject } from "../helpers/wrapped-key-cli.js";

const ROLE = "hush-rotate-role";
const SECRET_ID = "approle-secret-id-5f1e2d3c4b5a";
let vault: VaultFake;
let p: WrappedCliProject;
let provider: () => KeyProvider;

beforeAll(async () => {
  vault = await startVaultFake();
  vault.addAppRole(ROLE, SECRET_ID);
  const options = { address: vault.url, keyName: "hush-dev", auth: { method: "approle", roleId: ROLE } };
  p = wrappedCliProject("transit-rotate-cli", JSON.stringify({ provider: "vault-transit", ...options }), "dev.key.vault-transit", { VAULT_SECRET_ID: SECRET_ID });
  const parsed = parseOptions(VAULT_TRANSIT_OPTIONS, options, ["keys", "dev"], (path, m) => {
    throw new Error(`${path.join(".")}: ${m}`);
  }) as VaultTransitOptions;
  provider = () => createVaultTransitKeyProvider(parsed, { root: p.dir, secretsDir: p.secretsDir, environment: "dev", env: p.env, onWarning: () => undefined });
  await provider().save(generateFernetKey());
  await storeValues(p);
});
afterAll(async () => {
  await vault?.close();
  p?.cleanup();
});

/** The tokens the fake handed out (none may be written anywhere or printed). */
const tokens = () => [...vault.tokens.keys()].filter((t) => t !== vault.rootToken);

describe("hush key rotate with a vault-transit key (built CLI, AppRole)", { timeout: 60_000 }, () => {
  it("one AppRole login for the whole rotation; the store re-keyed, the values intact, no token on disk or in the output", async () => {
    const before = snapshot(p);
    const logins = vault.logins.length;
    const requests = vault.server.requests.length;
    const r = await p.hush("key", "rotate", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ environment: "dev", provider: "vault-transit", keyPath: p.wrapped, reencrypted: true });
    const api = vault.server.requests.slice(requests).map((q) => `${q.method} ${q.path.replace(/^\/v1\//, "").replace(/\/hush-dev$/, "")}`);
    expect(vault.logins.length - logins, `one login for: ${api.join(", ")}`).toBe(1);
    // Unwrap of the current key, wrap of the new one, unwrap of it read back: one client, one token.
    expect(api).toEqual(["POST auth/approle/login", "POST transit/decrypt", "POST transit/encrypt", "POST transit/decrypt"]);
    expect(readFileSync(p.store).equals(before.store)).toBe(false);
    expect(readFileSync(p.wrapped).equals(before.wrapped)).toBe(false);
    await expectValuesIntact(p);
    expectNoLeak(r, [...tokens(), SECRET_ID]);
    for (const f of readdirSync(p.secretsDir)) {
      const text = readFileSync(join(p.secretsDir, f), "utf8");
      for (const t of tokens()) expect(text.includes(t), `a Vault token in ${f}`).toBe(false);
    }
  });

  it("a rotation a crash cut off after the store step: the next hush get settles it and reads every value, with one login", async () => {
    await expect(rotateLocalKey({ secretsDir: p.secretsDir, environment: "dev", provider: provider(), onStep: (at) => { if (at === "store") throw new Error("crash"); } })).rejects.toThrow("crash");
    expect(existsSync(`${p.wrapped}.pending`)).toBe(true);
    const logins = vault.logins.length;
    const r = await p.hush("get", "db_password");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.replace(/\n$/, "") === WRAPPED_VALUES.db_password, "the value reads back").toBe(true);
    expect(existsSync(`${p.wrapped}.pending`), "settled").toBe(false);
    expect(vault.logins.length - logins, "one login: the open, the settling and the open after it share one client").toBe(1);
    expectNoLeak({ stdout: "", stderr: r.stderr }, [...tokens(), SECRET_ID]);
    await expectValuesIntact(p);
  });
});
