/** The Vault fake follows the documented wire format (shapes the Vault source relies on). */
/* eslint-disable @typescript-eslint/no-explicit-any -- reply shapes are checked by the assertions themselves */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startVaultFake, type VaultFake } from "./vault.js";

let vault: VaultFake;
beforeEach(async () => {
  vault = await startVaultFake();
});
afterEach(async () => {
  await vault.close();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(`${vault.url}/v1/${path}`, { method, headers: { "x-vault-token": vault.rootToken, ...headers }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

describe("vault fake", () => {
  it("KV v2: write with cas, read versions, soft delete (404 with metadata), undelete, destroy, metadata, LIST", async () => {
    expect((await call("POST", "secret/data/apps/llm", { options: { cas: 0 }, data: { openai: "a" } })).json.data.version).toBe(1);
    expect((await call("POST", "secret/data/apps/llm", { options: { cas: 0 }, data: { openai: "b" } })).json).toEqual({ errors: ["check-and-set parameter did not match the current version"] });
    await call("POST", "secret/data/apps/llm", { options: { cas: 1 }, data: { openai: "b" } });
    const read = await call("GET", "secret/data/apps/llm");
    expect(read.json.data).toMatchObject({ data: { openai: "b" }, metadata: { version: 2, deletion_time: "", destroyed: false, custom_metadata: null } });
    expect((await call("GET", "secret/data/apps/llm?version=1")).json.data.data).toEqual({ openai: "a" });
    expect((await call("DELETE", "secret/data/apps/llm")).status).toBe(204);
    const deleted = await call("GET", "secret/data/apps/llm");
    expect(deleted.status).toBe(404);
    expect(deleted.json.data.data).toBeNull();
    expect(deleted.json.data.metadata.deletion_time).not.toBe("");
    await call("POST", "secret/undelete/apps/llm", { versions: [2] });
    expect((await call("GET", "secret/data/apps/llm")).status).toBe(200);
    await call("POST", "secret/destroy/apps/llm", { versions: [2] });
    expect((await call("GET", "secret/data/apps/llm")).json.data.metadata.destroyed).toBe(true);
    expect((await call("GET", "secret/metadata/apps/llm")).json.data).toMatchObject({ current_version: 2, versions: { "1": { destroyed: false }, "2": { destroyed: true } } });
    await call("POST", "secret/data/apps/other/x", { data: { v: "1" } });
    // LIST as a method cannot reach a Node server (llhttp refuses unknown methods): GET ?list=true, which Vault documents as the same.
    expect((await call("GET", "secret/metadata/apps?list=true")).json.data.keys).toEqual(["llm", "other/"]);
    expect((await call("GET", "secret/metadata/apps/?list=true")).json.data.keys).toEqual(["llm", "other/"]);
    expect((await call("GET", "secret/metadata/nothing?list=true")).status).toBe(404);
    await call("DELETE", "secret/metadata/apps/llm");
    expect((await call("GET", "secret/data/apps/llm")).json).toEqual({ errors: [] });
  });

  it("KV v2 metadata write: custom_metadata replaces the map, no new version, read back by GET metadata and data reads; Vault's limits", async () => {
    await call("POST", "secret/data/apps/llm", { data: { openai: "a" } });
    expect((await call("POST", "secret/metadata/apps/llm", { custom_metadata: { "hush-current": "1", owner: "team" } })).status).toBe(204);
    expect((await call("POST", "secret/metadata/apps/llm", { custom_metadata: { "hush-current": "1", "hush-pending": "2" } })).status).toBe(204);
    const meta = (await call("GET", "secret/metadata/apps/llm")).json.data;
    expect(meta).toMatchObject({ current_version: 1, custom_metadata: { "hush-current": "1", "hush-pending": "2" } });
    expect(meta.custom_metadata.owner).toBeUndefined();
    expect((await call("GET", "secret/data/apps/llm")).json.data.metadata.custom_metadata).toEqual({ "hush-current": "1", "hush-pending": "2" });
    // Fields left out are kept; the map lives on through data writes.
    expect((await call("POST", "secret/metadata/apps/llm", { max_versions: 3 })).status).toBe(204);
    expect((await call("POST", "secret/data/apps/llm", { options: { cas: 1 }, data: { openai: "b" } })).json.data.custom_metadata).toEqual({ "hush-current": "1", "hush-pending": "2" });
    expect((await call("GET", "secret/metadata/apps/llm")).json.data).toMatchObject({ max_versions: 3, current_version: 2 });
    // Metadata of a key with no version yet: GET metadata finds it, a data read does not.
    expect((await call("POST", "secret/metadata/apps/new", { custom_metadata: { a: "b" } })).status).toBe(204);
    expect((await call("GET", "secret/metadata/apps/new")).json.data).toMatchObject({ current_version: 0, versions: {}, custom_metadata: { a: "b" } });
    expect((await call("GET", "secret/data/apps/new")).status).toBe(404);
    expect((await call("POST", "secret/metadata/apps/llm", { custom_metadata: { a: 1 } })).status).toBe(400);
    expect((await call("POST", "secret/metadata/apps/llm", { custom_metadata: { a: "x".repeat(513) } })).status).toBe(400);
    expect((await call("POST", "secret/metadata/apps/llm", { custom_metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"])) })).status).toBe(400);
    expect((await call("GET", "secret/metadata/apps/llm")).json.data.custom_metadata).toEqual({ "hush-current": "1", "hush-pending": "2" });
  });

  it("tokens: missing/expired are 403; lookup-self and renew-self; namespaces are apart; sealed is 503", async () => {
    expect((await call("GET", "secret/data/x", undefined, { "x-vault-token": "nope" })).json).toEqual({ errors: ["permission denied"] });
    const t = vault.createToken({ ttlSeconds: 60 });
    expect((await call("GET", "auth/token/lookup-self", undefined, { "x-vault-token": t })).json.data.ttl).toBeGreaterThan(50);
    expect((await call("POST", "auth/token/renew-self", {}, { "x-vault-token": t })).json.auth.lease_duration).toBe(60);
    vault.expireToken(t);
    expect((await call("GET", "auth/token/lookup-self", undefined, { "x-vault-token": t })).status).toBe(403);
    await call("POST", "secret/data/a", { data: { v: "ns1" } }, { "x-vault-namespace": "team1" });
    expect((await call("GET", "secret/data/a")).status).toBe(404);
    expect((await call("GET", "secret/data/a", undefined, { "x-vault-namespace": "team1" })).json.data.data.v).toBe("ns1");
    vault.sealed = true;
    expect((await call("GET", "secret/data/a")).json).toEqual({ errors: ["Vault is sealed"] });
  });

  it("AppRole and Kubernetes login give tokens; transit round-trips and refuses altered ciphertext", async () => {
    vault.addAppRole("role-1", "secret-1", 30);
    const login = await fetch(`${vault.url}/v1/auth/approle/login`, { method: "POST", body: JSON.stringify({ role_id: "role-1", secret_id: "secret-1" }) });
    const auth = ((await login.json()) as any).auth;
    expect(auth).toMatchObject({ lease_duration: 30, renewable: true });
    expect(vault.tokens.has(auth.client_token)).toBe(true);
    vault.addKubernetesRole("app", "jwt-1");
    expect((await fetch(`${vault.url}/v1/auth/kubernetes/login`, { method: "POST", body: JSON.stringify({ role: "app", jwt: "bad" }) })).status).toBe(403);
    const enc = await call("POST", "transit/encrypt/hush", { plaintext: Buffer.from("key").toString("base64") });
    expect(enc.json.data.ciphertext).toMatch(/^vault:v1:/);
    expect(Buffer.from((await call("POST", "transit/decrypt/hush", { ciphertext: enc.json.data.ciphertext })).json.data.plaintext, "base64").toString()).toBe("key");
    const bad = enc.json.data.ciphertext.slice(0, -4) + "AAA=";
    expect((await call("POST", "transit/decrypt/hush", { ciphertext: bad })).status).toBe(400);
  });
});
