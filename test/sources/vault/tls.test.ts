/**
 * caCert reaches the vault source's own HTTP client, and nothing else: a Vault behind a private CA
 * is trusted with it and refused without it, and the process's other clients (global fetch) still
 * refuse that CA. The certificate is made with the openssl CLI (node:crypto makes no X.509).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVaultSource } from "../../../src/sources/vault/create.js";
import { expectHushError } from "../conformance/cases.js";

let dir: string;
let server: Server;
let url: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hush-vault-tls-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  server = createServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { data: { value: "tls-CANARY" }, metadata: { version: 1, created_time: new Date().toISOString(), deletion_time: "", destroyed: false } } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function source(caCert?: string) {
  const context = { root: dir, secretsDir: join(dir, ".secrets"), environment: "dev", env: { VAULT_TOKEN: "t" }, onWarning: () => undefined };
  return createVaultSource({ address: url, mount: "secret", field: "value", concurrency: 2, watchInterval: 30_000, cacheTtl: 0, timeout: 2000, ...(caCert ? { caCert } : {}), auth: { method: "token" } }, context);
}

describe("vault caCert", () => {
  it("trusts the private CA for this source only", async () => {
    const trusted = source("cert.pem");
    expect((await trusted.get("api_key"))?.value).toBe("tls-CANARY");
    await trusted.dispose?.();
    const untrusted = source();
    const e = expectHushError(await untrusted.get("api_key").then(() => undefined, (x: unknown) => x), "SOURCE_UNAVAILABLE");
    expect(e.causeCode).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    await untrusted.dispose?.();
    await expect(fetch(`${url}/v1/secret/data/api_key`), "the process's other clients do not trust it").rejects.toThrow();
    expect(process.env.NODE_EXTRA_CA_CERTS ?? "", "hush never sets it").not.toContain(dir);
  });
});
