// Cached `get` throughput vs a `process.env` read and a `Map.get`, with 50 and 1,000
// variables, interleaved in one run. Run: npm run build && node bench/get.bench.mjs
import { createSecretsManager, createEnvSource } from "../dist/index.js";
import { fmt, interleave, printTable } from "./_measure.mjs";

const N = 1_000_000;
const rows = [];
for (const count of [50, 1000]) {
  const names = Array.from({ length: count }, (_, i) => `bench_secret_${i}`);
  for (const n of names) process.env[n.toUpperCase()] = `value-${n}`;
  const map = new Map(names.map((n) => [n, `value-${n}`]));
  // The manager over an in-memory env object: the cached path is the same for every source.
  const env = Object.fromEntries(names.map((n) => [n.toUpperCase(), `value-${n}`]));
  const hush = createSecretsManager({ sources: [createEnvSource({ env })], cacheTtlMs: Infinity, onWarning: () => {} });
  for (const n of names) await hush.get(n);
  const upper = names.map((n) => n.toUpperCase());
  let sink = 0;
  const r = await interleave({
    processEnv: () => { const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) sink += process.env[upper[i % count]].length; return { seconds: Number(process.hrtime.bigint() - t) / 1e9, ops: N }; },
    mapGet: () => { const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) sink += map.get(names[i % count]).length; return { seconds: Number(process.hrtime.bigint() - t) / 1e9, ops: N }; },
    hushGetCached: () => { const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) sink += hush.getCached(names[i % count]).length; return { seconds: Number(process.hrtime.bigint() - t) / 1e9, ops: N }; },
    hushGetAwait: async () => { const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) sink += (await hush.get(names[i % count])).length; return { seconds: Number(process.hrtime.bigint() - t) / 1e9, ops: N }; },
  }, { rounds: 11, warmup: 2 });
  rows.push([String(count), fmt(r.processEnv), fmt(r.mapGet), fmt(r.hushGetCached), `${(r.hushGetCached / r.processEnv).toFixed(1)}x`, fmt(r.hushGetAwait), `${(r.hushGetAwait / r.processEnv).toFixed(1)}x`]);
  for (const n of names) delete process.env[n.toUpperCase()];
  if (sink === 42) console.log("");
}
printTable(`Reads per second, medians of 11 interleaved rounds of ${N / 1e6}M reads (node ${process.version}; goal: hush cached get >= 10x process.env)`, ["variables", "process.env", "Map.get", "hush getCached", "vs process.env", "await hush.get", "vs process.env"], rows);
