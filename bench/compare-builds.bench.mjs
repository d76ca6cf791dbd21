// `hush run -- node -e 0` of several hush builds, interleaved round by round in one project of 50
// secrets, medians, beside a bare `node -e 0`: to judge a change before/after in the same run.
// NODE_EXTRA_CA_CERTS is unset for every start.
//
// Usage: node bench/compare-builds.bench.mjs [rounds] label=path/to/dist/cli.js ...
//   e.g. node bench/compare-builds.bench.mjs 40 before=/tmp/old/dist/cli.js now=dist/cli.js
// (each dist/ needs a package.json with "type": "module" beside it, as the repository has.)
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";

const ROUNDS = Math.max(10, Number(process.argv[2] ?? 40));
const builds = Object.fromEntries(process.argv.slice(3).map((a) => [a.slice(0, a.indexOf("=")), resolve(a.slice(a.indexOf("=") + 1))]));
if (Object.keys(builds).length === 0) throw new Error("name at least one build: label=path/to/dist/cli.js");
const env = { PATH: process.env.PATH, HOME: mkdtempSync(join(tmpdir(), "hush-cmp-home-")) };
const dir = mkdtempSync(join(tmpdir(), "hush-cmp-"));
const first = Object.values(builds)[0];
for (let i = 0; i < 50; i++) execFileSync(process.execPath, [first, "set", `secret_${i}`], { cwd: dir, env, input: randomBytes(24).toString("base64url"), stdio: ["pipe", "ignore", "ignore"] });

const labels = [...Object.keys(builds), "bare node -e 0"];
const times = Object.fromEntries(labels.map((l) => [l, []]));
for (let round = -2; round < ROUNDS; round++) {
  // Rotate the order each round; the first two rounds warm the disk cache and are not counted.
  for (const label of labels.map((_, i) => labels[(i + Math.max(round, 0)) % labels.length])) {
    const args = builds[label] ? [builds[label], "run", "--", process.execPath, "-e", "0"] : ["-e", "0"];
    const start = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: dir, env, stdio: "ignore" });
    if (r.status !== 0) throw new Error(`${label} exited ${r.status}`);
    if (round >= 0) times[label].push(performance.now() - start);
  }
}
console.log(`hush run -- node -e 0, 50 secrets, ${ROUNDS} rounds interleaved, node ${process.version}: medians`);
for (const l of labels) console.log(`| ${l} | ${median(times[l]).toFixed(1)} ms |`);
rmSync(dir, { recursive: true, force: true });
rmSync(env.HOME, { recursive: true, force: true });

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
