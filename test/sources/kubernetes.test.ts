/**
 * The kubernetes source: the conformance suite in API mode against the fake API server
 * (test/fakes/kubernetes.ts, driven through the real @kubernetes/client-node), and in volume mode
 * (as `kubernetes-volume`) against a folder laid out as the kubelet lays it out; then the volume
 * mode's own cases. API mode's own cases are in kubernetes-api.test.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync, mkdirSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKubernetesSource } from "../../src/sources/kubernetes.js";
import { HushError } from "../../src/errors.js";
import { describeSourceConformance, noRemoteBackend } from "./conformance/suite.js";
import { expectHushError } from "./conformance/cases.js";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { writeKubeletPayload } from "../helpers/kubelet-volume.mjs";
import { startKubernetesFake } from "../fakes/kubernetes.js";
import { makeSelfSignedCert } from "../helpers/tls-cert.js";

const KUBELET = fileURLToPath(new URL("../helpers/kubelet-volume.mjs", import.meta.url));

const NAMESPACE = "hush-test";
const TLS = makeSelfSignedCert();

describeSourceConformance(
  "kubernetes",
  {
    async create() {
      const fake = await startKubernetesFake({ tls: TLS, tokens: ["token-0"] });
      const dir = mkdtempSync(join(tmpdir(), "hush-k8s-sa-"));
      const tokenFile = join(dir, "token");
      writeFileSync(tokenFile, "token-0");
      writeFileSync(join(dir, "ca.crt"), TLS.cert);
      const source = createKubernetesSource({ server: fake.url, tokenFile, caFile: join(dir, "ca.crt"), namespace: NAMESPACE, secret: "app", timeoutMs: 1500, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
      return {
        source,
        async seed(values) {
          fake.put(NAMESPACE, "app", values);
        },
        async breakIt() {
          fake.server.alwaysFault = { status: 500 };
        },
        faults: {
          async deny() {
            fake.deny("get", "app"); // RBAC: the names live in secrets/app
          },
          async rateLimit(seconds) {
            fake.server.faults.push({ status: 429, headers: { "retry-after": String(seconds) } });
          },
          async serverErrors(count) {
            if (count === Infinity) fake.server.alwaysFault = { status: 503 };
            else for (let i = 0; i < count; i++) fake.server.faults.push({ status: [500, 502, 503][i % 3]! });
          },
          async slow() {
            fake.server.alwaysFault = { delayMs: 3000 }; // twice the source's timeout
          },
          async malformed() {
            fake.server.alwaysFault = { malformed: true };
          },
          async expireToken() {
            // The kubelet rotates the projected token: the old one is refused, the file holds the new one.
            fake.tokens = new Set(["token-1"]);
            writeFileSync(tokenFile, "token-1");
            return "relogin";
          },
          async heal() {
            fake.server.alwaysFault = undefined;
            fake.server.faults.length = 0;
          },
        },
        async cleanup() {
          await fake.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    skips: {
      versions: "a Secret keeps no versions",
      deleted: "Secrets have no versions to soft-delete: a key is there or not",
    },
  },
);

describeSourceConformance(
  "kubernetes-volume",
  {
    async create() {
      const dir = mkdtempSync(join(tmpdir(), "hush-k8s-vol-"));
      const payload: Record<string, string> = {};
      writeKubeletPayload(dir, payload);
      return {
        source: createKubernetesSource({ dir }),
        async seed(values) {
          // The kubelet replaces the whole payload: what was there stays, the new keys join it.
          Object.assign(payload, values);
          writeKubeletPayload(dir, payload);
        },
        async breakIt() {
          // A key that is not UTF-8 text, and a folder nobody may read.
          writeKubeletPayload(dir, { ...payload, openai_api_key: "\xff\xfe-CANARY" });
          writeFileSync(join(dir, readlinkSync(join(dir, "..data")), "openai_api_key"), Buffer.from([0xff, 0xfe, 0x43]));
          chmodSync(join(dir, readlinkSync(join(dir, "..data"))), 0o000);
        },
        async cleanup() {
          try {
            chmodSync(join(dir, readlinkSync(join(dir, "..data"))), 0o700);
          } catch {
            // not broken
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    skips: {
      write: "volume mode is read-only: the kubelet owns the folder (API mode writes: see the API conformance below)",
      setMany: "volume mode is read-only",
      versions: "a mounted Secret holds one value per key",
      denied: "a mounted folder has no credentials to refuse; an unreadable folder is READ_FAILED",
      deleted: "no versions: a key is in the payload or not",
      concurrent: "volume mode is read-only (the swap under reads is tested below)",
      ...noRemoteBackend("a mounted folder"),
    },
  },
);

describe("kubernetes source, volume mode", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads through ..data: keys as names, either spelling, dot-files and subfolders left out", async () => {
    dir = mkdtempSync(join(tmpdir(), "hush-k8s-vol-"));
    writeKubeletPayload(dir, { "openai-api-key": "sk-one", DB_URL: "postgres://x", ".dockerconfigjson": "{}" });
    const s = createKubernetesSource({ dir });
    expect((await s.get("openai_api_key"))?.value).toBe("sk-one");
    expect((await s.get("db_url"))?.value).toBe("postgres://x");
    expect((await s.get("db_url"))?.location).toBe(join(dir, "DB_URL"));
    expect((await s.list()).sort()).toEqual(["DB_URL", "openai-api-key"]);
  });

  it("a read spans one payload: getMany while another process swaps sees all-old or all-new, never a mix", async () => {
    dir = mkdtempSync(join(tmpdir(), "hush-k8s-vol-"));
    writeKubeletPayload(dir, { a: "a-0", b: "b-0", c: "c-0" });
    const s = createKubernetesSource({ dir });
    const kubelet = spawn(process.execPath, [KUBELET, "swap", dir, "400"], { stdio: "ignore" });
    const exited = new Promise<void>((r) => kubelet.on("exit", () => r()));
    let running = true;
    void exited.then(() => (running = false));
    const payloadsSeen = new Set<string>();
    try {
      for (let reads = 0; running || reads === 0; reads++) {
        const got = (await s.getMany!(["a", "b", "c"])).map((r) => r?.value.split("-")[1]);
        expect(new Set(got).size === 1 && got[0] !== undefined, `read ${reads} saw one whole payload: ${got.join(",")}`).toBe(true);
        payloadsSeen.add(got[0]!);
        await new Promise((r) => setImmediate(r)); // let the exit event in
      }
    } finally {
      kubelet.kill();
      await exited;
    }
    expect(payloadsSeen.size, "reads overlapped several swaps").toBeGreaterThan(1);
  });

  it("a read whose payload folder is removed under it starts again from ..data", async () => {
    dir = mkdtempSync(join(tmpdir(), "hush-k8s-vol-"));
    writeKubeletPayload(dir, { a: "old" });
    // ..data names a folder that is gone (the kubelet removed it after a swap we raced with)...
    const stale = readlinkSync(join(dir, "..data"));
    mkdirSync(join(dir, "..new"));
    writeFileSync(join(dir, "..new", "a"), "new");
    rmSync(join(dir, stale), { recursive: true });
    const s = createKubernetesSource({ dir });
    const pending = s.get("a");
    symlinkSync("..new", join(dir, "..data_tmp"));
    renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
    // ...and the read either found nothing in the gone folder and retried, or read the new one.
    expect((await pending)?.value).toBe("new");
  });

  it("a plain folder (no ..data, as Docker mounts) is read as it is", async () => {
    dir = mkdtempSync(join(tmpdir(), "hush-k8s-vol-"));
    writeFileSync(join(dir, "api_token"), "t-1");
    expect((await createKubernetesSource({ dir }).get("API_TOKEN"))?.value).toBe("t-1");
  });

  it("a missing folder fails (never 'not found') unless optional", async () => {
    dir = mkdtempSync(join(tmpdir(), "hush-k8s-vol-"));
    const gone = join(dir, "not-mounted");
    const e = await createKubernetesSource({ dir: gone }).get("a").catch((x: unknown) => x);
    expect(expectHushError(e, "SOURCE_UNAVAILABLE").message).toContain(gone);
    const optional = createKubernetesSource({ dir: gone, optional: true });
    expect(await optional.get("a")).toBeUndefined();
    expect(await optional.list()).toEqual([]);
  });

  it("a file that is not UTF-8 is INVALID_VALUE naming the key, not its bytes", async () => {
    dir = mkdtempSync(join(tmpdir(), "hush-k8s-vol-"));
    writeKubeletPayload(dir, { bin: "x" });
    writeFileSync(join(dir, readlinkSync(join(dir, "..data")), "bin"), Buffer.from([0x43, 0x41, 0xff]));
    const e = await createKubernetesSource({ dir }).get("bin").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HushError);
    expect((e as HushError).code).toBe("INVALID_VALUE");
    expect((e as HushError).message).toContain('"bin"');
  });

  it("watch reports the ..data swap once per update", async () => {
    dir = mkdtempSync(join(tmpdir(), "hush-k8s-vol-"));
    writeKubeletPayload(dir, { a: "1" });
    const s = createKubernetesSource({ dir });
    let seen = 0;
    let notify: () => void = () => undefined;
    const stop = s.watch!(() => {
      seen++;
      notify();
    });
    const first = new Promise<void>((r) => (notify = r));
    writeKubeletPayload(dir, { a: "2" });
    await first;
    stop();
    expect(seen).toBe(1);
    expect((await s.get("a"))?.value).toBe("2");
    await s.dispose!();
  });
});
