/**
 * Issue 18's end-to-end check: `hush run --gateway -- node agent.mjs`, where agent.mjs is
 * unmodified SDK code (`new OpenAI()`, `new Anthropic()`), through the built CLI, against the
 * fake HTTPS upstream (test/fakes/llm-upstream.ts) that only the gateway trusts (the routes'
 * `caCert`). Four things:
 *   1. the upstream receives the real keys;
 *   2. the child's environment, argv, output and heap snapshot never hold them (the handles are
 *      there: the search works);
 *   3. streamed deltas arrive unbuffered: the fake holds delta N+1 until the child has printed
 *      delta N (release on demand, no timing threshold);
 *   4. a path outside the allow-list gets 403 and an audit record.
 * Then the same agent against a standalone `hush gateway --env-out FILE`, started with that file's
 * variables alone.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_WORDS, startLlmUpstream, type LlmUpstream } from "../fakes/llm-upstream.js";
import { baseEnv, buildCli, hushSet, NODE, readIfThere, REPO, runHushBinary, waitFor } from "../helpers/run-binary.js";
import { makeTestCa, type TestCa } from "../helpers/test-ca.js";

const OPENAI_KEY = `sk-proj-${randomBytes(24).toString("hex")}`;
const ANTHROPIC_KEY = `sk-ant-api03-${randomBytes(24).toString("hex")}`;
const AGENT = fileURLToPath(new URL("./agent.mjs", import.meta.url));

let ca: TestCa;
let upstream: LlmUpstream;
let cli: string;
let cleanupCli: () => void;
let project: string;

beforeAll(async () => {
  ca = makeTestCa();
  upstream = await startLlmUpstream({ tls: ca.server, validKeys: new Set([OPENAI_KEY, ANTHROPIC_KEY]) });
  ({ cli, cleanup: cleanupCli } = buildCli());
  project = mkdtempSync(join(tmpdir(), "hush-gw-e2e-"));
  const init = await runHushBinary(cli, ["init"], { cwd: project });
  expect(init.code).toBe(0);
  hushSet(cli, project, "openai_api_key", OPENAI_KEY);
  hushSet(cli, project, "anthropic_api_key", ANTHROPIC_KEY);
  const yaml = readFileSync(join(project, "hush.yaml"), "utf8");
  writeFileSync(
    join(project, "hush.yaml"),
    `${yaml}\ngateway:\n  routes:\n` +
      `    - { name: openai, upstream: "${upstream.url}", caCert: "${ca.caPath}", allow: ["POST /v1/chat/completions", "GET /v1/models"] }\n` +
      `    - { name: anthropic, upstream: "${upstream.url}", caCert: "${ca.caPath}", allow: ["POST /v1/messages"] }\n`,
  );
  copyFileSync(AGENT, join(project, "agent.mjs"));
  symlinkSync(join(REPO, "node_modules"), join(project, "node_modules")); // `import OpenAI from "openai"` as written
});

afterAll(async () => {
  await upstream?.close();
  if (project) rmSync(project, { recursive: true, force: true });
  ca?.cleanup();
  cleanupCli?.();
});

describe("hush run --gateway with the real OpenAI and Anthropic SDKs", () => {
  it("the upstream gets the keys, the agent never holds them, streams flow unbuffered, the allow-list refuses with 403 + audit", async () => {
    upstream.gated = true;
    const before = upstream.requests.length;
    const heap = join(project, "agent.heapsnapshot");
    const child = spawn(NODE, [cli, "run", "--gateway", "--", NODE, "agent.mjs", heap], { cwd: project, env: baseEnv(), stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    const done = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const stdout = () => Buffer.concat(out).toString("utf8");

    // 3. Each delta reaches the agent while the fake still holds the next one.
    for (const provider of ["openai", "anthropic"]) {
      for (let k = 0; k < DEFAULT_WORDS.length - 1; k++) {
        await waitFor(() => (stdout().includes(`delta ${provider} ${k} `) ? true : undefined), `delta ${provider} ${k}; stderr: ${Buffer.concat(err).toString("utf8")}`);
        expect(stdout()).not.toContain(`delta ${provider} ${k + 1} `);
        await waitFor(() => (upstream.waiting() === 1 ? true : undefined), "the fake holding the next delta");
        upstream.release();
      }
    }
    const code = await done;
    const text = stdout();
    const stderr = Buffer.concat(err).toString("utf8");
    expect(code, stderr).toBe(0);
    const expected = DEFAULT_WORDS.join("");
    expect(text).toContain(`reply openai ${JSON.stringify(expected)}`);
    expect(text).toContain(`reply anthropic ${JSON.stringify(expected)}`);
    for (const provider of ["openai", "anthropic"]) DEFAULT_WORDS.forEach((w, k) => expect(text).toContain(`delta ${provider} ${k} ${JSON.stringify(w)}`));

    // 1. The upstream received the real keys, each on its own provider's requests.
    const seen = upstream.requests.slice(before);
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /v1/chat/completions", "POST /v1/chat/completions", "POST /v1/messages", "POST /v1/messages"]);
    expect(upstream.keys().slice(before)).toEqual([OPENAI_KEY, OPENAI_KEY, ANTHROPIC_KEY, ANTHROPIC_KEY]);
    expect(seen.every((r) => r.headers.authorization === undefined || r.headers.authorization === `Bearer ${OPENAI_KEY}`)).toBe(true);

    // 2. Nothing the agent holds or prints has a key; the handles are there instead.
    const dump = JSON.parse(text.split("\n").find((l) => l.startsWith("dump "))!.slice(5)) as { env: Record<string, string>; argv: string[] };
    expect(dump.env.OPENAI_API_KEY).toMatch(/^hush_h_/);
    expect(dump.env.ANTHROPIC_API_KEY).toMatch(/^hush_h_/);
    expect(dump.env.OPENAI_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/openai/);
    expect(dump.env.ANTHROPIC_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/anthropic/);
    const snapshot = readFileSync(heap, "utf8");
    expect(snapshot).toContain(dump.env.OPENAI_API_KEY); // the search finds what the agent does hold
    for (const key of [OPENAI_KEY, ANTHROPIC_KEY]) {
      for (const where of [text, stderr, JSON.stringify(dump), snapshot]) expect(where.includes(key)).toBe(false);
    }

    // 4. The path outside the allow-list: 403 to the agent, not forwarded, one audit record.
    expect(text).toContain("files refused 403");
    expect(seen.some((r) => r.path === "/v1/files")).toBe(false);
    const audit = readFileSync(join(project, ".secrets/audit.dev.jsonl"), "utf8");
    const records = audit.trim().split("\n").map((l) => JSON.parse(l) as { action: string; outcome: string; detail?: { route: string; method: string; path: string; status: number } });
    const gateway = records.filter((r) => r.action === "gateway-request");
    expect(gateway.filter((r) => r.detail?.status === 200).length).toBe(4);
    expect(gateway).toContainEqual(expect.objectContaining({ outcome: "denied", detail: expect.objectContaining({ route: "openai", method: "GET", path: "/v1/files", status: 403 }) }));
    for (const key of [OPENAI_KEY, ANTHROPIC_KEY, dump.env.OPENAI_API_KEY!]) expect(audit.includes(key)).toBe(false);
  });
});

describe("hush gateway (standalone) with the real SDKs", () => {
  it("an agent started with only the --env-out file's handles and URLs works and holds no key; the file goes on exit", async () => {
    upstream.gated = false;
    const before = upstream.requests.length;
    const envFile = join(project, "gateway.env");
    const gateway = spawn(NODE, [cli, "gateway", "--env-out", envFile], { cwd: project, env: baseEnv(), stdio: ["ignore", "pipe", "pipe"] });
    const gatewayOutput: Buffer[] = [];
    gateway.stdout.on("data", (c: Buffer) => gatewayOutput.push(c));
    gateway.stderr.on("data", (c: Buffer) => gatewayOutput.push(c));
    const exited = new Promise<void>((resolve) => gateway.on("close", () => resolve()));
    let text = "";
    let agent: { code: number | null; stdout: string; stderr: string };
    try {
      text = await waitFor(() => readIfThere(envFile), "the gateway's env file");
      const handles: Record<string, string> = {};
      for (const line of text.split("\n")) {
        const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
        if (m) handles[m[1]!] = m[2]!.replace(/^(["'])(.*)\1$/, "$2");
      }
      expect(handles.OPENAI_API_KEY).toMatch(/^hush_h_/);
      agent = await runNode(["agent.mjs"], { ...baseEnv(), ...handles });
    } finally {
      gateway.kill("SIGTERM");
      await exited;
    }
    expect(agent.code, agent.stderr).toBe(0);
    expect(agent.stdout).toContain(`reply anthropic ${JSON.stringify(DEFAULT_WORDS.join(""))}`);
    expect(agent.stdout).toContain(`delta openai ${DEFAULT_WORDS.length - 1} `);
    expect(agent.stdout).toContain("files refused 403");
    expect(upstream.keys().slice(before)).toEqual([OPENAI_KEY, OPENAI_KEY, ANTHROPIC_KEY, ANTHROPIC_KEY]);
    expect(readIfThere(envFile)).toBeUndefined();
    const seen = [agent.stdout, agent.stderr, text, Buffer.concat(gatewayOutput).toString("utf8")];
    for (const key of [OPENAI_KEY, ANTHROPIC_KEY]) for (const where of seen) expect(where.includes(key)).toBe(false);
  });
});

/** Runs `node ...args` in the project without blocking this process (the fake upstream runs here). */
function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(NODE, args, { cwd: project, env, stdio: ["ignore", "pipe", "pipe"] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (c: Buffer) => out.push(c));
  child.stderr.on("data", (c: Buffer) => err.push(c));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") })));
}
