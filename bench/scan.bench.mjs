#!/usr/bin/env node
// Scanner benchmark: hush scan now, hush scan before issue 17 (optional) and secretlint 13
// (+ @secretlint/secretlint-rule-preset-recommend), in one run, on the same files.
//
//   (a) speed: a ~80 MB tree of real source text copied from node_modules into
//       bench/.work/scan-tree (git-ignored); every tool runs as a CLI process; the tools take
//       turns round by round; the best wall time of N rounds, and the least CPU time.
//   (b) cost per rule: the detector bundled from src/scan/ (bench/_scan-cost.mjs), in this
//       process, over the same tree held in memory: what each rule adds to the pass, the
//       keyword automaton, and the managed-value pass with 0, 10 and 1,000 values.
//   (c) accuracy: bench/scan-corpus rendered into bench/.work/corpus with fresh fake keys
//       (built here from fragments, so no format-valid key is ever committed). The labelled
//       set of issue 17's classes, before and after, is bench/scan-accuracy.bench.mjs.
//
// Setup (once):  node scripts/build.mjs
//                cd bench && npm install        (secretlint 13 + preset, node@24)
//                hush before issue 17 (optional):
//                  git worktree add /tmp/hush-before b54a2ce && cd /tmp/hush-before \
//                    && cp -al <repo>/node_modules . && node scripts/build.mjs
// Run:           HUSH_BEFORE=/tmp/hush-before/dist node bench/scan.bench.mjs [--tree-mb 80] [--runs 3] [--cost-rounds 3]
//                  [--parts speed,cost,accuracy] [--no-cost]
import { spawnSync } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDetector, measureRuleCost } from "./_scan-cost.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BENCH = join(ROOT, "bench");
const WORK = join(BENCH, ".work");
const TREE = join(WORK, "scan-tree");
const CORPUS_SRC = join(BENCH, "scan-corpus");
const CORPUS = join(WORK, "corpus");
// A snapshot of dist/ taken at start: other work may rebuild dist/ while the benchmark runs.
const HUSH = join(WORK, "hush-dist", "cli.js");
const NODE24 = join(BENCH, "node_modules", "node", "bin", "node");
const SECRETLINT = join(BENCH, "node_modules", "secretlint", "bin", "secretlint.js");
const SECRETLINT_RC = JSON.stringify({ rules: [{ id: "@secretlint/secretlint-rule-preset-recommend" }] });

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const TREE_MB = arg("--tree-mb", 80);
const RUNS = arg("--runs", 3);
const COST_ROUNDS = arg("--cost-rounds", 3);
/** Which parts run: speed, cost, accuracy (all by default); --no-cost drops the cost part. */
const PARTS = (process.argv.includes("--parts") ? process.argv[process.argv.indexOf("--parts") + 1] : "speed,cost,accuracy").split(",").filter((p) => !(p === "cost" && process.argv.includes("--no-cost")));
/** dist/ of hush before issue 17 (commit b54a2ce), built in its own worktree; optional. */
const BEFORE = process.env.HUSH_BEFORE ? join(process.env.HUSH_BEFORE, "cli.js") : undefined;
if (BEFORE && !existsSync(BEFORE)) {
  console.error(`HUSH_BEFORE: no cli.js in ${process.env.HUSH_BEFORE}`);
  process.exit(2);
}

if (existsSync(join(ROOT, "dist", "cli.js"))) {
  rmSync(dirname(HUSH), { recursive: true, force: true });
  cpSync(join(ROOT, "dist"), dirname(HUSH), { recursive: true });
}
for (const [what, path] of [["hush build (node scripts/build.mjs)", HUSH], ["secretlint (see header)", SECRETLINT], ["node@24 (see header)", NODE24]]) {
  if (!existsSync(path)) {
    console.error(`missing ${what}: ${path}`);
    process.exit(2);
  }
}

// --- fake-secret generators (deterministic PRNG; prefixes assembled from fragments) ------

let seed = 0x9e3779b9;
const prng = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_NUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const B64URL = ALNUM + "_-";
const B64 = ALNUM + "+/";
const HEX = "0123456789abcdef";
function rand(alphabet, n) {
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(prng() * alphabet.length)];
  return s;
}
const j = (...parts) => parts.join("");
const b64url = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
function pem(type, crlf) {
  const { privateKey } = generateKeyPairSync(type, type === "rsa" ? { modulusLength: 2048 } : { namedCurve: "P-256" });
  const text = privateKey.export({ type: type === "rsa" ? "pkcs1" : "sec1", format: "pem" }).trimEnd();
  return crlf ? text.replace(/\n/g, "\r\n") : text;
}
/** Where each labelled line's generator is, for the "missed" column. */
const GEN_AT = new Map();
const GENERATORS = {
  openai_proj: () => j("sk", "-proj-", rand(B64URL, 74), "T3Blbk", "FJ", rand(B64URL, 74)),
  openai_legacy: () => j("sk", "-", rand(ALNUM, 20), "T3Blbk", "FJ", rand(ALNUM, 20)),
  anthropic: () => j("sk", "-ant-", "api03-", rand(B64URL, 93), "AA"),
  google: () => j("AI", "za", "Sy", rand(B64URL, 33)),
  mistral: () => rand(ALNUM, 32),
  xai: () => j("xa", "i-", rand(ALNUM, 80)),
  groq: () => j("gs", "k_", rand(ALNUM, 52)),
  huggingface: () => j("h", "f_", rand("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34)),
  aws_id: () => j("AK", "IA", rand("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)),
  aws_secret: () => rand(B64, 40),
  github_pat_classic: () => j("gh", "p_", rand(ALNUM, 36)),
  github_app_token: () => j("gh", "s_", rand(ALNUM, 36)),
  github_fine_grained: () => j("github", "_pat_", rand(ALNUM, 22), "_", rand(ALNUM, 59)),
  gitlab: () => j("gl", "pat-", rand(B64URL, 20)),
  slack_bot: () => j("xo", "xb-", rand("0123456789", 11), "-", rand("0123456789", 13), "-", rand(ALNUM, 24)),
  slack_webhook: () => j("https://hooks.", "slack.com/services/T", rand(UPPER_NUM, 8), "/B", rand(UPPER_NUM, 10), "/", rand(ALNUM, 24)),
  stripe_live: () => j("sk", "_live_", rand(ALNUM, 99)),
  stripe_restricted: () => j("rk", "_live_", rand(ALNUM, 99)),
  npm: () => j("np", "m_", rand(ALNUM, 36)),
  sendgrid: () => j("S", "G.", rand(B64URL, 22), ".", rand(B64URL, 43)),
  jwt: () => {
    const head = j(b64url({ alg: "HS256", typ: "JWT" }), ".", b64url({ sub: String(Math.floor(prng() * 1e9)), iat: 1763600000, role: "admin" }));
    return j(head, ".", createHmac("sha256", rand(ALNUM, 32)).update(head).digest("base64url"));
  },
  postgres_url: () => j("postgres", "://app_user:", rand(ALNUM, 20), "@db.internal.acme.io:5432/agents"),
  mysql_url: () => j("mysql", "://svc:", rand(ALNUM, 18), "@mysql-primary:3306/shop"),
  redis_url: () => j("rediss", "://default:", rand(ALNUM, 24), "@cache.acme.io:6380"),
  mongo_url: () => j("mongodb", "+srv://etl:", rand(ALNUM, 16), "@cluster0.ab1cd.mongodb.net/prod"),
  django_secret: () => j("django-insecure-", rand(ALNUM + "!@#%^&*(-_=+)", 50).replace(/["'\\]/g, "x")),
  generic_secret32: () => rand(ALNUM, 32),
  generic_token: () => rand(HEX, 40),
  password: () => j(rand(ALNUM, 6), "!", rand(ALNUM, 5)),
  pem_rsa: () => pem("rsa", false),
  crlf_block: () => pem("ec", true),
  pem_js_lines: () => pem("rsa", false).split("\n").join(`\\n" +\n  "`),
};

// --- (a) speed ---------------------------------------------------------------------------

const tree = buildTree(TREE_MB * 1e6);
console.log(`speed tree: ${tree.files} files, ${(tree.bytes / 1e6).toFixed(1)} MB of real source text (${relative(ROOT, TREE)})`);
// A project whose .env holds 10 values, so hush also runs its managed-value detector.
const PROJECT = join(WORK, "scan-project");
mkdirSync(PROJECT, { recursive: true });
writeFileSync(join(PROJECT, ".env"), Array.from({ length: 10 }, (_, i) => `BENCH_SECRET_${i}=${rand(ALNUM, 32)}`).join("\n") + "\n");

if (PARTS.includes("speed")) speedPart();

// --- (b) cost per rule -------------------------------------------------------------------

if (PARTS.includes("cost")) await ruleCost();

// --- (c) accuracy ------------------------------------------------------------------------

if (PARTS.includes("accuracy")) accuracyPart();

// --- internal ----------------------------------------------------------------------------

/** (a): every tool over the tree, in turns. */
function speedPart() {
  const hushArgs = (cli, node) => [node, [cli, "scan", "-C", PROJECT, "--no-gitignore", "--json", TREE]];
  const secretlintArgs = [NODE24, [SECRETLINT, "--no-gitignore", "--format", "json", "--secretlintrcJSON", SECRETLINT_RC, `${TREE}/**/*`]];
  const loadBefore = os.loadavg();
  const tools = [
    { tool: "hush scan now (node 20)", args: hushArgs(HUSH, process.execPath), count: countHush, runs: RUNS },
    { tool: "hush scan now (node 24)", args: hushArgs(HUSH, NODE24), count: countHush, runs: RUNS },
    ...(BEFORE ? [{ tool: "hush scan before issue 17 (node 20)", args: hushArgs(BEFORE, process.execPath), count: countHush, runs: RUNS }] : []),
    { tool: "secretlint 13 (node 24)", args: secretlintArgs, count: countSecretlint, runs: Math.max(1, RUNS - 1) },
  ];
  const speed = timeInTurns(tools);
  const sl = speed.at(-1);
  const mbps = (sec) => (tree.bytes / 1e6 / sec).toFixed(1);
  console.log(`\nload average before: ${loadBefore.map((l) => l.toFixed(1)).join(" ")}, after: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} (${os.cpus().length} CPUs)`);
  console.log("\n| tool | wall time (best) | MB/s wall | CPU time | MB/s CPU | findings on the tree | speed-up vs secretlint (wall / CPU) |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const s of speed) console.log(`| ${s.tool} | ${s.seconds.toFixed(2)} s | ${mbps(s.seconds)} | ${s.cpu.toFixed(2)} s | ${mbps(s.cpu)} | ${s.findings} | ${(sl.seconds / s.seconds).toFixed(1)}x / ${(sl.cpu / s.cpu).toFixed(1)}x |`);
  console.log(`\ngoal: hush now >= 5x secretlint's MB/s: ${(sl.seconds / speed[0].seconds).toFixed(1)}x wall, ${(sl.cpu / speed[0].cpu).toFixed(1)}x CPU (node 20)`);
}

/** (c): the corpus of bench/scan-corpus, rendered with fresh fakes. */
function accuracyPart() {
  const labels = renderCorpus();
  const planted = [...labels.values()].reduce((n, s) => n + s.size, 0);
  const hushFound = linesOf(run(process.execPath, [HUSH, "scan", "-C", CORPUS, "--no-managed", "--json", "."], CORPUS), "hush");
  const beforeFound = BEFORE ? linesOf(run(process.execPath, [BEFORE, "scan", "-C", CORPUS, "--no-managed", "--json", "."], CORPUS), "hush") : undefined;
  const slFound = linesOf(run(NODE24, [SECRETLINT, "--no-gitignore", "--format", "json", "--secretlintrcJSON", SECRETLINT_RC, `${CORPUS}/**/*`], BENCH), "secretlint");
  console.log(`\naccuracy corpus: ${labels.size} positive files with ${planted} planted secrets, ${countFiles(join(CORPUS, "negative"))} negative files (${relative(ROOT, CORPUS)})`);
  console.log("\n| tool | true positives | recall | false positives | missed |\n| --- | ---: | ---: | ---: | --- |");
  for (const [tool, found] of [["hush scan now", hushFound], ...(beforeFound ? [["hush scan before issue 17", beforeFound]] : []), ["secretlint 13", slFound]]) {
    const { tp, fp, missed, fpList } = score(found, labels);
    console.log(`| ${tool} | ${tp}/${planted} | ${((100 * tp) / planted).toFixed(0)}% | ${fp} | ${missed.join(", ") || "-"} |`);
    if (fpList.length) console.log(`|   false positives of ${tool}: ${fpList.join(", ")} | | | | |`);
  }
}

function buildTree(targetBytes) {
  const marker = join(TREE, ".bench-tree.json");
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, "utf8"));
    if (m.target === targetBytes) return m;
  }
  rmSync(TREE, { recursive: true, force: true });
  // Installed packages: the project's, the bench tools' and npm's own.
  const sources = [join(ROOT, "node_modules"), join(BENCH, "node_modules"), "/usr/lib/node_modules/npm"].filter((d) => existsSync(d));
  const files = [];
  const walk = (src, dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(src, p);
      else if (e.isFile() && /\.(?:[cm]?js|ts|json|md|ya?ml|txt)$/.test(e.name) && !/\.min\.js$/.test(e.name)) files.push([src, p]);
    }
  };
  for (const src of sources) walk(src, src);
  let bytes = 0;
  let count = 0;
  for (const [src, f] of files) {
    if (bytes >= targetBytes) break;
    const size = statSync(f).size;
    if (size > 4e6) continue;
    const to = join(TREE, String(sources.indexOf(src)), relative(src, f));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(f, to);
    bytes += size;
    count++;
  }
  const m = { target: targetBytes, files: count, bytes };
  writeFileSync(marker, JSON.stringify(m));
  return m;
}

/**
 * Every tool's rounds, in turns (round 1 of each tool, then round 2, ...), so a change in the
 * machine's load falls on every tool alike. Best wall time, with the CPU time (user + sys, from
 * /usr/bin/time) of that round and the least CPU time of any round: on a shared machine CPU
 * time is the steadier figure.
 */
function timeInTurns(tools) {
  const best = tools.map((t) => ({ tool: t.tool, seconds: Infinity, cpu: Infinity, findings: 0 }));
  const rounds = Math.max(...tools.map((t) => t.runs));
  for (let r = 0; r < rounds; r++) {
    tools.forEach((t, i) => {
      if (r >= t.runs) return;
      const { out, seconds, cpu } = timed(...t.args, BENCH);
      if (seconds < best[i].seconds) best[i].seconds = seconds;
      if (cpu < best[i].cpu) best[i].cpu = cpu;
      best[i].findings = t.count(out);
    });
  }
  return best;
}

/** (b): the detector of src/scan/ over the tree's texts in memory. */
async function ruleCost() {
  const texts = readTree(TREE);
  const mb = texts.reduce((n, t) => n + t.length, 0) / 1e6;
  const mod = await loadDetector(ROOT, join(WORK, "detector-now.mjs"));
  const r = measureRuleCost(mod, texts, { rounds: COST_ROUNDS });
  const ms = (x) => `${x.toFixed(0)} ms`;
  console.log(`\ncost per rule: the detector of src/scan/ in this process, ${texts.length} texts, ${mb.toFixed(1)} M characters in memory, median CPU of ${COST_ROUNDS} rounds (wall beside it)`);
  console.log(`\n| pass | CPU | wall | M chars/s (CPU) | findings |\n| --- | ---: | ---: | ---: | ---: |`);
  const row = (name, f) => console.log(`| ${name} | ${ms(f.cpu)} | ${ms(f.wall)} | ${(mb / (f.cpu / 1000)).toFixed(0)} | ${f.findings} |`);
  row("loop only (no rule, no managed value)", r.empty);
  row(`keyword automaton (${r.keywordCount} keywords; a rule whose keyword never occurs)`, r.keywords);
  row(`all ${r.rules.length} rules`, r.all);
  for (const m of r.managed) row(`all rules + ${m.n} managed values`, m.all);
  const sum = r.rules.reduce((n, x) => n + x.cpu, 0);
  console.log(`\nsum of the rules' own work (below): ${ms(sum)}; all rules minus the keyword automaton, by subtraction: ${ms(r.all.cpu - r.keywords.cpu)}`);
  console.log(`managed-value pass alone (one pass, whatever the number of values): ${r.managed.map((m) => `${m.n} values ${ms(m.pass)}`).join(", ")}`);
  console.log(`\n| rule | own CPU | share | keywords | keyword hits (regex runs) | files with a keyword | matches accepted |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |`);
  for (const x of r.rules) console.log(`| ${x.id} | ${x.cpu.toFixed(1)} ms | ${((100 * x.cpu) / sum).toFixed(1)}% | ${x.keywords}${x.anchored ? "" : " (whole text)"} | ${x.hits} | ${x.files} | ${x.findings} |`);
}

/** Every file of the tree as text, as the scanner would decode it. */
function readTree(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...readTree(p));
    else if (e.isFile() && e.name !== ".bench-tree.json") out.push(readFileSync(p, "utf8"));
  }
  return out;
}

function timed(cmd, args, cwd) {
  const stats = join(WORK, "time.txt");
  const t = process.hrtime.bigint();
  const out = existsSync("/usr/bin/time") ? run("/usr/bin/time", ["-f", "%U %S", "-o", stats, cmd, ...args], cwd) : run(cmd, args, cwd);
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const cpu = existsSync("/usr/bin/time") ? readFileSync(stats, "utf8").trim().split("\n").pop().split(" ").reduce((a, b) => a + Number(b), 0) : NaN;
  return { out, seconds, cpu };
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, maxBuffer: 512 * 1024 * 1024, encoding: "utf8" });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args[0]} exited ${r.status}: ${r.stderr.slice(0, 500)}`);
  return r.stdout;
}

function countHush(out) {
  return JSON.parse(out).findings.length;
}

function countSecretlint(out) {
  return JSON.parse(out || "[]").reduce((n, f) => n + f.messages.length, 0);
}

/** "relpath:line" of every finding of either tool. */
function linesOf(out, tool) {
  if (tool === "hush") return JSON.parse(out).findings.map((f) => `${f.path}:${f.line}`);
  return JSON.parse(out || "[]").flatMap((f) => f.messages.map((m) => `${relative(CORPUS, f.filePath)}:${m.loc.start.line}`));
}

function score(found, labels) {
  const hit = new Set();
  const fpList = [];
  for (const key of new Set(found)) {
    const i = key.lastIndexOf(":");
    const [file, line] = [key.slice(0, i), Number(key.slice(i + 1))];
    if (labels.get(file)?.has(line)) hit.add(key);
    else fpList.push(key);
  }
  const missed = [...labels].flatMap(([file, lines]) => [...lines].filter((l) => !hit.has(`${file}:${l}`)).map((l) => `${file}:${l}(${GEN_AT.get(`${file}:${l}`)})`));
  return { tp: hit.size, fp: fpList.length, missed, fpList };
}

function countFiles(dir) {
  return readdirSync(dir).length;
}

/** Renders the templates; returns file -> labelled line numbers. */
function renderCorpus() {
  rmSync(CORPUS, { recursive: true, force: true });
  cpSync(join(CORPUS_SRC, "negative"), join(CORPUS, "negative"), { recursive: true });
  const labels = new Map();
  for (const name of readdirSync(join(CORPUS_SRC, "positive"))) {
    const template = readFileSync(join(CORPUS_SRC, "positive", name), "utf8");
    let out = "";
    let last = 0;
    const lines = new Set();
    for (const m of template.matchAll(/\{\{(\w+)\}\}/g)) {
      out += template.slice(last, m.index);
      const line = out.split("\n").length;
      lines.add(line);
      GEN_AT.set(`positive/${name}:${line}`, m[1]);
      out += GENERATORS[m[1]]();
      last = m.index + m[0].length;
    }
    out += template.slice(last);
    const file = join(CORPUS, "positive", name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, name.includes(".utf16.") ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(out, "utf16le")]) : out);
    labels.set(`positive/${name}`, lines);
  }
  return labels;
}
