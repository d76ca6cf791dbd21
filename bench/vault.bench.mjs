// `resolve` of 50 names from Vault (the vault source's getMany: one LIST, then one read per
// distinct key, at most `concurrency` at once) against 50 sequential reads (the same source's
// `get`, one after the other), on loopback against the Vault fake (test/fakes/vault.ts, bundled
// here with esbuild). Both with the source's cache off (cacheTtl: 0), through the built
// library's openConfiguredManager and a hush.yaml. Also with 2 ms added to every reply, a
// stand-in for a network round trip. Medians of interleaved rounds.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { interleave, printTable } from "./_measure.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "hush-bench-vault-"));
await build({ entryPoints: [join(ROOT, "test/fakes/vault.ts")], bundle: true, platform: "node", format: "esm", outfile: join(work, "vault-fake.mjs"), logLevel: "error" });
const { startVaultFake } = await import(pathToFileURL(join(work, "vault-fake.mjs")).href);
const { openConfiguredManager } = await import(pathToFileURL(join(ROOT, "dist/index.js")).href);

const N = 50;
const names = Array.from({ length: N }, (_, i) => `secret_${String(i).padStart(2, "0")}`);
const vault = await startVaultFake();
for (const n of names) vault.kv().write(`bench/${n}`, { data: { value: `value-of-${n}-${"x".repeat(40)}` } });
mkdirSync(join(work, ".secrets"), { mode: 0o700 });
writeFileSync(join(work, "hush.yaml"), `version: 1\naudit: off\nsources:\n  - type: vault\n    options: { address: "${vault.url}", path: bench, cacheTtl: 0, concurrency: 8 }\n`);
const { manager } = await openConfiguredManager({ cwd: work, env: { VAULT_TOKEN: vault.rootToken, HOME: work }, cache: false, onWarning: () => undefined });

async function resolveAll() {
  const t0 = process.hrtime.bigint();
  const r = await manager.resolve(names);
  if (Object.keys(r.secrets).length !== N || r.issues.length) throw new Error("resolve did not return every name");
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, ops: 1 };
}
async function sequential() {
  const t0 = process.hrtime.bigint();
  for (const n of names) if ((await manager.get(n)) === undefined) throw new Error(`no ${n}`);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, ops: 1 };
}

/** The limit: the same 50 reads as bare node:http GETs (keep-alive, 8 sockets), one after the other. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
const rawGet = (n) =>
  new Promise((resolve, reject) => {
    http.get(`${vault.url}/v1/secret/data/bench/${n}`, { agent, headers: { "x-vault-token": vault.rootToken } }, (res) => {
      res.resume();
      res.on("end", resolve);
    }).on("error", reject);
  });
async function rawSequential() {
  const t0 = process.hrtime.bigint();
  for (const n of names) await rawGet(n);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, ops: 1 };
}

const rows = [];
for (const delayMs of [0, 2]) {
  vault.server.alwaysFault = delayMs ? { delayMs } : undefined;
  const before = vault.server.requests.length;
  await resolveAll();
  const perResolve = vault.server.requests.slice(before);
  const shape = `${perResolve.filter((r) => r.query.get("list") === "true").length} LIST + ${perResolve.filter((r) => r.path.startsWith("/v1/secret/data/")).length} reads`;
  const result = await interleave({ resolve: resolveAll, sequential, raw: rawSequential }, { rounds: delayMs ? 9 : 21, warmup: 2 });
  const ms = (opsPerSecond) => (1000 / opsPerSecond).toFixed(1);
  rows.push([`${delayMs} ms`, `${ms(result.resolve)} ms (${shape})`, `${ms(result.sequential)} ms (${N} reads)`, `${(result.resolve / result.sequential).toFixed(1)}×`, `${ms(result.raw)} ms`]);
}
printTable(`resolve of ${N} names from Vault (fake on loopback; median per batch)`, ["added latency", "resolve (getMany)", "50 sequential gets", "speed-up", "50 bare node:http GETs, sequential"], rows);
agent.destroy();

await manager.dispose();
await vault.close();
rmSync(work, { recursive: true, force: true });
