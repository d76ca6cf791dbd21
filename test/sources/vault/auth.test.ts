/** Vault auth: token from VAULT_TOKEN or ~/.vault-token, AppRole, Kubernetes; renewal; expiry; no credential in any output. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { HushError } from "../../../src/errors.js";
import { expectHushError } from "../conformance/cases.js";
import { createVaultClient } from "../../../src/sources/vault/client.js";
import { PREFIX, SECRET_ID, setupVault, type VaultSetup } from "./harness.js";

let t: VaultSetup | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

/** Checks that no credential the test knows is in the error. */
function noCredential(e: HushError, ...credentials: string[]): void {
  const text = `${e.message} ${String(e)} ${JSON.stringify(e)} ${e.hint} ${e.stack}`;
  for (const c of credentials) expect(text.includes(c), "a credential leaked").toBe(false);
}
const rejection = (p: Promise<unknown>) => p.then(() => expect.unreachable("it must throw"), (e: unknown) => e);

describe("vault auth", () => {
  it("token: VAULT_TOKEN is sent as X-Vault-Token; the namespace as X-Vault-Namespace", async () => {
    t = await setupVault({ auth: { method: "token" }, namespace: "team1" }, { env: (v) => ({ VAULT_TOKEN: v.rootToken }) });
    t.vault.kv("secret", "team1").write("app/api_key", { data: { value: "ns-CANARY" } });
    expect((await t.source.get("api_key"))?.value).toBe("ns-CANARY");
    const req = t.vault.server.requests.at(-1)!;
    expect(req.headers["x-vault-token"]).toBe(t.vault.rootToken);
    expect(req.headers["x-vault-namespace"]).toBe("team1");
  });

  it("token: ~/.vault-token when VAULT_TOKEN is not set", async () => {
    t = await setupVault({ auth: { method: "token" } }, { env: (v, root) => (writeFileSync(join(root, ".vault-token"), `${v.rootToken}\n`, { mode: 0o600 }), { HOME: root }) });
    t.seed({ api_key: "home-CANARY" });
    expect((await t.source.get("api_key"))?.value).toBe("home-CANARY");
  });

  it("token: none at all is ACCESS_DENIED saying where it looked", async () => {
    t = await setupVault({ auth: { method: "token" } }, { env: (_v, root) => ({ HOME: root }) });
    const e = expectHushError(await rejection(t.source.get("api_key")), "ACCESS_DENIED");
    expect(e.message).toMatch(/VAULT_TOKEN is not set and .*\.vault-token does not exist/);
  });

  it("token: a policy denial and an expired token are ACCESS_DENIED, each saying which; never 'not found'", async () => {
    let own = "";
    t = await setupVault({ auth: { method: "token" } }, { env: (v) => ({ VAULT_TOKEN: (own = v.createToken({ ttlSeconds: 60 })) }) });
    t.seed({ api_key: "v-CANARY", other: "o-CANARY" });
    expect((await t.source.get("api_key"))?.value).toBe("v-CANARY");
    t.vault.deny("secret/data/app/other");
    const denied = expectHushError(await rejection(t.source.get("other")), "ACCESS_DENIED");
    expect(denied.message).toMatch(/the policy of the token does not allow it/);
    t.vault.expireToken(own);
    await t.source.refresh();
    const expired = expectHushError(await rejection(t.source.get("api_key")), "ACCESS_DENIED");
    expect(expired.message).toMatch(/the token from VAULT_TOKEN is invalid or expired/);
    noCredential(expired, own);
  });

  it("AppRole: logs in with role_id and the secret_id from the variable", async () => {
    t = await setupVault();
    t.seed({ api_key: "a-CANARY" });
    expect((await t.source.get("api_key"))?.value).toBe("a-CANARY");
    expect(t.vault.logins).toEqual(["approle"]);
    const login = t.vault.server.requests.find((r) => r.path === "/v1/auth/approle/login")!;
    expect(login.json).toEqual({ role_id: "role-1", secret_id: SECRET_ID });
  });

  it("AppRole: a wrong secret_id from a file is ACCESS_DENIED without echoing it", async () => {
    let file = "";
    t = await setupVault({}, { env: (_v, root) => (writeFileSync((file = join(root, "secret-id")), "wrong-secret-id-CANARY\n", { mode: 0o600 }), {}) });
    await t.source.dispose?.();
    const { createVaultSource } = await import("../../../src/sources/vault/create.js");
    const source = createVaultSource({ address: t.vault.url, mount: "secret", path: "app", field: "value", concurrency: 4, watchInterval: 30_000, cacheTtl: 0, timeout: 2000, auth: { method: "approle", roleId: "role-1", secretIdFile: file } }, t.context);
    const e = expectHushError(await rejection(source.get("api_key")), "ACCESS_DENIED");
    expect(e.message).toMatch(/login at auth\/approle was refused/);
    noCredential(e, "wrong-secret-id-CANARY", SECRET_ID);
    await source.dispose?.();
  });

  it("Kubernetes: logs in with the role and the service-account JWT file", async () => {
    t = await setupVault();
    const jwt = join(t.context.root, "token");
    writeFileSync(jwt, "eyJhbGciOiJSUzI1NiJ9.k8s-CANARY.sig", { mode: 0o600 });
    t.vault.addKubernetesRole("agent", "eyJhbGciOiJSUzI1NiJ9.k8s-CANARY.sig");
    const { createVaultSource } = await import("../../../src/sources/vault/create.js");
    const source = createVaultSource({ address: t.vault.url, mount: "secret", path: "app", field: "value", concurrency: 4, watchInterval: 30_000, cacheTtl: 0, timeout: 2000, auth: { method: "kubernetes", role: "agent", jwtFile: jwt } }, t.context);
    t.seed({ api_key: "k-CANARY" });
    expect((await source.get("api_key"))?.value).toBe("k-CANARY");
    expect(t.vault.logins).toEqual(["kubernetes"]);
    expect(t.vault.server.requests.find((r) => r.path === "/v1/auth/kubernetes/login")?.json).toEqual({ role: "agent", jwt: "eyJhbGciOiJSUzI1NiJ9.k8s-CANARY.sig" });
    await source.dispose?.();
  });

  it("renews a login token once two thirds of its lease have passed, and logs in again when it expired", async () => {
    // The client's clock is moved, not waited for: a 3 s lease slept past 2 s on the wall clock
    // expired before the renewal on a loaded machine (a login instead of a renewal).
    t = await setupVault({ cacheTtl: 0 });
    t.vault.addAppRole("role-1", SECRET_ID, 3600);
    t.seed({ api_key: "r-CANARY" });
    let clock = Date.now();
    const client = createVaultClient({ address: t.vault.url, auth: { method: "approle", roleId: "role-1" }, timeoutMs: 10_000, maxSockets: 2, source: "vault", env: { VAULT_SECRET_ID: SECRET_ID }, now: () => clock });
    const read = { method: "GET" as const, path: `secret/data/${PREFIX}/api_key`, where: { source: "vault", operation: "read", path: "api_key" } };
    try {
      expect((await client.send(read)).status).toBe(200);
      const [token] = [...t.vault.tokens.keys()].filter((k) => k !== t!.vault.rootToken);
      clock += 2_399_000; // just short of 2/3 of 3600 s: the token as it is
      expect((await client.send(read)).status).toBe(200);
      expect(t.vault.tokens.get(token!)?.renewals).toBe(0);
      clock += 2_000; // past 2/3
      expect((await client.send(read)).status).toBe(200);
      expect(t.vault.tokens.get(token!)?.renewals).toBe(1);
      expect(t.vault.logins).toEqual(["approle"]);
      t.vault.expireToken(token!);
      expect((await client.send(read)).status).toBe(200);
      expect(t.vault.logins).toEqual(["approle", "approle"]);
    } finally {
      client.close();
    }
  });
});
