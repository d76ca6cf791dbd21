#!/usr/bin/env node
// Managed-value search: what `hush scan` costs with many stored secrets, and with long ones.
// Each case scans one 6-byte file and one 64 KiB file that holds one value base64-encoded,
// in a fresh process (so peak RSS is the case's own), against two baselines in the same run:
//
//   previous  the implementation before issue 11, kept below: every form of every value
//             written out and compiled into one dense Aho-Corasick table (states x classes)
//   indexOf   every form written out (the same list), then a String.prototype.indexOf loop
//
// hush runs as `scan()` from dist/index.js, imported before the clock starts (the walk, the
// file reads and the temp folder included); the baselines run in memory on the same two texts. Time: median of the rounds; RSS: the peak of
// the process (maxRSS), with the values alone (before scanning) beside it; heap: V8's used
// heap after the scan. CPU time (user + system) beside the wall time: on a busy machine it is
// the steadier figure.
//
// Run:  npm run build && node bench/scan-managed.bench.mjs [--rounds 3] [--cases 10,1000,100000,1x10240,100x10240]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, printTable } from "./_measure.mjs";

const SELF = fileURLToPath(import.meta.url);
const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : process.argv[i + 1];
};

if (process.argv[2] === "--child") await child(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
else main();

function main() {
  const rounds = Number(arg("--rounds", "3"));
  // "N" = N secrets of 40 characters; "NxL" = N secrets of L characters.
  const cases = arg("--cases", "10,1000,100000,1x10240,100x10240").split(",").map((c) => {
    const [n, len] = c.split("x").map(Number);
    return { label: c, n, len: len ?? 40 };
  });
  const impls = ["hush", "previous", "indexOf"];
  const rows = [];
  for (const c of cases) {
    const samples = Object.fromEntries(impls.map((i) => [i, []]));
    for (let r = 0; r < rounds; r++) {
      for (let j = 0; j < impls.length; j++) {
        const impl = impls[(r + j) % impls.length];
        samples[impl].push(runChild(impl, c.n, c.len));
      }
    }
    for (const impl of impls) {
      const s = samples[impl];
      if (s[0].skipped) {
        rows.push([c.label, impl, "-", "-", "-", "-", "-", s[0].skipped]);
        continue;
      }
      const ms = median(s.map((x) => x.ms));
      rows.push([c.label, impl, `${ms.toFixed(1)} ms`, `${median(s.map((x) => x.cpuMs)).toFixed(0)} ms`, `${Math.max(...s.map((x) => x.rssMB))} MB`, `${Math.max(...s.map((x) => x.valuesRssMB))} MB`, `${Math.max(...s.map((x) => x.heapMB))} MB`, `found ${s[0].found}/1`]);
    }
  }
  printTable(
    `Managed-value search, ${rounds} rounds, Node ${process.version}`,
    ["secrets", "impl", "wall (median)", "CPU (median)", "peak RSS", "RSS values alone", "heap after", "check"],
    rows,
  );
}

function runChild(impl, n, len) {
  const r = spawnSync(process.execPath, [SELF, "--child", impl, String(n), String(len)], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) return { skipped: `failed (exit ${r.status}, ${r.signal ?? ""}${r.stderr.split("\n").find((l) => /Error|heap/.test(l)) ?? ""})` };
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

// --- in the child ---------------------------------------------------------------------------

async function child(impl, n, len) {
  const values = makeValues(n, len);
  const leaked = Buffer.from(`x=1\nKEY=${values.get(`secret_${n >> 1}`)}\n`).toString("base64");
  const texts = ["hello\n", `${"a".repeat(32 * 1024)}\ndata: ${leaked}\n${"b".repeat(32 * 1024)}`];
  const valuesRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  let found = 0;
  // Loading hush's code is not part of the search: import it before the clock starts.
  const { scan } = impl === "hush" ? await import(DIST) : {};
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  if (impl === "hush") {
    const dir = mkdtempSync(join(tmpdir(), "hush-scan-managed-"));
    try {
      texts.forEach((t, i) => writeFileSync(join(dir, `f${i}.txt`), t));
      const r = await scan({ cwd: dir, managedValues: values, patterns: false, gitignore: false });
      found = r.findings.length;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    const variants = previousManagedVariants(values);
    if (impl === "previous") {
      const states = variants.reduce((a, v) => a + v.text.length, 1);
      // Its table is states x classes Int32 (~90 classes for base64, hex and URL text), and its
      // trie of JavaScript arrays is larger still: past ~2 GB of table, do not try (it ends in
      // "JavaScript heap out of memory" after a long while, on a shared machine).
      if (states * 90 * 4 > 2e9) {
        console.log(JSON.stringify({ skipped: `not run: its table would need ~${Math.round((states * 90 * 4) / 1e9)} GB` }));
        return;
      }
      const m = previousCompileLiterals(variants.map((v) => v.text));
      for (const t of texts) m.run(t, () => found++);
    } else {
      for (const t of texts) for (const v of variants) for (let p = t.indexOf(v.text); p !== -1; p = t.indexOf(v.text, p + 1)) found++;
    }
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const rssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  const heapMB = Math.round(process.memoryUsage().heapUsed / 1048576);
  console.log(JSON.stringify({ ms, cpuMs, rssMB, valuesRssMB, heapMB, found }));
}

/** `n` values of `len` characters, random base64 (so `+` and `/` give most of them URL forms); flat strings. */
function makeValues(n, len) {
  let seed = 0x2545f491;
  const B64 = Buffer.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
  const values = new Map();
  const buf = Buffer.alloc(len);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < len; j++) {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      buf[j] = B64[(seed >>> 0) % 64];
    }
    values.set(`secret_${i}`, buf.toString("latin1"));
  }
  return values;
}

// --- the previous implementation (src/scan/managed.ts and matcher.ts before issue 11) -------

function previousManagedVariants(entries) {
  const seen = new Map();
  const add = (secretName, encoding, text, min = 8) => {
    if (text.length >= min && !seen.has(text)) seen.set(text, { secretName, encoding, text });
  };
  for (const [name, value] of entries) {
    if (typeof value !== "string" || value.length < 8) continue;
    add(name, "plain", value);
    const bytes = Buffer.from(value, "utf8");
    for (let k = 0; k < 3; k++) {
      const padded = Buffer.concat([Buffer.alloc(k), bytes]).toString("base64");
      const std = padded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
      add(name, "base64", std);
      add(name, "base64url", std.replace(/\+/g, "-").replace(/\//g, "_"));
    }
    const url = encodeURIComponent(value);
    if (url !== value) {
      add(name, "url", url);
      add(name, "url", url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
      if (value.includes(" ")) add(name, "url", url.replace(/%20/g, "+"));
    }
    add(name, "hex", bytes.toString("hex"));
    add(name, "hex", bytes.toString("hex").toUpperCase());
    if (/[\r\n]/.test(value)) {
      for (const line of value.split(/\r?\n/)) {
        const t = line.trim();
        if (!t.startsWith("-----")) add(name, "plain", t, 16);
      }
    }
  }
  return [...seen.values()].sort((a, b) => b.text.length - a.text.length);
}

function previousCompileLiterals(literals) {
  const classOf = new Uint16Array(65536);
  let classes = 1;
  for (const lit of literals) for (let i = 0; i < lit.length; i++) if (classOf[lit.charCodeAt(i)] === 0) classOf[lit.charCodeAt(i)] = classes++;
  const next = [[]];
  const own = [[]];
  literals.forEach((lit, index) => {
    let s = 0;
    for (let i = 0; i < lit.length; i++) {
      const c = classOf[lit.charCodeAt(i)];
      let t = next[s][c];
      if (t === undefined) {
        t = next.length;
        next[s][c] = t;
        next.push([]);
        own.push([]);
      }
      s = t;
    }
    own[s].push(index);
  });
  const states = next.length;
  const delta = new Int32Array(states * classes);
  const fail = new Int32Array(states);
  const outputs = own.map((o) => o.slice());
  const order = [];
  for (let c = 0; c < classes; c++) {
    const t = next[0][c];
    delta[c] = t === undefined ? 0 : t;
    if (t !== undefined) order.push(t);
  }
  for (let k = 0; k < order.length; k++) {
    const s = order[k];
    outputs[s].push(...outputs[fail[s]]);
    for (let c = 0; c < classes; c++) {
      const t = next[s][c];
      const viaFail = delta[fail[s] * classes + c];
      if (t === undefined) delta[s * classes + c] = viaFail;
      else {
        fail[t] = viaFail;
        delta[s * classes + c] = t;
        order.push(t);
      }
    }
  }
  for (let i = 0; i < delta.length; i++) delta[i] = outputs[delta[i]].length > 0 ? -(delta[i] * classes) - 1 : delta[i] * classes;
  const outByRow = new Map();
  outputs.forEach((o, s) => {
    if (o.length > 0) outByRow.set(s * classes, o);
  });
  return {
    run(text, onMatch) {
      let row = 0;
      for (let i = 0; i < text.length; i++) {
        const t = delta[row + classOf[text.charCodeAt(i)]];
        if (t >= 0) row = t;
        else {
          row = -t - 1;
          for (const index of outByRow.get(row)) onMatch(index, i + 1);
        }
      }
    },
  };
}
