// Benchmark of `hush run -- node -e 0` (issue 3) against three baselines measured in the same
// run, interleaved round by round, medians over >= 20 rounds, NODE_EXTRA_CA_CERTS unset:
//   bare     node -e 0
//   wrapper  node bench/minimal-wrapper.mjs .secrets node -e 0   (reads the key, decrypts the
//            same store file with node:crypto, spawns: the practical floor)
//   hush     node dist/cli.js run -- node -e 0   (default: best-effort audit trail on)
//   hush (audit off)  the same with `audit: off` in hush.yaml
//   dotenvx  node .../dotenvx.js run -f .env -- node -e 0  (dotenvx's own encrypted .env)
// with a local store of 50 secrets, then 1,000. With HUSH_BASELINE_DIST=<folder holding an
// older dist/> the older build runs too, interleaved ("hush (baseline build)"), so a change is
// judged before/after in the same run.
//
// Usage: node scripts/build.mjs && (cd bench && npm install) && node bench/run.bench.mjs [rounds] [sizes]
//   e.g. node bench/run.bench.mjs 20 50,1000
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ROUNDS = Math.max(20, Number(process.argv[2] ?? 20));
const SIZES = (process.argv[3] ?? "50,1000").split(",").map(Number);
const NODE = process.execPath;
// A snapshot of dist/ (as built by scripts/build.mjs), so a rebuild during the run cannot
// pull files from under it; a package.json beside it makes its .js files ES modules, as in dist/.
const DIST = join(ROOT, "bench/.work/run-dist/dist");
const CLI = join(DIST, "cli.js");
const WRAPPER = join(ROOT, "bench/minimal-wrapper.mjs");
const DOTENVX = join(ROOT, "bench/node_modules/@dotenvx/dotenvx/src/cli/dotenvx.js");

if (!existsSync(join(ROOT, "dist/cli.js"))) throw new Error("dist/cli.js is missing: run `node scripts/build.mjs` first");
rmSync(join(DIST, ".."), { recursive: true, force: true });
cpSync(join(ROOT, "dist"), DIST, { recursive: true });
writeFileSync(join(DIST, "../package.json"), '{ "type": "module" }\n');
if (!existsSync(DOTENVX)) throw new Error("dotenvx is missing: run `cd bench && npm install` first");

// Every command gets this environment: no NODE_EXTRA_CA_CERTS (it costs every node start-up
// a certificate parse), and none of the benchmark's secrets.
const ENV = { ...process.env };
delete ENV.NODE_EXTRA_CA_CERTS;
delete ENV.NODE_OPTIONS;

const BASELINE = process.env.HUSH_BASELINE_DIST;
const BASELINE_CLI = BASELINE ? join(BASELINE, "dist/cli.js") : undefined;
if (BASELINE_CLI && !existsSync(BASELINE_CLI)) throw new Error(`HUSH_BASELINE_DIST: ${BASELINE_CLI} is missing`);

const { createLocalSource } = await import(join(DIST, "index.js"));

console.log(`hush run benchmark: node ${process.version}, ${ROUNDS} rounds interleaved, medians (ms)\n`);
for (const size of SIZES) await benchSize(size);

async function benchSize(size) {
  const dir = join(ROOT, "bench/.work", `run-${size}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const secrets = Array.from({ length: size }, (_, i) => [`secret_${String(i).padStart(4, "0")}`, `v${i}-${randomBytes(24).toString("base64url")}`]);

  // hush and the wrapper work in hush/ (the store in hush/.secrets, no .env there: hush would
  // read it too), dotenvx in dotenvx/ (its own encrypted .env and .env.keys).
  const hushDir = join(dir, "hush");
  const dotenvxDir = join(dir, "dotenvx");
  mkdirSync(hushDir);
  mkdirSync(dotenvxDir);
  // The store, written through the library (the code `hush set` runs).
  const local = createLocalSource({ secretsDir: join(hushDir, ".secrets"), environment: "dev", onWarning: () => {} });
  for (const [name, value] of secrets) await local.set(name, value);
  await local.dispose();
  writeFileSync(join(dotenvxDir, ".env"), secrets.map(([n, v]) => `${n.toUpperCase()}=${v}`).join("\n") + "\n");
  execFileSync(NODE, [DOTENVX, "encrypt", "-f", ".env"], { cwd: dotenvxDir, env: ENV, stdio: "ignore" });

  // The same store in a project whose hush.yaml turns the audit trail off, to show its cost.
  const quietDir = join(dir, "hush-audit-off");
  cpSync(join(hushDir, ".secrets"), join(quietDir, ".secrets"), { recursive: true });
  // Node 24's cpSync creates the copied folder 0755 (Node 20 keeps 0700); hush refuses that.
  chmodSync(join(quietDir, ".secrets"), 0o700);
  writeFileSync(join(quietDir, "hush.yaml"), "version: 1\naudit: off\n");

  const [probeName, probeValue] = secrets[size - 1];
  const probe = `process.exit(process.env.${probeName.toUpperCase()} === ${JSON.stringify(probeValue)} ? 0 : 9)`;
  const commands = {
    bare: { cwd: hushDir, args: ["-e", "0"] },
    wrapper: { cwd: hushDir, args: [WRAPPER, ".secrets", NODE, "-e", "0"], check: [WRAPPER, ".secrets", NODE, "-e", probe] },
    hush: { cwd: hushDir, args: [CLI, "run", "--", NODE, "-e", "0"], check: [CLI, "run", "--", NODE, "-e", probe] },
    "hush (audit off)": { cwd: quietDir, args: [CLI, "run", "--", NODE, "-e", "0"], check: [CLI, "run", "--", NODE, "-e", probe] },
    ...(BASELINE_CLI ? { "hush (baseline build)": { cwd: hushDir, args: [BASELINE_CLI, "run", "--", NODE, "-e", "0"], check: [BASELINE_CLI, "run", "--", NODE, "-e", probe] } } : {}),
    dotenvx: { cwd: dotenvxDir, args: [DOTENVX, "run", "-q", "-f", ".env", "--", NODE, "-e", "0"], check: [DOTENVX, "run", "-q", "-f", ".env", "--", NODE, "-e", probe] },
  };

  // Each command must really hand the child the secrets before it is timed.
  for (const [label, c] of Object.entries(commands)) {
    if (!c.check) continue;
    const r = spawnSync(NODE, c.check, { cwd: c.cwd, env: ENV, stdio: ["ignore", "ignore", "pipe"] });
    if (r.status !== 0) throw new Error(`${label} did not inject ${probeName} (exit ${r.status}): ${r.stderr}`);
  }

  const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  const labels = Object.keys(commands);
  for (let round = -1; round < ROUNDS; round++) {
    // Rotate the order each round so no command always runs right after the same one.
    const order = labels.map((_, i) => labels[(i + Math.max(round, 0)) % labels.length]);
    for (const label of order) {
      const c = commands[label];
      const start = performance.now();
      const r = spawnSync(NODE, c.args, { cwd: c.cwd, env: ENV, stdio: "ignore" });
      const ms = performance.now() - start;
      if (r.status !== 0) throw new Error(`${label} exited ${r.status}`);
      if (round >= 0) times[label].push(ms); // round -1 is a warm-up (disk cache)
    }
  }

  const med = Object.fromEntries(labels.map((l) => [l, median(times[l])]));
  console.log(`${size} secrets`);
  console.log("| command | median ms | × bare | × wrapper |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const l of labels) console.log(`| ${l} | ${med[l].toFixed(1)} | ${(med[l] / med.bare).toFixed(2)} | ${(med[l] / med.wrapper).toFixed(2)} |`);
  const hushVsWrapper = med.hush / med.wrapper;
  const dotenvxVsHush = med.dotenvx / med.hush;
  console.log(`\nhush / wrapper = ${hushVsWrapper.toFixed(3)} (target <= 1.15: ${hushVsWrapper <= 1.15 ? "met" : "NOT met"})`);
  console.log(`dotenvx / hush = ${dotenvxVsHush.toFixed(1)}x (target >= 15: ${dotenvxVsHush >= 15 ? "met" : "NOT met"})\n`);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
