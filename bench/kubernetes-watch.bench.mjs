// `hush run --watch` on the kubernetes source in API mode: the time from a change of the Secret
// (written to the fake API server, test/fakes/kubernetes.ts bundled here with esbuild) to the
// restarted child's first line, through the built CLI and the real @kubernetes/client-node.
//   watch:   the Kubernetes watch API (the default; cacheTtl left at 60 s, it does not matter)
//   polling: the same run with RBAC denying `watch`, so the source reads the Secret every 2 s
//            with the cache off: the old behaviour (`hush run --watch` polled API mode every 2 s)
//            at its best; with the default 60 s cache the old poll saw a change up to 60 s late.
// Each change comes a random 0-2 s after the child started, so the polling phase is sampled
// evenly. Both runs are up at once and changed in turn (interleaved). A second table times the
// source alone (the built library's createKubernetesSource: change -> `watch` callback), which
// leaves out hush run's restart (stopping the child, resolving, starting node). Usage:
//   npm run build && node bench/kubernetes-watch.bench.mjs [changes per mode, default 10]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { median, printTable } from "./_measure.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CHANGES = Number(process.argv[2] ?? 10);
const work = mkdtempSync(join(tmpdir(), "hush-bench-k8s-watch-"));
await build({ entryPoints: { "k8s-fake": join(ROOT, "test/fakes/kubernetes.ts"), "tls-cert": join(ROOT, "test/helpers/tls-cert.ts") }, bundle: true, platform: "node", format: "esm", outdir: work, logLevel: "error" });
const { startKubernetesFake } = await import(pathToFileURL(join(work, "k8s-fake.js")).href);
const { makeSelfSignedCert } = await import(pathToFileURL(join(work, "tls-cert.js")).href);

const TLS = makeSelfSignedCert();
const fake = await startKubernetesFake({ tls: TLS, tokens: ["t"] });
writeFileSync(join(work, "token"), "t");
writeFileSync(join(work, "ca.crt"), TLS.cert);
const CHILD = join(work, "child.mjs");
writeFileSync(CHILD, "process.on('SIGTERM', () => process.exit(0));\nconsole.log(`started ${process.env.BENCH_VALUE}`);\nsetInterval(() => {}, 1 << 30);\n");

/** One `hush run --watch` on Secret `secret`; `next(value)` changes it and resolves with the ms until the child printed it. */
function startRun(name, secret, extra) {
  const dir = mkdtempSync(join(work, `${name}-`));
  const options = `server: "${fake.url}", tokenFile: ${join(work, "token")}, caFile: ${join(work, "ca.crt")}, namespace: bench, secret: ${secret}${extra}`;
  writeFileSync(join(dir, "hush.yaml"), `version: 1\naudit: off\nsources:\n  - type: kubernetes\n    options: { ${options} }\n`);
  fake.put("bench", secret, { BENCH_VALUE: `${name}-0` });
  const env = { PATH: process.env.PATH, HOME: dir };
  const child = spawn(process.execPath, [join(ROOT, "dist/cli.js"), "run", "--watch", "--", process.execPath, CHILD], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  const waiters = new Map();
  let buffered = "";
  child.stdout.on("data", (chunk) => {
    buffered += chunk;
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      waiters.get(line.replace(/^started /, ""))?.(performance.now());
    }
  });
  let stderr = "";
  child.stderr.on("data", (c) => (stderr += c));
  const seen = (value) => new Promise((resolve) => waiters.set(value, resolve));
  return {
    ready: seen(`${name}-0`),
    async next(i) {
      const value = `${name}-${i}`;
      const printed = seen(value);
      const t0 = performance.now();
      fake.put("bench", secret, { BENCH_VALUE: value });
      return (await printed) - t0;
    },
    stop: () => new Promise((resolve) => (child.on("close", resolve), child.kill("SIGTERM"))),
    stderr: () => stderr,
  };
}

fake.deny("watch", "polled");
const runs = { watch: startRun("watch", "watched", ""), polling: startRun("polling", "polled", ", watchInterval: 2s, cacheTtl: 0") };
await Promise.all(Object.values(runs).map((r) => r.ready));
await new Promise((r) => setTimeout(r, 1000)); // both runs follow their Secret (stream open / first read done)
const samples = { watch: [], polling: [] };
for (let i = 1; i <= CHANGES; i++) {
  for (const [mode, run] of Object.entries(runs)) {
    await new Promise((r) => setTimeout(r, Math.random() * 2000));
    samples[mode].push(await run.next(i));
  }
}
if (!/Falling back to reading secrets\/polled every 2 s/.test(runs.polling.stderr())) throw new Error("the polling run did not fall back as expected");
if (/RBAC|watching/.test(runs.watch.stderr())) throw new Error("the watch run did not watch");
await Promise.all(Object.values(runs).map((r) => r.stop()));

// The source alone: change -> the watch callback.
const { createKubernetesSource } = await import(pathToFileURL(join(ROOT, "dist/index.js")).href);
const sourceOptions = { server: fake.url, tokenFile: join(work, "token"), caFile: join(work, "ca.crt"), namespace: "bench", watchIntervalMs: 2000, onWarning: () => undefined };
const callbacks = { watch: [], polling: [] };
for (const [mode, secret] of [["watch", "watched"], ["polling", "polled"]]) {
  const source = createKubernetesSource({ ...sourceOptions, secret });
  let notify = () => undefined;
  const baseline = new Promise((r) => (notify = r));
  const stop = source.watch(() => notify());
  await baseline; // the first read is reported once: the source follows the Secret from here
  for (let i = 1; i <= CHANGES; i++) {
    await new Promise((r) => setTimeout(r, Math.random() * 2000));
    const heard = new Promise((r) => (notify = () => r(performance.now())));
    const t0 = performance.now();
    fake.put("bench", secret, { BENCH_VALUE: `${mode}-source-${i}` });
    callbacks[mode].push((await heard) - t0);
  }
  stop();
  await source.dispose();
}
await fake.close();
rmSync(work, { recursive: true, force: true });

const fmt = (ms) => `${ms.toFixed(0)} ms`;
printTable(`hush run --watch, kubernetes API mode: change -> restarted child's first line (${CHANGES} changes each)`, ["mode", "median", "min", "max"], Object.entries(samples).map(([mode, xs]) => [mode, fmt(median(xs)), fmt(Math.min(...xs)), fmt(Math.max(...xs))]));
printTable(`the source alone: change -> watch callback (${CHANGES} changes each)`, ["mode", "median", "min", "max"], Object.entries(callbacks).map(([mode, xs]) => [mode, `${median(xs).toFixed(1)} ms`, `${Math.min(...xs).toFixed(1)} ms`, `${Math.max(...xs).toFixed(1)} ms`]));
console.log(`\nhush run --watch: watch is ${(median(samples.polling) / median(samples.watch)).toFixed(1)}x quicker than polling every 2 s (median); the source alone: ${(median(callbacks.polling) / median(callbacks.watch)).toFixed(0)}x.`);
