// The gateway's cost on loopback (issue 18), side by side in one run: the same requests sent
// directly to the fake HTTPS upstream (test/fakes/llm-upstream.ts, bundled here with esbuild)
// and through `startGateway` (the built library, in its own process; the client and the fake
// run here). Keep-alive on both paths.
//   1. Added latency per request: GET /v1/models and a non-streamed POST /v1/chat/completions,
//      one at a time; p50 and p99 of each, interleaved in rounds.
//   2. Time to the first streamed chunk of `stream: true` (the fake holds the rest until the
//      client has the first: release on demand), p50 and p99.
//   3. Requests per second with 16 keep-alive connections: the gateway pinned to one core and
//      this process to the other with taskset (HUSH_BENCH_PIN=0: no pinning).
// Two gateways: the default audit (one JSONL record per request) and `audit: off`; and the floor
// of any local gateway, bench/minimal-proxy.mjs (forward and pipe back, nothing else).
//
// Before/after in one run: HUSH_BENCH_BEFORE=<a copy of an older dist/> adds "gateway (before)",
// that build's gateway with the default audit, measured interleaved with the others.
//
// HUSH_BENCH_CAPPED=1 adds "gateway, token cap": the default gateway with `maxTokens` on the route
// (the body read whole, usage read from each reply, the count), to see what a cap costs.
//
// Usage: node scripts/build.mjs && node bench/gateway.bench.mjs [rounds] [perRound]
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { printTable } from "./_measure.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ROUNDS = Math.max(3, Number(process.argv[2] ?? 10));
const PER_ROUND = Math.max(20, Number(process.argv[3] ?? 100));
const NODE = process.execPath;
const KEY = `sk-proj-${randomBytes(24).toString("hex")}`;
if (!existsSync(join(ROOT, "dist/cli.js"))) throw new Error("dist/cli.js is missing: run `node scripts/build.mjs` first");
const PIN = process.env.HUSH_BENCH_PIN !== "0" && availableParallelism() >= 2 && hasTaskset();
const BEFORE = process.env.HUSH_BENCH_BEFORE;
if (BEFORE && !existsSync(join(BEFORE, "index.js"))) throw new Error(`HUSH_BENCH_BEFORE: no index.js in ${BEFORE}`);

const WORK = mkdtempSync(join(tmpdir(), "hush-bench-gateway-"));
const bundle = (entry, out) => build({ entryPoints: [join(ROOT, entry)], bundle: true, platform: "node", format: "esm", outfile: join(WORK, out), logLevel: "error" });
await bundle("test/helpers/test-ca.ts", "test-ca.mjs");
await bundle("test/fakes/llm-upstream.ts", "llm-upstream.mjs");
const { makeTestCa } = await import(pathToFileURL(join(WORK, "test-ca.mjs")).href);
const { startLlmUpstream, DEFAULT_WORDS } = await import(pathToFileURL(join(WORK, "llm-upstream.mjs")).href);

const ca = makeTestCa();
const upstream = await startLlmUpstream({ tls: ca.server, validKeys: new Set([KEY]) });
const ENV = { PATH: process.env.PATH, HOME: WORK, XDG_CONFIG_HOME: join(WORK, "config") };
const gateways = {
  "bare proxy (floor)": await startChild([join(ROOT, "bench/minimal-proxy.mjs"), upstream.url, ca.caPath], { PROXY_KEY: KEY }),
  gateway: await startGatewayProcess("audit", ""),
  "gateway, audit off": await startGatewayProcess("audit-off", "audit: off\n"),
  ...(process.env.HUSH_BENCH_CAPPED === "1" ? { "gateway, token cap": await startGatewayProcess("capped", "", undefined, ", maxTokens: 1000000000000") } : {}),
  ...(BEFORE ? { "gateway (before)": await startGatewayProcess("before", "", join(BEFORE, "index.js")) } : {}),
};

const clients = {
  direct: client(https, upstream.url, new https.Agent({ keepAlive: true, maxSockets: 16, ca: ca.caCert }), KEY),
  ...Object.fromEntries(Object.entries(gateways).map(([name, g]) => [name, client(http, `${g.url}/openai`, new http.Agent({ keepAlive: true, maxSockets: 16 }), g.env?.OPENAI_API_KEY ?? "none")])),
};

try {
  const chat = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Say hello." }] });
  const streamed = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Say hello." }], stream: true });
  for (const c of Object.values(clients)) for (let i = 0; i < 50; i++) await c.send("GET", "/v1/models"); // warm-up: connections, JIT
  const models = await rounds((c) => c.send("GET", "/v1/models").then((r) => r.total));
  const chats = await rounds((c) => c.send("POST", "/v1/chat/completions", chat).then((r) => r.total));
  upstream.gated = true;
  const firsts = await rounds((c) => c.send("POST", "/v1/chat/completions", streamed, () => DEFAULT_WORDS.slice(1).forEach(() => upstream.release())).then((r) => r.first));
  upstream.gated = false;
  // Throughput on one core: each gateway pinned to core 1, this process (client and fake) to core 0.
  if (PIN) for (const [pid, cpu] of [[process.pid, 0], ...Object.values(gateways).map((g) => [g.pid, 1])]) execFileSync("taskset", ["-a", "-cp", String(cpu), String(pid)], { stdio: "ignore" });
  const rps = {};
  for (let r = 0; r < 3; r++) for (const [name, c] of Object.entries(clients)) (rps[name] ??= []).push(await throughput(c, 16, PER_ROUND * 20));

  const row = (label, samples, name) => {
    const [p50, p99] = [pct(samples[name], 50), pct(samples[name], 99)];
    const added = name === "direct" ? ["", ""] : [signed(p50 - pct(samples.direct, 50)), signed(p99 - pct(samples.direct, 99))];
    return [label, name, ms(p50), ms(p99), ...added];
  };
  const names = Object.keys(clients);
  printTable(`Latency per request, ms (${ROUNDS} rounds x ${PER_ROUND} requests, one at a time, keep-alive)`, ["request", "path", "p50", "p99", "added p50", "added p99"], [
    ...names.map((n) => row("GET /v1/models", models, n)),
    ...names.map((n) => row("POST chat (not streamed)", chats, n)),
    ...names.map((n) => row("first streamed chunk", firsts, n)),
  ]);
  printTable(`Requests per second, 16 keep-alive connections (gateway ${PIN ? "pinned to one core" : "not pinned"}; median of 3)`, ["path", "req/s", "vs direct"], names.map((n) => [n, med(rps[n]).toFixed(0), `${((med(rps[n]) / med(rps.direct)) * 100).toFixed(0)}%`]));
  console.log(`\nload: ${execFileSync("uptime", { encoding: "utf8" }).trim()}`);
  console.log(`req/s of each of the 3 runs: ${names.map((n) => `${n} ${rps[n].map((x) => x.toFixed(0)).join("/")}`).join("; ")}`);
} finally {
  // Wait for the gateways to exit before removing their projects (else they warn at shutdown).
  await Promise.all(Object.values(gateways).map((g) => g.stop()));
  for (const c of Object.values(clients)) c.agent.destroy();
  await upstream.close();
  ca.cleanup();
  rmSync(WORK, { recursive: true, force: true });
}

/** A project with the key and an `openai` route to the fake, and a gateway process on it. */
async function startGatewayProcess(name, extraYaml, distIndex = join(ROOT, "dist/index.js"), routeExtra = "") {
  const dir = join(WORK, name);
  mkdirSync(dir);
  execFileSync(NODE, [join(ROOT, "dist/cli.js"), "init"], { cwd: dir, env: ENV, stdio: "pipe" });
  execFileSync(NODE, [join(ROOT, "dist/cli.js"), "set", "openai_api_key"], { cwd: dir, env: ENV, input: KEY, stdio: ["pipe", "pipe", "pipe"] });
  const yaml = readFileSync(join(dir, "hush.yaml"), "utf8");
  writeFileSync(join(dir, "hush.yaml"), `${yaml}\n${extraYaml}gateway:\n  routes:\n    - { name: openai, upstream: "${upstream.url}", caCert: "${ca.caPath}"${routeExtra} }\n`);
  return startChild([join(ROOT, "bench/gateway-child.mjs"), distIndex, dir], {});
}

/** Starts `node ...args`, reads its first stdout line as JSON; `stop()` closes its stdin and resolves when it has exited. */
async function startChild(args, extraEnv) {
  const child = spawn(NODE, args, { env: { ...ENV, ...extraEnv }, stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    let text = "";
    child.stdout.on("data", (c) => {
      text += c;
      if (text.includes("\n")) resolve(text.slice(0, text.indexOf("\n")));
    });
    child.on("exit", (code) => reject(new Error(`${args[0]} exited (${code})`)));
  });
  const exited = new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", resolve)));
  return { ...JSON.parse(line), pid: child.pid, stop: () => (child.stdin.end(), exited) };
}

/** Sends requests over `agent`; `send` resolves with ms to the first body chunk and to the end. */
function client(mod, base, agent, key) {
  const send = (method, path, body, onFirst) =>
    new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const headers = { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {}) };
      const req = mod.request(`${base}${path}`, { method, agent, headers }, (res) => {
        let first;
        res.on("data", () => {
          if (first === undefined) {
            first = Number(process.hrtime.bigint() - t0) / 1e6;
            onFirst?.();
          }
        });
        res.on("end", () => (res.statusCode === 200 ? resolve({ first, total: Number(process.hrtime.bigint() - t0) / 1e6 }) : reject(new Error(`${method} ${path}: ${res.statusCode}`))));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  return { send, agent };
}

/** Runs `measure(client)` PER_ROUND times per client per round, the clients' order rotating. */
async function rounds(measure) {
  const names = Object.keys(clients);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(r + j) % names.length];
      for (let i = 0; i < PER_ROUND; i++) samples[name].push(await measure(clients[name]));
    }
  }
  return samples;
}

/** Requests per second: `total` GETs with `concurrency` in flight. */
async function throughput(c, concurrency, total) {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < total) await c.send("GET", "/v1/models");
  }));
  return total / (Number(process.hrtime.bigint() - t0) / 1e9);
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
function med(xs) {
  return pct(xs, 50);
}
function ms(x) {
  return x.toFixed(3);
}
function signed(x) {
  return `${x < 0 ? "" : "+"}${ms(x)}`;
}
function hasTaskset() {
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
