/**
 * The kubernetes source's API mode, beyond the conformance suite: RBAC denials, secretKeyRef
 * addressing, stringData, a kubeconfig, and concurrent writers (resourceVersion conflicts). The real
 * @kubernetes/client-node talks HTTPS to test/fakes/kubernetes.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKubernetesSource, type KubernetesSourceOptions } from "../../src/sources/kubernetes.js";
import { startKubernetesFake, type KubernetesFake } from "../fakes/kubernetes.js";
import { makeSelfSignedCert } from "../helpers/tls-cert.js";
import { expectHushError } from "./conformance/cases.js";
import { buildSources } from "../../src/config/build-sources.js";

const TLS = makeSelfSignedCert();
const NS = "agents";
const CANARY = "sk-live-CANARY-4b1d9c0e7a";
let fake: KubernetesFake;
let dir: string;
let inCluster: KubernetesSourceOptions;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hush-k8s-api-"));
  writeFileSync(join(dir, "token"), "sa-token");
  writeFileSync(join(dir, "ca.crt"), TLS.cert);
  inCluster = { server: "", tokenFile: join(dir, "token"), caFile: join(dir, "ca.crt"), namespace: NS, secret: "app", timeoutMs: 2000, retry: { baseDelayMs: 5, maxDelayMs: 20 } };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("kubernetes source, API mode", () => {
  beforeAll(async () => {
    fake = await startKubernetesFake({ tls: TLS, tokens: ["sa-token"], user: "system:serviceaccount:agents:agent" });
    inCluster.server = fake.url;
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.secrets.clear();
    fake.denied.clear();
  });

  it("RBAC 403 is ACCESS_DENIED naming the verb, the resource, the namespace and the user, with the Role that fixes it", async () => {
    fake.put(NS, "locked", { api_key: CANARY });
    fake.deny("get", "locked");
    const s = createKubernetesSource({ ...inCluster, secret: "locked" });
    const e = expectHushError(await s.get("api_key").catch((x: unknown) => x), "ACCESS_DENIED");
    expect(e.message).toContain('RBAC denied "get" on resource "secrets" (secrets/locked) in namespace "agents" for system:serviceaccount:agents:agent');
    expect(e.hint).toContain("kubectl create role hush-get-secrets -n agents --verb=get --resource=secrets --resource-name=locked");
    expect(e.hint).toContain("--serviceaccount=agents:agent");
    expect(JSON.stringify(e) + String(e) + e.hint).not.toContain(CANARY);
  });

  it("a write denied by RBAC names the verb it needed (update)", async () => {
    fake.put(NS, "app", { a: "1" });
    fake.deny("update", "app");
    const e = expectHushError(await createKubernetesSource(inCluster).set!("a", CANARY).catch((x: unknown) => x), "ACCESS_DENIED");
    expect(e.message).toContain('RBAC denied "update"');
    expect(e.message).not.toContain(CANARY);
  });

  it("secretKeyRef addressing: remote {key: Secret, property: data key}; no property takes a one-key Secret, refuses a many-key one by its keys", async () => {
    fake.put(NS, "llm-keys", { openai: "sk-openai", anthropic: "sk-ant" });
    fake.put(NS, "db", { url: "postgres://db" });
    const s = createKubernetesSource({
      ...inCluster,
      remoteRefs: { openai_api_key: { key: "llm-keys", property: "openai" }, database_url: { key: "db" }, any_llm: { key: "llm-keys" }, gone: { key: "llm-keys", property: "nope" } },
    });
    expect((await s.get("OPENAI_API_KEY"))?.value).toBe("sk-openai");
    expect((await s.get("database_url"))?.value).toBe("postgres://db");
    expect(await s.get("gone")).toBeUndefined();
    const e = expectHushError(await s.get("any_llm").catch((x: unknown) => x), "INVALID_ARGUMENT");
    expect(e.message).toMatch(/2 fields \((openai, anthropic|anthropic, openai)\)/);
    expect(e.message).not.toContain("sk-");
    expect(s.remoteLocation!("openai_api_key")).toEqual({ key: "llm-keys", property: "openai", mapped: true, address: "agents/secrets/llm-keys#openai" });
    expect(s.remoteLocation!("other_name")).toEqual({ key: "app", property: "other_name", mapped: false, address: "agents/secrets/app#other_name" });
    expect((await s.list()).sort(), "a mapped name is listed when its Secret holds it (any_llm: ambiguous, but there)").toEqual(["any_llm", "database_url", "openai_api_key"]);
    await s.set!("openai_api_key", "sk-new");
    expect(Buffer.from(fake.secrets.get(`${NS}/llm-keys`)!.data.openai!, "base64").toString()).toBe("sk-new");
    expect(fake.secrets.get(`${NS}/llm-keys`)!.data.anthropic, "the other key is kept byte for byte").toBe(Buffer.from("sk-ant").toString("base64"));
  });

  it("reads a Secret created with stringData (as kubectl apply does) and values that are binary are refused by key", async () => {
    await rawCreate({ metadata: { name: "app" }, stringData: { api_token: "from-stringData" }, data: { bin: Buffer.from([0xff, 0xfe]).toString("base64") } });
    const s = createKubernetesSource(inCluster);
    expect((await s.get("api_token"))?.value).toBe("from-stringData");
    expect(expectHushError(await s.get("bin").catch((x: unknown) => x), "INVALID_VALUE").message).toContain('key "bin"');
    await s.set!("api_token", "rewritten");
    expect(fake.secrets.get(`${NS}/app`)!.data.bin, "a binary key survives a rewrite of another key").toBe(Buffer.from([0xff, 0xfe]).toString("base64"));
  });

  it("two writers at once: resourceVersion conflicts are retried from a fresh read, no write is lost", async () => {
    const a = createKubernetesSource(inCluster);
    const b = createKubernetesSource(inCluster);
    await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).set!(`key_${i}`, `v${i}`)));
    const names = (await a.list()).sort();
    expect(names).toEqual(Array.from({ length: 8 }, (_, i) => `key_${i}`));
    expect(fake.server.requests.some((r) => r.method === "PUT")).toBe(true);
  });

  it("getMany reads each distinct Secret once: 50 names over 3 Secrets are 3 GETs", async () => {
    const refs: Record<string, { key: string; property: string }> = {};
    for (let i = 0; i < 50; i++) refs[`name_${i}`] = { key: `bundle-${i % 3}`, property: `k${i}` };
    for (let b = 0; b < 3; b++) fake.put(NS, `bundle-${b}`, Object.fromEntries(Object.entries(refs).filter(([, r]) => r.key === `bundle-${b}`).map(([n, r]) => [r.property, `v-${n}`])));
    const s = createKubernetesSource({ ...inCluster, remoteRefs: refs });
    const before = fake.server.requests.length;
    const records = await s.getMany!(Object.keys(refs));
    expect(records.map((r) => r?.value)).toEqual(Object.keys(refs).map((n) => `v-${n}`));
    expect(fake.server.requests.slice(before).map((r) => `${r.method} ${r.path}`).sort()).toEqual([0, 1, 2].map((b) => `GET /api/v1/namespaces/${NS}/secrets/bundle-${b}`));
  });

  it("from hush.yaml: the cacheTtl cache serves repeat reads, refresh() forces a read; secretKeyRef from `secrets.NAME.remote`", async () => {
    fake.put(NS, "app", { api_token: "one" });
    fake.put(NS, "llm-keys", { openai: "sk-1" });
    const [s] = await buildSources([{ type: "kubernetes", options: { server: fake.url, tokenFile: join(dir, "token"), caFile: join(dir, "ca.crt"), namespace: NS, secret: "app", cacheTtl: "60s" } }], {
      root: dir,
      secretsDir: join(dir, ".secrets"),
      environment: "prod",
      onWarning: () => undefined,
      remoteRefs: { openai_api_key: { key: "llm-keys", property: "openai" } },
    });
    const gets = () => fake.server.requests.filter((r) => r.method === "GET").length;
    const before = gets();
    expect((await s!.get("api_token"))?.value).toBe("one");
    fake.put(NS, "app", { api_token: "two" });
    expect((await s!.get("api_token"))?.value, "served from the cache").toBe("one");
    expect(gets() - before).toBe(1);
    await (s as unknown as { refresh(): Promise<void> }).refresh();
    expect((await s!.get("api_token"))?.value).toBe("two");
    expect((await s!.get("openai_api_key"))?.value).toBe("sk-1");
  });

  it("a kubeconfig whose server is the fake: context namespace and user token are used", async () => {
    fake.put("from-context", "hush", { greeting: "hello" });
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(
      kubeconfig,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        `- name: fake\n  cluster:\n    server: ${fake.url}\n    certificate-authority-data: ${Buffer.from(TLS.cert).toString("base64")}`,
        "users:",
        "- name: me\n  user:\n    token: sa-token",
        "contexts:",
        "- name: fake\n  context:\n    cluster: fake\n    user: me\n    namespace: from-context",
        "current-context: fake",
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    const s = createKubernetesSource({ kubeconfig, timeoutMs: 2000 });
    expect((await s.get("greeting"))?.value).toBe("hello");
    expect(fake.server.requests.at(-1)!.path).toBe("/api/v1/namespaces/from-context/secrets/hush");
  });

  it("a CA that did not sign the server's certificate is a connection failure, never 'not found'", async () => {
    const other = makeSelfSignedCert();
    writeFileSync(join(dir, "other-ca.crt"), other.cert);
    const s = createKubernetesSource({ ...inCluster, caFile: join(dir, "other-ca.crt"), retry: { attempts: 1 } });
    const e = expectHushError(await s.get("anything").catch((x: unknown) => x));
    expect(["SOURCE_UNAVAILABLE", "BAD_REPLY"]).toContain(e.code);
  });
});

/** POST a Secret to the fake as kubectl would (stringData included). */
function rawCreate(body: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${fake.url}/api/v1/namespaces/${NS}/secrets`, { method: "POST", ca: TLS.cert, headers: { authorization: "Bearer sa-token", "content-type": "application/json" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}
