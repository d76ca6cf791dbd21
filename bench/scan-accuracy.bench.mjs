#!/usr/bin/env node
// Scanner accuracy on our own labelled set, by class, for the classes of issue 17: hush now,
// hush before issue 17 (optional) and secretlint 13 (+ its recommended preset), on the same
// rendered files, over several rounds of fresh draws.
//
// The set: the templates in bench/scan-corpus/classes/ (positive/ and negative/). Each
// `{{class}}` is replaced by a fresh draw of that class (GENERATORS below): the lines it takes
// are one labelled sample. A positive sample is found when a tool reports a line of it; a
// negative sample is a false positive when a tool reports a line of it. A finding on a line
// that is no sample counts as "other" false positive. Keys are drawn with node:crypto each
// run, from the providers' documented formats (src/adapters/key-formats.ts, bundled here);
// OpenSSH keys are made by ssh-keygen. No format-valid key is committed: prefixes are assembled
// from fragments.
//
// gitleaks is not compared: it is a Go binary, and this machine can download none.
//
// Setup (once):  node scripts/build.mjs && (cd bench && npm install)
//                hush before issue 17: see scan.bench.mjs (git worktree add /tmp/hush-before b54a2ce ...)
// Run:           HUSH_BEFORE=/tmp/hush-before/dist node bench/scan-accuracy.bench.mjs [--rounds 5]
import { execFileSync, spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BENCH = join(ROOT, "bench");
const WORK = join(BENCH, ".work");
const TEMPLATES = join(BENCH, "scan-corpus", "classes");
const OUT = join(WORK, "accuracy");
const NODE24 = join(BENCH, "node_modules", "node", "bin", "node");
const SECRETLINT = join(BENCH, "node_modules", "secretlint", "bin", "secretlint.js");
const SECRETLINT_RC = JSON.stringify({ rules: [{ id: "@secretlint/secretlint-rule-preset-recommend" }] });
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const ROUNDS = arg("--rounds", 5);

// A snapshot of dist/ (other work may rebuild dist/ while this runs).
const NOW = join(WORK, "hush-dist-accuracy");
rmSync(NOW, { recursive: true, force: true });
cpSync(join(ROOT, "dist"), NOW, { recursive: true });
const TOOLS = [
  ...(process.env.HUSH_BEFORE ? [{ name: "hush before", cmd: process.execPath, cli: join(process.env.HUSH_BEFORE, "cli.js") }] : []),
  { name: "hush now", cmd: process.execPath, cli: join(NOW, "cli.js") },
  { name: "secretlint 13", cmd: NODE24, cli: SECRETLINT },
];
for (const t of TOOLS) {
  if (!existsSync(t.cli) || !existsSync(t.cmd)) {
    console.error(`missing for ${t.name}: ${t.cli} (see the header)`);
    process.exit(2);
  }
}

// --- draws ---------------------------------------------------------------------------------

const { KEY_FORMATS, KEY_ALPHABETS } = await bundled(join(ROOT, "src", "adapters", "key-formats.ts"));
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const DIGITS = "0123456789";
const HEX = "0123456789abcdef";
const UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const j = (...p) => p.join("");
const pick = (xs) => xs[randomInt(xs.length)];
/** A draw over `alphabet` with a digit and a letter when it has both, and no run of 5 alike (never a placeholder by chance). */
function rand(alphabet, n) {
  for (;;) {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
    const ok = (re) => !re.test(alphabet) || n < 8 || re.test(s);
    if (ok(/\d/) && ok(/[A-Za-z]/) && !/(.)\1{4}/.test(s) && !/example|sample|dummy|test|xxxx|changeme|redacted/i.test(s)) return s;
  }
}
const b64 = (s) => Buffer.from(s).toString("base64");
const word = () => pick(["app", "svc", "deploy", "etl", "ci", "backup", "reader", "ops"]);
const host = () => j(pick(["db", "files", "mail", "mq", "cache", "ldap", "git"]), "-", String(randomInt(1, 99)), ".", pick(["internal", "acme.io", "corp.example.net"]));

if (spawnSync("ssh-keygen", ["-?"]).error) {
  console.error("ssh-keygen is needed (the OpenSSH classes are made by it): install openssh-client");
  process.exit(2);
}
const sshDir = mkdtempSync(join(os.tmpdir(), "hush-bench-ssh-"));
process.on("exit", () => rmSync(sshDir, { recursive: true, force: true }));
function sshKeygen(args) {
  const file = join(sshDir, `k${randomInt(1e9)}`);
  execFileSync("ssh-keygen", ["-q", "-N", "", "-C", "", ...args, "-f", file], { stdio: "ignore" });
  const key = readFileSync(file, "utf8").trimEnd();
  rmSync(file);
  rmSync(`${file}.pub`);
  return key;
}

/** A key of a provider's documented format with its body one character short or long (each bound of a range). */
function offByOne(delta) {
  const format = pick(KEY_FORMATS);
  const v = pick(format.variants);
  const [min, max] = typeof v.length === "number" ? [v.length, v.length] : v.length;
  const chars = expandAlphabet(KEY_ALPHABETS[v.alphabet]);
  // Built from fragments: the prefix is a public constant, split so that no whole key sits here.
  return j(v.prefix.slice(0, 2), v.prefix.slice(2), rand(chars, delta < 0 ? min - 1 : max + 1), v.suffix ?? "");
}

const ENGLISH = [
  "This is dummy text for the unit tests of the payment service",
  "The quick brown fox jumps over the lazy dog near the river bank",
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod",
  "Please remember to rotate the keys before the end of the quarter",
  "All work and no play makes Jack a dull boy, all work and no play",
  "Welcome to the onboarding guide for new members of the platform team",
];

/** Class -> [positive?, draw]. */
const GENERATORS = {
  "openssh-ed25519": [true, () => sshKeygen(["-t", "ed25519"])],
  "openssh-ecdsa": [true, () => sshKeygen(["-t", "ecdsa", "-b", String(pick([256, 384, 521]))])],
  "openssh-rsa4096": [true, () => sshKeygen(["-t", "rsa", "-b", "4096"])],
  "stripe-sk_test": [true, () => j("sk", "_test_", rand(ALNUM, pick([24, 99])))],
  "stripe-rk_live": [true, () => j("rk", "_live_", rand(ALNUM, pick([24, 99])))],
  "stripe-rk_test": [true, () => j("rk", "_test_", rand(ALNUM, pick([24, 99])))],
  "slack-xapp": [true, () => j("xa", "pp-1-A", rand(UPPER_DIGITS, 10), "-", rand(DIGITS, 13), "-", rand(HEX, 64))],
  "slack-xoxe.xoxp": [true, () => j("xo", "xe.xoxp-1-", rand(ALNUM, 163 + randomInt(4)))],
  "slack-xoxe": [true, () => j("xo", "xe-1-", rand(ALNUM, 146))],
  "slack-xoxa": [true, () => j("xo", "xa-2-", rand(DIGITS, 12), "-", rand(DIGITS, 13), "-", rand(DIGITS, 13), "-", rand(HEX, 32))],
  "slack-webhook": [
    true,
    () =>
      pick([
        () => j("https://hooks.", "slack.com/services/T", rand(UPPER_DIGITS, 10), "/B", rand(UPPER_DIGITS, 10), "/", rand(ALNUM, 24)),
        () => j("https://hooks.", "slack.com/workflows/T", rand(UPPER_DIGITS, 10), "/A", rand(UPPER_DIGITS, 10), "/", rand(DIGITS, 18), "/", rand(ALNUM, 24)),
        () => j("https://hooks.", "slack.com/triggers/T", rand(UPPER_DIGITS, 10), "/", rand(DIGITS, 13), "/", rand(HEX, 32)),
      ])(),
  ],
  "hf-api_org": [true, () => j("api", "_org_", rand(ALNUM, 34))],
  "bedrock-long": [true, () => j("AB", "SK", b64(j("BedrockAPIKey-", rand(ALNUM, 4), "-at-", rand(DIGITS, 12), ":", rand(ALNUM + "+/", 60))))],
  "bedrock-short": [
    true,
    () => {
      const url = j("bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AS", "IA", rand(UPPER_DIGITS, 16),
        "%2F20261129%2Fus-east-1%2Fbedrock%2Faws4_request&X-Amz-Date=20261129T190000Z&X-Amz-Expires=43200&X-Amz-Security-Token=", rand(ALNUM, 600),
        "&X-Amz-Signature=", rand(HEX, 64), "&X-Amz-SignedHeaders=host&Version=1");
      return j("bedrock", "-api-key-", b64(url));
    },
  ],
  // Legacy npm tokens are UUIDs; npm_ tokens have their own rule (and are not this class).
  "npmrc-authtoken": [true, () => j(rand(HEX, 8), "-", rand(HEX, 4), "-4", rand(HEX, 3), "-a", rand(HEX, 3), "-", rand(HEX, 12))],
  "npmrc-auth": [true, () => b64(j(word(), ":", rand(ALNUM, 20)))],
  "npmrc-password": [true, () => b64(rand(ALNUM, 20))],
  "age-secret-key": [true, () => j("AGE-SECRET", "-KEY-1", rand(KEY_ALPHABETS["bech32-upper"], 58))],
  "curl-u": [true, () => j(word(), ":", rand(ALNUM + "!#%^*_-", 20))],
  "url-userpass": [true, () => j(pick(["https", "sftp", "ftp", "smtp", "amqps", "ldap", "ssh"]), "://", word(), ":", rand(ALNUM, 20), "@", host(), "/", word())],
  "generic-go": [true, () => rand(ALNUM, 24 + randomInt(17))],
  "generic-php": [true, () => rand(ALNUM, 24 + randomInt(17))],
  "generic-make": [true, () => rand(ALNUM, 24 + randomInt(17))],
  "generic-xml": [true, () => rand(ALNUM, 24 + randomInt(17))],
  "generic-java": [true, () => rand(ALNUM, 24 + randomInt(17))],
  "generic-json-escapes": [true, () => j(rand(ALNUM, 12), pick(["\\/", "\\u002b", "\\u003d"]), rand(ALNUM, 14))],
  "not-url-template-braces": [false, () => j(pick(["postgres", "mysql", "mongodb+srv", "redis"]), "://", word(), ":{", pick(["password", "db_password", "pw"]), "}@", host(), "/", word())],
  "not-url-template-double-braces": [false, () => j(pick(["postgresql", "mysql", "amqp", "https"]), "://", word(), ":{{ ", pick(["password", "db_password", ".Values.password"]), " }}@", host(), "/", word())],
  "not-url-template-shell": [false, () => j(pick(["postgres", "mysql", "redis"]), "://", word(), ":$(", pick(["PGPASSWORD", "DB_PASSWORD", "REDIS_PASSWORD"]), ")@", host(), "/", word())],
  "not-url-template-var": [false, () => j(pick(["postgres", "mysql", "mongodb", "rediss", "https"]), "://", word(), ":${", pick(["DB_PASSWORD", "POSTGRES_PASSWORD", "SVC_PASS"]), "}@", host(), "/", word())],
  "not-url-no-password": [false, () => j(pick(["postgres", "mysql", "amqp", "redis", "https", "sftp"]), "://", pick([`${word()}@`, ""]), host(), ":", String(randomInt(1000, 9999)), "/", word(), rand(DIGITS, 2))],
  "not-base64-english": [false, () => b64(j(pick(ENGLISH), " ", String(randomInt(10, 99))))],
  "not-key-one-short": [false, () => offByOne(-1)],
  "not-key-one-long": [false, () => offByOne(1)],
  "not-firebase-config": [
    false,
    () => {
      const project = j(word(), "-", rand(DIGITS, 4));
      const sender = rand(DIGITS, 12);
      return [
        "const firebaseConfig = {",
        `  apiKey: "${j("AI", "za", rand(ALNUM + "_-", 35))}",`,
        `  authDomain: "${project}.firebaseapp.com",`,
        `  projectId: "${project}",`,
        `  storageBucket: "${project}.appspot.com",`,
        `  messagingSenderId: "${sender}",`,
        `  appId: "1:${sender}:web:${rand(HEX, 22)}"`,
        "};",
      ].join("\n");
    },
  ],
};

// --- rounds --------------------------------------------------------------------------------

const loadBefore = os.loadavg();
/** class -> tool -> per round [hits, samples]; tool -> other false positives per round. */
const tally = new Map(Object.keys(GENERATORS).map((c) => [c, new Map(TOOLS.map((t) => [t.name, []]))]));
const other = new Map(TOOLS.map((t) => [t.name, []]));
const otherWhere = new Map(TOOLS.map((t) => [t.name, new Set()]));
/** tool -> "file:line (class)" of the positives it missed and the negatives it reported, over all rounds. */
const wrong = new Map(TOOLS.map((t) => [t.name, new Map()]));
for (let round = 0; round < ROUNDS; round++) {
  const dir = join(OUT, `round-${round + 1}`);
  const samples = render(dir);
  for (const tool of TOOLS) {
    const found = findings(tool, dir);
    const perClass = new Map();
    const used = new Set();
    for (const s of samples) {
      let hit = false;
      for (let l = s.from; l <= s.to; l++) {
        if (found.has(`${s.file}:${l}`)) {
          hit = true;
          used.add(`${s.file}:${l}`);
        }
      }
      if (hit !== GENERATORS[s.cls][0]) {
        const key = `${s.file}:${s.from} (${s.cls})`;
        wrong.get(tool.name).set(key, (wrong.get(tool.name).get(key) ?? 0) + 1);
      }
      const [h, n] = perClass.get(s.cls) ?? [0, 0];
      perClass.set(s.cls, [h + (hit ? 1 : 0), n + 1]);
    }
    for (const [cls, hn] of perClass) tally.get(cls).get(tool.name).push(hn);
    const stray = [...found].filter((k) => !used.has(k));
    other.get(tool.name).push(stray.length);
    for (const k of stray) otherWhere.get(tool.name).add(k.replace(/^(positive|negative)\//, "$1/"));
  }
}

// --- report --------------------------------------------------------------------------------

const names = TOOLS.map((t) => t.name);
console.log(`labelled set: bench/scan-corpus/classes, ${ROUNDS} rounds of fresh draws (rendered in ${relative(ROOT, OUT)})`);
console.log(`load average before: ${loadBefore.map((l) => l.toFixed(1)).join(" ")}, after: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} (${os.cpus().length} CPUs)`);
console.log("gitleaks: not run (a Go binary; nothing can be downloaded on this machine).");
const cell = (rounds) => {
  const h = rounds.reduce((n, [x]) => n + x, 0);
  const n = rounds.reduce((m, [, y]) => m + y, 0);
  const pct = rounds.map(([x, y]) => (100 * x) / y);
  const spread = Math.min(...pct) === Math.max(...pct) ? "" : ` (${Math.min(...pct).toFixed(0)}–${Math.max(...pct).toFixed(0)}%)`;
  return `${h}/${n}${spread}`;
};
for (const positive of [true, false]) {
  console.log(positive ? "\nPositives: samples found (per-round range of recall when it varies)\n" : "\nNegatives: samples reported, i.e. false positives (per-round range when it varies)\n");
  console.log(`| class | ${names.join(" | ")} |\n| --- | ${names.map(() => "---:").join(" | ")} |`);
  const totals = new Map(names.map((n) => [n, Array.from({ length: ROUNDS }, () => [0, 0])]));
  for (const [cls, [pos]] of Object.entries(GENERATORS)) {
    if (pos !== positive) continue;
    const rows = names.map((n) => tally.get(cls).get(n));
    names.forEach((n, i) => rows[i].forEach(([h, m], r) => ((totals.get(n)[r][0] += h), (totals.get(n)[r][1] += m))));
    console.log(`| ${cls} | ${rows.map(cell).join(" | ")} |`);
  }
  console.log(`| **all ${positive ? "positive" : "negative"} classes** | ${names.map((n) => `**${pctOf(totals.get(n))}** ${cell(totals.get(n))}`).join(" | ")} |`);
}
console.log(`\nOther false positives (findings on lines that are no sample), per round: ${names.map((n) => `${n} ${other.get(n).join("/")}`).join("; ")}`);
for (const n of names) if (otherWhere.get(n).size) console.log(`  ${n}: ${[...otherWhere.get(n)].slice(0, 12).join(", ")}`);
console.log("\nWrong samples (positives missed, negatives reported; xN: in N of the rounds):");
for (const n of names) {
  const list = [...wrong.get(n)].map(([k, c]) => `${k}${c > 1 ? ` x${c}` : ""}`);
  console.log(`  ${n} (${list.length}): ${list.slice(0, n === "hush now" ? 40 : 15).join(", ")}${list.length > (n === "hush now" ? 40 : 15) ? ", ..." : ""}`);
}

function pctOf(rounds) {
  const h = rounds.reduce((n, [x]) => n + x, 0);
  const m = rounds.reduce((n, [, y]) => n + y, 0);
  return `${((100 * h) / m).toFixed(0)}%`;
}

// --- internal ------------------------------------------------------------------------------

/** Renders every template into `dir`; returns the samples: file, class, first and last line. */
function render(dir) {
  rmSync(dir, { recursive: true, force: true });
  const samples = [];
  for (const side of ["positive", "negative"]) {
    for (const name of readdirSync(join(TEMPLATES, side))) {
      const template = readFileSync(join(TEMPLATES, side, name), "utf8");
      const file = `${side}/${name}`;
      let out = "";
      let last = 0;
      for (const m of template.matchAll(/\{\{([a-z0-9_.-]+)\}\}/g)) {
        const gen = GENERATORS[m[1]];
        if (!gen) throw new Error(`${file}: no generator ${m[1]}`);
        if (gen[0] !== (side === "positive")) throw new Error(`${file}: ${m[1]} is on the wrong side`);
        out += template.slice(last, m.index);
        // A multi-line draw takes the indentation of the line it starts on (a YAML block).
        const lineStart = out.slice(out.lastIndexOf("\n") + 1);
        const indent = /^[ \t]*$/.test(lineStart) ? lineStart : "";
        const text = gen[1]().split("\n").join(`\n${indent}`);
        const from = out.split("\n").length;
        out += text;
        samples.push({ file, cls: m[1], from, to: out.split("\n").length });
        last = m.index + m[0].length;
      }
      out += template.slice(last);
      mkdirSync(join(dir, side), { recursive: true });
      writeFileSync(join(dir, file), out);
    }
  }
  return samples;
}

/** "side/file:line" of every finding of `tool` in `dir`. */
function findings(tool, dir) {
  const isHush = tool.name.startsWith("hush");
  const args = isHush
    ? [tool.cli, "scan", "-C", dir, "--no-managed", "--no-gitignore", "--json", "."]
    : [tool.cli, "--no-gitignore", "--format", "json", "--secretlintrcJSON", SECRETLINT_RC, `${dir}/**/*`, `${dir}/**/.*`];
  const r = spawnSync(tool.cmd, args, { cwd: isHush ? dir : BENCH, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${tool.name} exited ${r.status}: ${r.stderr.slice(0, 400)}`);
  if (isHush) return new Set(JSON.parse(r.stdout).findings.map((f) => `${f.path}:${f.line}`));
  return new Set(JSON.parse(r.stdout || "[]").flatMap((f) => f.messages.map((m) => `${relative(dir, f.filePath)}:${m.loc.start.line}`)));
}

/** A TypeScript module of the repository, bundled with esbuild into bench/.work and imported. */
async function bundled(entry) {
  const outfile = join(WORK, `${entry.split("/").pop().replace(/\.ts$/, "")}.bundle.mjs`);
  mkdirSync(dirname(outfile), { recursive: true });
  await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "node", target: "node20", outfile, logLevel: "warning" });
  return import(`${outfile}?t=${Date.now()}`);
}

/** "A-Za-z0-9_-" -> the characters. */
function expandAlphabet(ranges) {
  let out = "";
  for (let i = 0; i < ranges.length; i++) {
    if (ranges[i + 1] === "-" && i + 2 < ranges.length) {
      for (let c = ranges.charCodeAt(i); c <= ranges.charCodeAt(i + 2); c++) out += String.fromCharCode(c);
      i += 2;
    } else out += ranges[i];
  }
  return out;
}
