/**
 * The Google fakes checked against the real SDKs: `@google-cloud/secret-manager` and
 * `@google-cloud/kms` in REST mode, pointed at the fakes through `apiEndpoint`/`port`/`protocol`,
 * authenticated by google-auth-library with a service-account JSON file (as ADC reads it from
 * GOOGLE_APPLICATION_CREDENTIALS). No SDK method is mocked: what passes here is what the SDK
 * sends and accepts.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { KeyManagementServiceClient } from "@google-cloud/kms";
import { startGcpSecretManagerFake, type GcpSecretManagerFake } from "./gcp-secret-manager.js";
import { startGcpKmsFake, type GcpKmsFake } from "./gcp-kms.js";
import { googleErrorBody } from "./gcp-common.js";
import { crc32c } from "../../src/sources/gcp/crc32c.js";
import { googleStatusOf } from "../../src/sources/gcp/google-status.js";

let sm: GcpSecretManagerFake;
let kms: GcpKmsFake;
let dir: string;
let client: SecretManagerServiceClient;
const P = "projects/hush-test";

beforeAll(async () => {
  [sm, kms] = await Promise.all([startGcpSecretManagerFake(), startGcpKmsFake()]);
  dir = mkdtempSync(join(tmpdir(), "hush-gcp-fake-"));
  writeFileSync(join(dir, "sa.json"), JSON.stringify(sm.account.json), { mode: 0o600 });
  client = new SecretManagerServiceClient({ fallback: true, apiEndpoint: "127.0.0.1", port: sm.port, protocol: "http", keyFilename: join(dir, "sa.json") } as never);
});
afterAll(async () => {
  await client?.close();
  await Promise.all([sm?.close(), kms?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("fake Secret Manager, through the real SDK", () => {
  it("creates, adds versions, accesses latest, a number and an alias, with a verified dataCrc32c", async () => {
    const [secret] = await client.createSecret({ parent: P, secretId: "api_key", secret: { replication: { automatic: {} }, labels: { app: "hush" } } });
    expect(secret.name).toBe(`projects/${sm.projectNumber}/secrets/api_key`);
    expect(secret.etag).toMatch(/^"/);
    const data = Buffer.from("v1-value");
    const [v1] = await client.addSecretVersion({ parent: secret.name, payload: { data, dataCrc32c: crc32c(data) } });
    expect(v1.name).toMatch(/\/versions\/1$/);
    expect(v1.state).toBe("ENABLED");
    expect(sm.server.requests.at(-1)!.headers.authorization, "signed by google-auth-library: a self-signed RS256 JWT").toMatch(/^Bearer eyJ/);
    await client.addSecretVersion({ parent: `${P}/secrets/api_key`, payload: { data: Buffer.from("v2-value"), dataCrc32c: crc32c(Buffer.from("v2-value")) } });
    const [latest] = await client.accessSecretVersion({ name: `${P}/secrets/api_key/versions/latest` });
    expect(Buffer.from(latest.payload!.data as Uint8Array).toString()).toBe("v2-value");
    expect(Number(latest.payload!.dataCrc32c)).toBe(crc32c(Buffer.from("v2-value")));
    const [one] = await client.accessSecretVersion({ name: `${P}/secrets/api_key/versions/1` });
    expect(Buffer.from(one.payload!.data as Uint8Array).toString()).toBe("v1-value");
    await client.updateSecret({ secret: { name: `${P}/secrets/api_key`, versionAliases: { stable: 1 } }, updateMask: { paths: ["version_aliases"] } });
    const [aliased] = await client.accessSecretVersion({ name: `${P}/secrets/api_key/versions/stable` });
    expect(Buffer.from(aliased.payload!.data as Uint8Array).toString()).toBe("v1-value");
    const [got] = await client.getSecret({ name: `${P}/secrets/api_key` });
    expect(Number(got.versionAliases!.stable)).toBe(1);
  });

  it("refuses a payload whose dataCrc32c does not match (INVALID_ARGUMENT)", async () => {
    sm.seed(P, "crc", "x");
    const e = await client.addSecretVersion({ parent: `${P}/secrets/crc`, payload: { data: Buffer.from("abc"), dataCrc32c: 1 } }).catch((err: unknown) => err);
    expect(googleStatusOf(e)).toBe("INVALID_ARGUMENT");
  });

  it("version states: disable and destroy with the etag; access of a disabled version is FAILED_PRECONDITION", async () => {
    sm.seed(P, "states", "a");
    sm.seed(P, "states", "b");
    const [v2] = await client.getSecretVersion({ name: `${P}/secrets/states/versions/2` });
    const stale = await client.disableSecretVersion({ name: v2.name, etag: '"0"' }).catch((err: unknown) => err);
    expect(googleStatusOf(stale)).toBe("FAILED_PRECONDITION"); // docs/etags: HTTP 400
    const [disabled] = await client.disableSecretVersion({ name: v2.name, etag: v2.etag });
    expect(disabled.state).toBe("DISABLED");
    const e = await client.accessSecretVersion({ name: `${P}/secrets/states/versions/latest` }).catch((err: unknown) => err);
    expect(googleStatusOf(e)).toBe("FAILED_PRECONDITION");
    const [destroyed] = await client.destroySecretVersion({ name: `${P}/secrets/states/versions/1` });
    expect(destroyed.state).toBe("DESTROYED");
  });

  it("deleteSecret carries the etag: a stale one is FAILED_PRECONDITION and deletes nothing; the current one deletes", async () => {
    sm.seed(P, "cas", "x");
    const [secret] = await client.getSecret({ name: `${P}/secrets/cas` });
    await client.updateSecret({ secret: { name: `${P}/secrets/cas`, labels: { changed: "yes" } }, updateMask: { paths: ["labels"] } });
    const stale = await client.deleteSecret({ name: `${P}/secrets/cas`, etag: secret.etag! }).catch((err: unknown) => err);
    expect(googleStatusOf(stale)).toBe("FAILED_PRECONDITION");
    expect(sm.secret(P, "cas")).toBeDefined();
    const [current] = await client.getSecret({ name: `${P}/secrets/cas` });
    await client.deleteSecret({ name: `${P}/secrets/cas`, etag: current.etag! });
    expect(sm.secret(P, "cas")).toBeUndefined();
    expect(sm.server.requests.at(-1)!.query.get("etag")).toBe(current.etag);
  });

  it("lists past one page with pageToken, and filters by name and label", async () => {
    for (let i = 0; i < 30; i++) sm.seed(P, `page_${String(i).padStart(2, "0")}`, "x");
    const [all] = await client.listSecrets({ parent: P, filter: "name:page_" }); // autoPaginate follows nextPageToken
    expect(all.length).toBe(30);
    expect(sm.server.requests.filter((r) => r.path === `/v1/${P}/secrets`).length).toBeGreaterThanOrEqual(2);
    const [labelled] = await client.listSecrets({ parent: P, filter: "labels.app=hush" });
    expect(labelled.map((s) => s.name!.split("/").at(-1))).toEqual(["api_key"]);
    const [versions] = await client.listSecretVersions({ parent: `${P}/secrets/api_key` });
    expect(versions.map((v) => v.name!.split("/").at(-1))).toEqual(["2", "1"]);
  });

  it("regional secrets live under locations/* apart from global ones", async () => {
    await client.createSecret({ parent: `${P}/locations/europe-west1`, secretId: "api_key", secret: {} });
    const [v] = await client.addSecretVersion({ parent: `${P}/locations/europe-west1/secrets/api_key`, payload: { data: Buffer.from("eu"), dataCrc32c: crc32c(Buffer.from("eu")) } });
    expect(v.name).toContain("/locations/europe-west1/secrets/api_key/versions/1");
    const [eu] = await client.accessSecretVersion({ name: `${P}/locations/europe-west1/secrets/api_key/versions/latest` });
    expect(Buffer.from(eu.payload!.data as Uint8Array).toString()).toBe("eu");
  });

  it("errors carry Google's canonical status (REST mode: a GaxiosError with the JSON error body): PERMISSION_DENIED, NOT_FOUND, UNAUTHENTICATED, RESOURCE_EXHAUSTED", async () => {
    sm.denied.add("api_key");
    const denied = await client.accessSecretVersion({ name: `${P}/secrets/api_key/versions/latest` }).catch((err: unknown) => err);
    sm.denied.clear();
    expect(googleStatusOf(denied)).toBe("PERMISSION_DENIED");
    const missing = await client.accessSecretVersion({ name: `${P}/secrets/nope/versions/latest` }).catch((err: unknown) => err);
    expect(googleStatusOf(missing)).toBe("NOT_FOUND");
    sm.server.faults.push(googleErrorBody("RESOURCE_EXHAUSTED"));
    const limited = await client.getSecret({ name: `${P}/secrets/api_key` }, { retry: { retryCodes: [] } } as never).catch((err: unknown) => err);
    expect(googleStatusOf(limited)).toBe("RESOURCE_EXHAUSTED");
    const anonymous = new SecretManagerServiceClient({ fallback: true, apiEndpoint: "127.0.0.1", port: sm.port, protocol: "http", credentials: { ...sm.account.json, private_key: makeOtherKey() } } as never);
    const unauth = await anonymous.getSecret({ name: `${P}/secrets/api_key` }).catch((err: unknown) => err);
    await anonymous.close();
    expect(googleStatusOf(unauth)).toBe("UNAUTHENTICATED");
  });
});

describe("fake Cloud KMS, through the real SDK", () => {
  it("encrypts and decrypts with CRC32C fields; a denied key is PERMISSION_DENIED", async () => {
    writeFileSync(join(dir, "kms-sa.json"), JSON.stringify(kms.account.json), { mode: 0o600 });
    const k = new KeyManagementServiceClient({ fallback: true, apiEndpoint: "127.0.0.1", port: kms.port, protocol: "http", keyFilename: join(dir, "kms-sa.json") } as never);
    try {
      const name = kms.createKey("hush", "prod");
      const plaintext = Buffer.from("a data key of 32 bytes, for now!");
      const [enc] = await k.encrypt({ name, plaintext, plaintextCrc32c: { value: crc32c(plaintext) } });
      expect(enc.verifiedPlaintextCrc32c).toBe(true);
      expect(Number(enc.ciphertextCrc32c!.value)).toBe(crc32c(enc.ciphertext as Uint8Array));
      const [dec] = await k.decrypt({ name, ciphertext: enc.ciphertext });
      expect(Buffer.from(dec.plaintext as Uint8Array).equals(plaintext)).toBe(true);
      expect(kms.calls).toEqual({ encrypt: 1, decrypt: 1 });
      kms.denied = true;
      const e = await k.decrypt({ name, ciphertext: enc.ciphertext }).catch((err: unknown) => err);
      kms.denied = false;
      expect(googleStatusOf(e)).toBe("PERMISSION_DENIED");
      const bad = await k.decrypt({ name, ciphertext: Buffer.from("not a ciphertext at all, no") }).catch((err: unknown) => err);
      expect(googleStatusOf(bad)).toBe("INVALID_ARGUMENT");
      // Down part-way: one more decrypt is served, then every call of the verb is UNAVAILABLE; encrypt is untouched.
      kms.unavailableAfter = { decrypt: kms.calls.decrypt + 1 };
      await k.decrypt({ name, ciphertext: enc.ciphertext });
      const down = await k.decrypt({ name, ciphertext: enc.ciphertext }, { retry: null } as never).catch((err: unknown) => err);
      expect(googleStatusOf(down)).toBe("UNAVAILABLE");
      await k.encrypt({ name, plaintext });
      kms.unavailableAfter = {};
      await k.decrypt({ name, ciphertext: enc.ciphertext });
    } finally {
      await k.close();
    }
  });
});

function makeOtherKey(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("node:crypto") as typeof import("node:crypto")).generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}
