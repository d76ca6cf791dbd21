/** `hush list --explain` shows where a remote source keeps each secret (key, property, version), never a value; `--debug` shows the attempts. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runHush } from "../helpers/cli.js";
import { startVaultFake, type VaultFake } from "../fakes/vault.js";

let dir: string;
let vault: VaultFake;
beforeAll(async () => {
  vault = await startVaultFake();
  dir = mkdtempSync(join(tmpdir(), "hush-list-remote-"));
  mkdirSync(join(dir, ".secrets"), { mode: 0o700 });
  writeFileSync(
    join(dir, "hush.yaml"),
    ["version: 1", "audit: off", "sources:", "  - type: vault", `    options: { address: "${vault.url}", path: agents, cacheTtl: 0 }`, "secrets:", "  openai_api_key:", "    remote: { key: shared/llm, property: openai, version: 1 }", ""].join("\n"),
  );
  vault.kv().write("shared/llm", { data: { openai: "sk-proj-CANARY-one", anthropic: "a-CANARY" } });
  vault.kv().write("agents/db_url", { data: { value: "postgres://db/CANARY" } });
});
afterAll(async () => {
  await vault.close();
  rmSync(dir, { recursive: true, force: true });
});
const env = () => ({ PATH: process.env.PATH, HOME: dir, VAULT_TOKEN: vault.rootToken });

describe("hush list --explain with a remote source", () => {
  it("alone: every secret with its remote address and where the mapping comes from", async () => {
    const r = await runHush(["list", "--explain", "-C", dir], { env: env() });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/openai_api_key\s+vault\s+1\s+.*secret\/data\/shared\/llm#openai\s+hush\.yaml remote/);
    expect(r.stdout).toMatch(/db_url\s+vault\s+1\s+.*secret\/data\/agents\/db_url\s+name under path/);
    expect(r.stdout + r.stderr).not.toContain("CANARY");
  });

  it("with a name: the mapping per source, version pinned; --json carries it", async () => {
    const r = await runHush(["list", "--explain", "openai_api_key", "-C", dir], { env: env() });
    expect(r.stdout).toMatch(/secret\/data\/shared\/llm#openai @1 \(hush\.yaml remote\)/);
    const j = await runHush(["list", "--explain", "openai_api_key", "--json", "-C", dir], { env: env() });
    expect(JSON.parse(j.stdout).sources[0].remote).toEqual({ key: "shared/llm", property: "openai", version: "1", mapped: true, address: "secret/data/shared/llm#openai" });
    expect(r.stdout + j.stdout).not.toContain("CANARY");
  });

  it("--debug prints each remote attempt, never a value or the token", async () => {
    vault.server.faults.push({ status: 503 });
    const r = await runHush(["get", "db_url", "--debug", "-C", dir], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/hush: debug: vault: attempt 1 GET \/v1\/secret\/data\/agents\/db_url: 503, waited \d+ ms/);
    expect(r.stderr).not.toContain("CANARY");
    expect(r.stderr).not.toContain(vault.rootToken);
  });
});
