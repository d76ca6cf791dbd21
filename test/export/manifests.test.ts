/**
 * `hush export --format k8s-secret | external-secret | sealed-secret`, through the CLI in-process:
 * every manifest parses as YAML and round-trips. The SealedSecret is opened by a decryptor written
 * here from sealed-secrets' pkg/crypto/crypto.go (HybridDecrypt), independent of hush's code, with
 * the private key of a throw-away controller certificate.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { constants, createDecipheriv, privateDecrypt } from "node:crypto";
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, parse } from "yaml";
import { runHush } from "../helpers/cli.js";
import { makeSelfSignedCert, type TestCert } from "../helpers/tls-cert.js";

const VALUES: Record<string, string> = {
  openai_api_key: "sk-proj-CANARY-manifest-0123456789",
  multi_line: "-----BEGIN KEY-----\nCANARY\n-----END KEY-----\n",
  unicode: "pässwörd-🔑-CANARY",
  quoted: `he said "hi" 'bye' $HOME \\n: - # CANARY`,
  empty: "",
};
let dir: string;
let storeDir: string;
let controller: TestCert;

beforeAll(() => {
  controller = makeSelfSignedCert("sealed-secrets-controller", 2048);
  // The values come from the environment (the env source, first in the default chain).
  dir = project({ "cert.pem": controller.cert });
  storeDir = project({
    "hush.yaml": [
      "version: 1",
      "sources:",
      "  - type: env",
      "  - type: vault",
      "    options: { address: 'https://vault.internal:8200', mount: kv, path: apps/agent, namespace: team-a, auth: { method: kubernetes, role: agent } }",
      "secrets:",
      "  openai_api_key: { remote: { key: apps/agent/llm, property: openai, version: '3' } }",
      "  db_password: {}",
      "",
    ].join("\n"),
  });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(storeDir, { recursive: true, force: true });
});

const ENV = { PATH: process.env.PATH, HOME: process.env.HOME, ...Object.fromEntries(Object.entries(VALUES).map(([k, v]) => [k.toUpperCase(), v])) };
const hush = (...argv: string[]) => runHush(["--cwd", dir, ...argv], { env: ENV });

/** A project folder with `files`, removed by the caller. */
function project(files: Record<string, string>): string {
  const p = realpathSync(mkdtempSync(join(tmpdir(), "hush-manifests-")));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(p, name), text);
  return p;
}

describe("hush export --format k8s-secret", () => {
  it("prints a v1 Opaque Secret whose data decodes to the values, under env-var names", async () => {
    const r = await hush("export", "--format", "k8s-secret", "--name", "agent", "--namespace", "prod", "--label", "app=agent", "--only", Object.keys(VALUES).join(","));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("CANARY");
    const doc = parse(r.stdout) as { apiVersion: string; kind: string; type: string; metadata: { name: string; namespace: string; labels: Record<string, string> }; data: Record<string, string> };
    expect([doc.apiVersion, doc.kind, doc.type]).toEqual(["v1", "Secret", "Opaque"]);
    expect(doc.metadata).toEqual({ name: "agent", namespace: "prod", labels: { app: "agent" } });
    const decoded = Object.fromEntries(Object.entries(doc.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
    expect(decoded).toEqual(Object.fromEntries(Object.entries(VALUES).map(([k, v]) => [k.toUpperCase(), v])));
  });

  it("--output writes a 0600 file; a bad --name is refused before anything is read", async () => {
    const out = join(dir, "secret.yaml");
    const r = await hush("export", "--format", "k8s-secret", "--name", "agent", "--only", "openai_api_key", "--output", out);
    expect(r.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect((parse(readFileSync(out, "utf8")) as { data: Record<string, string> }).data.OPENAI_API_KEY).toBe(Buffer.from(VALUES.openai_api_key!).toString("base64"));
    const bad = await hush("export", "--format", "k8s-secret", "--name", "Not_A_Name");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--name must be a Kubernetes object name");
    expect(bad.stdout + bad.stderr).not.toContain("CANARY");
  });
});

describe("hush export --format external-secret", () => {
  it("an ExternalSecret from the mapping model, with no value; --with-store adds the vault SecretStore", async () => {
    const r = await runHush(["--cwd", storeDir, "export", "--format", "external-secret", "--name", "agent", "--namespace", "prod", "--with-store", "--service-account", "agent-sa", "--refresh-interval", "15m"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("CANARY");
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as Record<string, unknown>);
    expect(docs.map((d) => d.kind)).toEqual(["SecretStore", "ExternalSecret"]);
    expect(docs[0]).toEqual({
      apiVersion: "external-secrets.io/v1",
      kind: "SecretStore",
      metadata: { name: "hush-vault", namespace: "prod" },
      spec: { provider: { vault: { server: "https://vault.internal:8200", path: "kv", version: "v2", namespace: "team-a", auth: { kubernetes: { mountPath: "kubernetes", role: "agent", serviceAccountRef: { name: "agent-sa" } } } } } },
    });
    expect(docs[1]).toEqual({
      apiVersion: "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata: { name: "agent", namespace: "prod" },
      spec: {
        refreshInterval: "15m",
        secretStoreRef: { name: "hush-vault", kind: "SecretStore" },
        target: { name: "agent", creationPolicy: "Owner" },
        data: [
          { secretKey: "DB_PASSWORD", remoteRef: { key: "apps/agent/db_password", property: "value" } }, // hush's plain Vault field
          { secretKey: "OPENAI_API_KEY", remoteRef: { key: "apps/agent/llm", property: "openai", version: "3" } },
        ],
      },
    });
  });

  it("aws and gcp stores: IRSA serviceAccountRef, workload identity (from the built-in sources' options)", async () => {
    const p = project({
      "hush.yaml": "version: 1\nsources:\n  - type: aws\n    options: { region: eu-west-1, path: 'myapp/{env}' }\n  - type: gcp\n    options: { project: my-proj, prefix: agents- }\nsecrets:\n  api_key: {}\n",
    });
    try {
      const run = (...a: string[]) => runHush(["--cwd", p, "--env", "prod", "export", "--format", "external-secret", "--name", "agent", "--with-store", "--service-account", "eso", ...a]);
      const aws = parseAllDocuments((await run()).stdout).map((d) => d.toJS() as { spec: Record<string, unknown> });
      expect(aws[0]!.spec).toEqual({ provider: { aws: { service: "SecretsManager", region: "eu-west-1", auth: { jwt: { serviceAccountRef: { name: "eso" } } } } } });
      expect((aws[1]!.spec.data as unknown[])[0]).toEqual({ secretKey: "API_KEY", remoteRef: { key: "myapp/prod/api_key" } });
      const gcp = parseAllDocuments((await run("--store-source", "gcp", "--store-kind", "ClusterSecretStore")).stdout).map((d) => d.toJS() as { kind: string; spec: Record<string, unknown> });
      expect(gcp[0]!.kind).toBe("ClusterSecretStore");
      expect(gcp[0]!.spec).toEqual({ provider: { gcpsm: { projectID: "my-proj", auth: { workloadIdentity: { serviceAccountRef: { name: "eso" } } } } } });
      expect((gcp[1]!.spec.data as unknown[])[0]).toEqual({ secretKey: "API_KEY", remoteRef: { key: "agents-api_key" } });
    } finally {
      rmSync(p, { recursive: true, force: true });
    }
  });
});

describe("hush export --format sealed-secret", () => {
  const seal = (...a: string[]) => hush("export", "--format", "sealed-secret", "--cert", join(dir, "cert.pem"), "--name", "agent", "--namespace", "prod", "--only", Object.keys(VALUES).join(","), ...a);

  it("strict: each value opens with the controller's key under the label prod/agent, and under no other", async () => {
    const r = await seal();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("CANARY");
    const doc = parse(r.stdout) as { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: { encryptedData: Record<string, string>; template: { metadata: Record<string, unknown>; type: string } } };
    expect([doc.apiVersion, doc.kind]).toEqual(["bitnami.com/v1alpha1", "SealedSecret"]);
    expect(doc.metadata).toEqual({ name: "agent", namespace: "prod" });
    expect(doc.spec.template).toEqual({ metadata: { name: "agent", namespace: "prod" }, type: "Opaque" });
    for (const [name, value] of Object.entries(VALUES)) {
      const sealed = doc.spec.encryptedData[name.toUpperCase()]!;
      expect(unseal(sealed, "prod/agent"), name).toBe(value);
      expect(() => unseal(sealed, "staging/agent"), "another namespace").toThrow();
      expect(() => unseal(sealed, "prod/other"), "another name").toThrow();
      expect(() => unseal(sealed, ""), "cluster-wide").toThrow();
    }
    const again = parse((await seal()).stdout) as typeof doc;
    expect(again.spec.encryptedData.OPENAI_API_KEY, "a fresh session key each time").not.toBe(doc.spec.encryptedData.OPENAI_API_KEY);
  });

  it("namespace-wide and cluster-wide: their label and annotation", async () => {
    const ns = parse((await seal("--scope", "namespace-wide")).stdout) as { metadata: { annotations: Record<string, string> }; spec: { encryptedData: Record<string, string> } };
    expect(ns.metadata.annotations).toEqual({ "sealedsecrets.bitnami.com/namespace-wide": "true" });
    expect(unseal(ns.spec.encryptedData.UNICODE!, "prod")).toBe(VALUES.unicode);
    expect(() => unseal(ns.spec.encryptedData.UNICODE!, "prod/agent")).toThrow();
    const cw = parse((await seal("--scope", "cluster-wide")).stdout) as typeof ns;
    expect(cw.metadata.annotations).toEqual({ "sealedsecrets.bitnami.com/cluster-wide": "true" });
    expect(unseal(cw.spec.encryptedData.QUOTED!, "")).toBe(VALUES.quoted);
  });

  it("refuses a missing or non-certificate --cert, and a strict seal without --namespace, naming no value", async () => {
    writeFileSync(join(dir, "not-a-cert.pem"), "hello");
    for (const argv of [
      ["export", "--format", "sealed-secret", "--name", "agent", "--namespace", "prod"],
      ["export", "--format", "sealed-secret", "--name", "agent", "--namespace", "prod", "--cert", join(dir, "not-a-cert.pem")],
      ["export", "--format", "sealed-secret", "--name", "agent", "--cert", join(dir, "cert.pem")],
    ]) {
      const r = await hush(...argv);
      expect(r.code).not.toBe(0);
      expect(r.stderr, "refused before any value was read: no access recorded").not.toMatch(/access record/);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/--cert|--namespace|not a PEM certificate/);
      expect(r.stderr).not.toContain("CANARY");
    }
  });
});

/**
 * sealed-secrets' HybridDecrypt, from its documentation and pkg/crypto/crypto.go: a two-byte
 * big-endian length, the RSA-OAEP (SHA-256, label) ciphertext of a 32-byte session key, then
 * AES-256-GCM under that key with a zero 12-byte nonce (ciphertext || 16-byte tag).
 */
function unseal(b64: string, label: string): string {
  const raw = Buffer.from(b64, "base64");
  const rsaLength = raw.readUInt16BE(0);
  const sessionKey = privateDecrypt({ key: controller.key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: Buffer.from(label) }, raw.subarray(2, 2 + rsaLength));
  expect(sessionKey.length).toBe(32);
  const sealed = raw.subarray(2 + rsaLength);
  const decipher = createDecipheriv("aes-256-gcm", sessionKey, Buffer.alloc(12));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString("utf8");
}
