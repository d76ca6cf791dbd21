// Benchmark of `hush run -- node -e 0` by key provider (issue 13: "hush run with the user
// provider costs the same as with file"): the same 50-secret store, the same hush.yaml
// (`version: 1` + `project:`), the key
//   file  in .secrets/.encryption.key (the key file present: the default rule picks file)
//   user  in $XDG_CONFIG_HOME/hush/keys/<project>/dev.key (no key file in .secrets/)
//   env   in HUSH_KEY_DEV (hush.yaml: keys: { dev: { provider: env } })
// against bare `node -e 0`, interleaved round by round, medians, NODE_EXTRA_CA_CERTS unset.
//
// With HUSH_BASELINE_DIST=<folder holding an older dist/>, that build runs the file project too
// ("file (baseline build)"), to judge the change before/after in the same run.
//
// Usage: node scripts/build.mjs && node bench/keys.bench.mjs [rounds]
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./_measure.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ROUNDS = Math.max(20, Number(process.argv[2] ?? 20));
const NODE = process.execPath;
const WORK = join(ROOT, "bench/.work/keys");
const DIST = join(WORK, "dist");
const CLI = join(DIST, "cli.js");
if (!existsSync(join(ROOT, "dist/cli.js"))) throw new Error("dist/cli.js is missing: run `node scripts/build.mjs` first");
rmSync(WORK, { recursive: true, force: true });
cpSync(join(ROOT, "dist"), DIST, { recursive: true });
writeFileSync(join(WORK, "package.json"), '{ "type": "module" }\n');

const CONFIG_HOME = join(WORK, "config");
const ENV = { ...process.env, XDG_CONFIG_HOME: CONFIG_HOME };
delete ENV.NODE_EXTRA_CA_CERTS;
delete ENV.NODE_OPTIONS;
const PROJECT = "bench-keys-0001";
const { createLocalSource } = await import(join(DIST, "index.js"));

// The file project: store and key in .secrets/.
const fileDir = join(WORK, "file");
mkdirSync(fileDir, { recursive: true });
const local = createLocalSource({ secretsDir: join(fileDir, ".secrets"), onWarning: () => {} });
const secrets = Array.from({ length: 50 }, (_, i) => [`secret_${String(i).padStart(4, "0")}`, `v${i}-${randomBytes(24).toString("base64url")}`]);
for (const [n, v] of secrets) await local.set(n, v);
await local.dispose();
writeFileSync(join(fileDir, "hush.yaml"), `version: 1\nproject: ${PROJECT}\n`);
const keyText = readFileSync(join(fileDir, ".secrets/.encryption.key"), "utf8").trim();

// The user project: the same store, its key moved to the config folder.
const userDir = join(WORK, "user");
cpSync(fileDir, userDir, { recursive: true });
mkdirSync(join(CONFIG_HOME, "hush/keys", PROJECT), { recursive: true, mode: 0o700 });
renameSync(join(userDir, ".secrets/.encryption.key"), join(CONFIG_HOME, "hush/keys", PROJECT, "dev.key"));

// The env project: the same store, the key in HUSH_KEY_DEV.
const envDir = join(WORK, "env");
cpSync(fileDir, envDir, { recursive: true });
rmSync(join(envDir, ".secrets/.encryption.key"));
writeFileSync(join(envDir, "hush.yaml"), `version: 1\nproject: ${PROJECT}\nkeys:\n  dev: { provider: env }\n`);

// The file project without hush.yaml, which an older build (HUSH_BASELINE_DIST) also reads.
const plainDir = join(WORK, "plain");
cpSync(fileDir, plainDir, { recursive: true });
rmSync(join(plainDir, "hush.yaml"));

const [probeName, probeValue] = secrets[49];
const probe = `process.exit(process.env.${probeName.toUpperCase()} === ${JSON.stringify(probeValue)} ? 0 : 9)`;
const commands = {
  bare: { cwd: fileDir, args: ["-e", "0"] },
  file: { cwd: fileDir, args: [CLI, "run", "--", NODE, "-e", "0"] },
  user: { cwd: userDir, args: [CLI, "run", "--", NODE, "-e", "0"] },
  env: { cwd: envDir, args: [CLI, "run", "--", NODE, "-e", "0"], env: { HUSH_KEY_DEV: keyText } },
  ...(process.env.HUSH_BASELINE_DIST
    ? {
        "file, no hush.yaml": { cwd: plainDir, args: [CLI, "run", "--", NODE, "-e", "0"] },
        "file, no hush.yaml (baseline build)": { cwd: plainDir, args: [join(process.env.HUSH_BASELINE_DIST, "dist/cli.js"), "run", "--", NODE, "-e", "0"] },
      }
    : {}),
};
for (const [label, c] of Object.entries(commands)) {
  if (label === "bare") continue;
  const r = spawnSync(NODE, [...c.args.slice(0, 3), NODE, "-e", probe], { cwd: c.cwd, env: { ...ENV, ...c.env }, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${label} did not inject ${probeName} (exit ${r.status}): ${r.stderr}`);
}

const labels = Object.keys(commands);
const times = Object.fromEntries(labels.map((k) => [k, []]));
for (let round = -1; round < ROUNDS; round++) {
  const order = labels.map((_, i) => labels[(i + Math.max(round, 0)) % labels.length]);
  for (const label of order) {
    const c = commands[label];
    const start = performance.now();
    const r = spawnSync(NODE, c.args, { cwd: c.cwd, env: { ...ENV, ...c.env }, stdio: "ignore" });
    const ms = performance.now() - start;
    if (r.status !== 0) throw new Error(`${label} exited ${r.status}`);
    if (round >= 0) times[label].push(ms);
  }
}
const med = Object.fromEntries(labels.map((l) => [l, median(times[l])]));
console.log(`hush run by key provider: node ${process.version}, 50 secrets, ${ROUNDS} rounds interleaved, medians (ms)\n`);
console.log("| key provider | median ms | × bare | × file |");
console.log("| --- | ---: | ---: | ---: |");
for (const l of labels) console.log(`| ${l} | ${med[l].toFixed(1)} | ${(med[l] / med.bare).toFixed(2)} | ${(med[l] / med.file).toFixed(2)} |`);
console.log(`\nuser / file = ${(med.user / med.file).toFixed(3)} (goal: the same, within noise)`);
rmSync(WORK, { recursive: true, force: true });
