/**
 * Keys follow rotation: a gateway started on a temp project keeps its handle while another
 * process (the built CLI, `hush set NAME` with the value on stdin) changes the route's secret;
 * requests then reach the upstream with the new key, and a reply echoing the old key is still
 * cleaned. A store that cannot be read refuses with 503 (on record) and recovers when it can.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startGateway, type Gateway } from "../../src/index.js";
import { buildCli, hushSet, startHush, waitFor } from "../helpers/run-binary.js";
import { startFakeUpstream, type FakeUpstream } from "../fakes/gateway-upstream.js";
import { rawRequest, tempProject, testKey, type RawReply } from "./helpers.js";

const [OLD, NEW] = [testKey("sk_live_"), testKey("sk_live_")];
let cli: string;
let cleanupCli: () => void;
let upstream: FakeUpstream;
let project: { dir: string; cleanup(): void };
let gateway: Gateway;
let handle: string;
const warnings: string[] = [];

beforeAll(async () => {
  ({ cli, cleanup: cleanupCli } = buildCli());
  upstream = await startFakeUpstream();
  project = tempProject(`version: 1
gateway:
  routes:
    - name: stripe
      upstream: ${upstream.url}
      secret: stripe_key
`);
  hushSet(cli, project.dir, "stripe_key", OLD);
  gateway = await startGateway({ cwd: project.dir, env: {}, onWarning: (m) => warnings.push(m) });
  handle = gateway.childEnvironment().STRIPE_KEY!;
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  project?.cleanup();
  cleanupCli?.();
});

const ask = (path = "/stripe/v1/charges", body?: string) => rawRequest(gateway.url!, { method: body === undefined ? "GET" : "POST", path, headers: { authorization: `Bearer ${handle}` }, body });

/** Asks until `done(reply)` (at most 400 times, 25 ms apart): a bounded loop, no timing threshold. */
async function askUntil(done: (r: RawReply) => boolean): Promise<RawReply> {
  let last: RawReply | undefined;
  for (let i = 0; i < 400; i++) {
    last = await ask();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no such reply; the last was ${last?.status}`);
}

const sentKey = () => upstream.requests.at(-1)!.headers.authorization;

describe("the gateway's keys follow rotation", () => {
  it("sends the new key after `hush set` in another process, with the same handle", async () => {
    expect((await ask()).status).toBe(200);
    expect(sentKey()).toBe(`Bearer ${OLD}`);
    hushSet(cli, project.dir, "stripe_key", NEW);
    await askUntil((r) => r.status === 200 && sentKey() === `Bearer ${NEW}`);
    expect(gateway.childEnvironment().STRIPE_KEY).toBe(handle);
    expect((await ask()).status).toBe(200);
    expect(sentKey()).toBe(`Bearer ${NEW}`);
  });

  it("still removes the old key from a reply that echoes it, and the new one", async () => {
    const r = await ask("/stripe/echo-body", `old: ${OLD} new: ${NEW} old64: ${Buffer.from(OLD).toString("base64")}`);
    expect(r.status).toBe(200);
    expect(r.body).toBe("old: [REDACTED:stripe_key.previous] new: [REDACTED:stripe_key] old64: [REDACTED:stripe_key.previous.base64]");
  });

  it("refuses with 503 on record while the store cannot be read, and recovers without a restart", async () => {
    const store = join(project.dir, ".secrets/dev.store");
    const good = readFileSync(store);
    writeFileSync(`${store}.bad`, "this is not a store", { mode: 0o600 });
    renameSync(`${store}.bad`, store);
    const refused = await askUntil((r) => r.status === 503);
    expect(JSON.parse(refused.body).error.code).toBe("key-unreadable");
    writeFileSync(`${store}.good`, good, { mode: 0o600 });
    renameSync(`${store}.good`, store);
    await askUntil((r) => r.status === 200);
    expect(sentKey()).toBe(`Bearer ${NEW}`);
    expect(warnings.join("\n")).toContain('gateway route "stripe": its key cannot be read again');
    for (const text of [refused.body, JSON.stringify(refused.headers), warnings.join("\n")]) {
      expect(text).not.toContain(OLD);
      expect(text).not.toContain(NEW);
    }
  });

  it("has the refusals on record, and no key in the audit log", async () => {
    await gateway.close();
    const log = readFileSync(join(project.dir, ".secrets/audit.dev.jsonl"), "utf8");
    const records = log.trim().split("\n").map((l) => JSON.parse(l) as { action: string; errorCode: string | null; detail?: { status: number; route: string } });
    const unreadable = records.filter((r) => r.action === "gateway-request" && r.errorCode === "key-unreadable");
    expect(unreadable.length).toBeGreaterThanOrEqual(1);
    expect(unreadable[0]!.detail).toMatchObject({ status: 503, route: "stripe" });
    for (const key of [OLD, NEW]) expect(log).not.toContain(key);
  });
});

describe("a long-running `hush gateway` process", () => {
  it("follows `hush set` from another process, keeps its handle, and cleans the old key from replies", async () => {
    const [A, B] = [testKey("sk_live_"), testKey("sk_live_")];
    hushSet(cli, project.dir, "stripe_key", A);
    const envFile = join(project.dir, "gw.env");
    const gw = startHush(cli, ["gateway", "--route", "stripe", "--env-out", envFile], { cwd: project.dir });
    try {
      const text = await waitFor(() => (existsSync(envFile) ? readFileSync(envFile, "utf8") : undefined), "the env file");
      const vars = Object.fromEntries(text.split("\n").filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
      const call = (path: string, body?: string) => rawRequest(vars.STRIPE_BASE_URL!, { method: body === undefined ? "GET" : "POST", path: `/stripe${path}`, headers: { authorization: `Bearer ${vars.STRIPE_KEY}` }, body });
      expect((await call("/v1/charges")).status).toBe(200);
      expect(sentKey()).toBe(`Bearer ${A}`);
      hushSet(cli, project.dir, "stripe_key", B);
      for (let i = 0; i < 400 && sentKey() !== `Bearer ${B}`; i++) {
        expect((await call("/v1/charges")).status).toBe(200);
        if (sentKey() !== `Bearer ${B}`) await new Promise((r) => setTimeout(r, 25));
      }
      expect(sentKey()).toBe(`Bearer ${B}`);
      const echoed = await call("/echo-body", `was ${A} is ${B}`);
      expect(echoed.body).toBe("was [REDACTED:stripe_key.previous] is [REDACTED:stripe_key]");
    } finally {
      gw.child.kill("SIGTERM");
    }
    const end = await gw.done;
    expect(end.code, end.stderr).toBe(0);
    for (const key of [A, B]) expect(end.stdout + end.stderr).not.toContain(key);
  });
});
