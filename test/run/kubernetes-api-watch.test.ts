/**
 * `hush run --watch` over the kubernetes source in API mode, through the real binary and the real
 * @kubernetes/client-node against the fake API server: a Secret changed with `kubectl`'s API
 * reaches the run through the watch API (long before the 60 s cache would let a poll see it) and
 * restarts the child with the new value; with RBAC denying `watch`, the run says so, naming the
 * verb, and falls back to reading the Secret. No value in any output but the child's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { NODE, readIfThere, REPO, RUN_CHILD, startHush, waitFor, type HushRun } from "../helpers/run-binary.js";
import { startKubernetesFake, type KubernetesFake } from "../fakes/kubernetes.js";
import { makeSelfSignedCert } from "../helpers/tls-cert.js";

const TLS = makeSelfSignedCert();
const NS = "agents";
let fake: KubernetesFake;
let dir: string;

beforeAll(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "hush-k8s-run-watch-")));
  writeFileSync(join(dir, "token"), "sa-token");
  writeFileSync(join(dir, "ca.crt"), TLS.cert);
  fake = await startKubernetesFake({ tls: TLS, tokens: ["sa-token"], user: "system:serviceaccount:agents:agent" });
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A project whose only source is the fake API server (cacheTtl left at its 60 s default). */
function project(name: string, extra = ""): string {
  const folder = mkdtempSync(join(dir, `${name}-`));
  const options = `server: "${fake.url}", tokenFile: ${join(dir, "token")}, caFile: ${join(dir, "ca.crt")}, namespace: ${NS}, secret: app${extra}`;
  writeFileSync(join(folder, "hush.yaml"), `version: 1\naudit: off\nsources:\n  - type: kubernetes\n    options: { ${options} }\n`);
  return folder;
}

/** Starts `hush run --watch` recording OPENAI_API_KEY; resolves once the first child ran and the run follows the Secret. */
async function startWatchRun(cwd: string, first: string, following: (hush: HushRun) => boolean): Promise<{ hush: HushRun; out: string }> {
  const out = join(cwd, "seen.txt");
  const hush = startHush(join(REPO, "dist/cli.js"), ["run", "--watch", "--", NODE, RUN_CHILD, "record", "OPENAI_API_KEY", out], { cwd, env: { PATH: process.env.PATH, HOME: cwd } });
  try {
    await waitFor(() => (readIfThere(out) === `${first}\n` ? true : undefined), "first child");
    await waitFor(() => (following(hush) ? true : undefined), `the run following the Secret: ${hush.stderrSoFar()}`);
    return { hush, out };
  } catch (e) {
    hush.child.kill("SIGTERM");
    await hush.done;
    throw e;
  }
}

const values = () => [`first-${randomBytes(8).toString("hex")}`, `second-${randomBytes(8).toString("hex")}`] as const;

describe("hush run --watch, kubernetes API mode", () => {
  it("restarts the child when the Secret changes, through the watch API (not the 60 s cache)", async () => {
    const [first, second] = values();
    fake.put(NS, "app", { OPENAI_API_KEY: first });
    const opened = fake.watches.opened;
    const { hush, out } = await startWatchRun(project("watch"), first, () => fake.watches.opened > opened && fake.watches.open >= 1);
    fake.put(NS, "app", { OPENAI_API_KEY: second });
    await waitFor(() => (readIfThere(out) === `${first}\n${second}\n` ? true : undefined), `restarted child with the new value: ${hush.stderrSoFar()}`);
    hush.child.kill("SIGTERM");
    const r = await hush.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/secrets changed; restarting the child/);
    expect(r.stderr).not.toMatch(/watching|RBAC/);
    expect(r.stderr + r.stdout).not.toContain(first);
    expect(r.stderr + r.stdout).not.toContain(second);
  });

  it("RBAC denying `watch`: says so naming the verb, falls back to reading every watchInterval, still restarts", async () => {
    const [first, second] = values();
    fake.put(NS, "app", { OPENAI_API_KEY: first });
    fake.deny("watch", "app");
    try {
      const { hush, out } = await startWatchRun(project("denied", ", watchInterval: 1s"), first, (h) => /Falling back/.test(h.stderrSoFar()));
      fake.put(NS, "app", { OPENAI_API_KEY: second });
      await waitFor(() => (readIfThere(out) === `${first}\n${second}\n` ? true : undefined), `restarted child: ${hush.stderrSoFar()}`);
      hush.child.kill("SIGTERM");
      const r = await hush.done;
      expect(r.stderr).toContain('RBAC denied "watch" on resource "secrets" (secrets/app) in namespace "agents"');
      expect(r.stderr).toContain("Falling back to reading secrets/app every 1 s");
      expect(r.stderr).toContain("--verb=watch");
      expect(r.stderr).toMatch(/secrets changed; restarting the child/);
      expect(r.stderr + r.stdout).not.toContain(first);
      expect(r.stderr + r.stdout).not.toContain(second);
    } finally {
      fake.denied.clear();
    }
  });

  it("a child that exits on its own ends the run with its code: the open watch streams do not hold it", async () => {
    fake.put(NS, "app", { OPENAI_API_KEY: "x" });
    const cwd = project("exit");
    const opened = fake.watches.opened;
    // The child lives until the run follows the Secret (a stream is open), then exits with 7.
    const marker = join(cwd, "go");
    const child = `const fs = require("node:fs"); const t = setInterval(() => { if (fs.existsSync(${JSON.stringify(marker)})) { clearInterval(t); process.exit(7); } }, 20);`;
    const hush = startHush(join(REPO, "dist/cli.js"), ["run", "--watch", "--", NODE, "-e", child], { cwd, env: { PATH: process.env.PATH, HOME: cwd } });
    await waitFor(() => (fake.watches.opened > opened && fake.watches.open >= 1 ? true : undefined), `the watch stream: ${hush.stderrSoFar()}`);
    writeFileSync(marker, "");
    const r = await hush.done;
    expect(r.code).toBe(7);
  });
});
