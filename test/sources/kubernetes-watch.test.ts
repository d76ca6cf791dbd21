/**
 * The kubernetes source's API-mode `watch` (src/sources/kubernetes/watch.ts): the real
 * @kubernetes/client-node `Watch` against the fake API server's watch API (test/fakes/kubernetes-watch.ts):
 * changes on the stream, resume from the last resourceVersion, 410 relist, a dropped connection,
 * RBAC 403 on `watch` falling back to reads, and no value in any change or notice.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKubernetesSource, type KubernetesSourceOptions } from "../../src/sources/kubernetes.js";
import type { SecretSource, SourceChange } from "../../src/types.js";
import { startKubernetesFake, type KubernetesFake } from "../fakes/kubernetes.js";
import { makeSelfSignedCert } from "../helpers/tls-cert.js";

const TLS = makeSelfSignedCert();
const NS = "agents";
const CANARY = "sk-watch-CANARY-7e11a2";
let fake: KubernetesFake;
let dir: string;
let options: KubernetesSourceOptions;
let source: SecretSource;
let changes: SourceChange[];
let warnings: string[];
let stop: (() => void) | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hush-k8s-watch-"));
  writeFileSync(join(dir, "token"), "sa-token");
  writeFileSync(join(dir, "ca.crt"), TLS.cert);
  fake = await startKubernetesFake({ tls: TLS, tokens: ["sa-token"], user: "system:serviceaccount:agents:agent" });
  options = { server: fake.url, tokenFile: join(dir, "token"), caFile: join(dir, "ca.crt"), namespace: NS, secret: "app", timeoutMs: 2000, retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 }, watchIntervalMs: 200, watchTimeoutSeconds: 60 };
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  changes = [];
  warnings = [];
  fake.put(NS, "app", { api_key: `${CANARY}-0` });
  source = createKubernetesSource({ ...options, onWarning: (m) => warnings.push(m) });
});
afterEach(async () => {
  stop?.();
  stop = undefined;
  await source.dispose?.();
  await until(() => fake.watches.open === 0, "every stream closed");
  fake.secrets.clear();
  fake.denied.clear();
  fake.server.requests.length = 0;
  fake.server.alwaysFault = undefined;
  Object.assign(fake.watches, { refuseWith: undefined, goneAs: "event", maxTimeoutSeconds: undefined, history: [] });
});

/** Subscribes and waits for the first state (the baseline report) on an open stream. */
async function startWatching(): Promise<void> {
  stop = source.watch!((c) => changes.push(c));
  await until(() => changes.length >= 1 && fake.watches.open === 1, "the baseline and an open stream");
}

/** Waits until `check()` is true (bounded: the test's own timeout is the real limit). */
async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const watchRequests = () => fake.server.requests.filter((r) => r.query.get("watch") === "true");
const gets = () => fake.server.requests.filter((r) => r.method === "GET" && r.path.endsWith("/secrets/app"));
const noValues = () => expect(JSON.stringify(changes) + warnings.join("\n")).not.toContain(CANARY);

describe("kubernetes API mode: watch", () => {
  it("watches with the documented query, reports a change on the stream at once, no value in it, and reads nothing more", async () => {
    await startWatching();
    const [first] = watchRequests();
    expect(first!.path).toBe(`/api/v1/namespaces/${NS}/secrets`);
    expect(first!.query.get("fieldSelector")).toBe("metadata.name=app");
    expect(first!.query.get("allowWatchBookmarks")).toBe("true");
    expect(first!.query.get("timeoutSeconds")).toBe("60");
    expect(first!.query.has("resourceVersion"), "the first watch starts from the current state").toBe(false);
    const before = changes.length;
    const readsBefore = gets().length;
    fake.put(NS, "app", { api_key: `${CANARY}-1` });
    await until(() => changes.length > before, "the change");
    expect(changes.at(-1)).toEqual({ source: "kubernetes" });
    expect(gets().length, "a change on the stream costs no read").toBe(readsBefore);
    fake.remove(NS, "app");
    await until(() => changes.length > before + 1, "the deletion");
    expect(warnings).toEqual([]);
    noValues();
  });

  it("a stream the server ends (timeoutSeconds) is resumed from the last resourceVersion; what changed in between is replayed", async () => {
    await startWatching();
    fake.put(NS, "other", { x: "1" }); // moves the resourceVersion on; not an event of this stream
    const bookmarked = String(fake.secrets.get(`${NS}/other`)!.metadata.resourceVersion);
    fake.watches.bookmark(); // the line arrives before the end of the stream that follows it
    const before = changes.length;
    fake.watches.endAll();
    fake.put(NS, "app", { api_key: `${CANARY}-2` }); // before the client can reconnect
    await until(() => changes.length > before, "the replayed change");
    const resumed = watchRequests()[1]!;
    expect(resumed.query.get("resourceVersion"), "resumed from the bookmark").toBe(bookmarked);
    expect(warnings).toEqual([]);
    noValues();
  });

  it("the server's own timeout (maxTimeoutSeconds) ends streams again and again; changes keep coming", async () => {
    fake.watches.maxTimeoutSeconds = 1;
    await startWatching();
    await until(() => watchRequests().length >= 3, "two reconnects after the server's timeout", 8000);
    const before = changes.length;
    fake.put(NS, "app", { api_key: `${CANARY}-3` });
    await until(() => changes.length > before, "the change");
    expect(warnings).toEqual([]);
  });

  for (const goneAs of ["event", "status"] as const) {
    it(`410 Gone (${goneAs === "event" ? "an ERROR event with Status code 410" : "HTTP 410"}) starts again from the current state and reports what changed`, async () => {
      fake.watches.goneAs = goneAs;
      await startWatching();
      fake.watches.endAll();
      fake.put(NS, "app", { api_key: `${CANARY}-4` });
      fake.watches.compact(); // the version the client holds has left the window
      const before = changes.length;
      await until(() => changes.length > before, "the change seen after the relist");
      const [, resumed, relisted] = watchRequests();
      expect(resumed!.query.has("resourceVersion")).toBe(true);
      expect(relisted!.query.has("resourceVersion"), "after 410: from the current state").toBe(false);
      expect(warnings, "410 is routine: no notice").toEqual([]);
      noValues();
    });
  }

  it("a change made while the watch cannot reconnect is not lost: said once, read at each retry, recovery said", async () => {
    await startWatching();
    fake.watches.refuseWith = 503;
    fake.watches.drop();
    await until(() => warnings.length === 1, "the failure notice");
    expect(warnings[0]).toMatch(/^kubernetes: watching secrets\/app failed \(SOURCE_UNAVAILABLE: .*\); retrying, and reading the Secret at each retry \(at most 200 ms apart\) so no change is missed\.$/);
    const before = changes.length;
    fake.put(NS, "app", { api_key: `${CANARY}-5` });
    await until(() => changes.length > before, "the change, seen by a read while the watch is down");
    fake.watches.refuseWith = undefined;
    await until(() => fake.watches.open === 1, "the watch back");
    await until(() => warnings.length === 2, "the recovery notice");
    expect(warnings[1]).toBe("kubernetes: watching secrets/app again.");
    noValues();
  });

  it("a change made while the API server is unreachable altogether is reported once it is back", async () => {
    await startWatching();
    fake.server.alwaysFault = { drop: true };
    fake.watches.drop();
    await until(() => warnings.length === 1, "the failure notice");
    fake.put(NS, "app", { api_key: `${CANARY}-6` });
    const before = changes.length;
    fake.server.alwaysFault = undefined;
    await until(() => changes.length > before, "the change, after reconnecting");
    noValues();
  });

  it("a watch stopped while it reads the Secret says nothing more (no late 'watching again' notice)", async () => {
    await startWatching();
    fake.watches.refuseWith = 503;
    fake.watches.drop();
    await until(() => warnings.length === 1, "the failure notice");
    fake.server.alwaysFault = { delayMs: 1500 }; // every request slow: the read after the reopened stream is in flight a while
    fake.watches.refuseWith = undefined;
    await until(() => fake.watches.open === 1, "the watch back, its read in flight");
    stop?.();
    stop = undefined;
    // Nothing to wait for but the read's reply: a pause that can only let this check pass wrongly, never fail it.
    await new Promise((r) => setTimeout(r, 2500));
    expect(warnings).toHaveLength(1);
    noValues();
  });

  it("RBAC 403 on watch: the wording of errors.ts naming the verb, then reads every watchInterval that still see changes", async () => {
    fake.deny("watch", "app");
    stop = source.watch!((c) => changes.push(c));
    await until(() => warnings.length === 1, "the notice");
    expect(warnings[0]).toContain('kubernetes: RBAC denied "watch" on resource "secrets" (secrets/app) in namespace "agents"');
    expect(warnings[0]).toContain("Falling back to reading secrets/app every 200 ms");
    expect(warnings[0]).toContain("kubectl create role hush-watch-secrets -n agents --verb=watch --resource=secrets --resource-name=app");
    await until(() => changes.length >= 1, "the baseline");
    const before = changes.length;
    fake.put(NS, "app", { api_key: `${CANARY}-7` });
    await until(() => changes.length > before, "the change, seen by a read");
    expect(watchRequests().length, "no more watch attempts once denied").toBe(1);
    expect(warnings).toHaveLength(1);
    noValues();
  });

  it("watches every Secret the source reads (remote keys), each with its own stream; stop and dispose close them", async () => {
    fake.put(NS, "llm-keys", { openai: `${CANARY}-8` });
    source = createKubernetesSource({ ...options, remoteRefs: { openai_api_key: { key: "llm-keys", property: "openai" }, bad: { key: "Not_A_Secret" } }, onWarning: (m) => warnings.push(m) });
    stop = source.watch!((c) => changes.push(c));
    await until(() => fake.watches.open === 2, "two streams");
    expect(watchRequests().map((r) => r.query.get("fieldSelector")).sort()).toEqual(["metadata.name=app", "metadata.name=llm-keys"]);
    const before = changes.length;
    fake.put(NS, "llm-keys", { openai: `${CANARY}-9` });
    await until(() => changes.length > before, "the change of the mapped Secret");
    stop();
    stop();
    await until(() => fake.watches.open === 0, "streams closed on stop");
    noValues();
  });
});
