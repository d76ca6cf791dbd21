// Bulk import: `importSecrets` (one batch write: `setMany`, one lock, one rewrite of the store)
// against the baseline measured in the same run, a loop of single `manager.set` calls (one
// locked, fsynced rewrite of the whole store per entry: quadratic). Both write into a fresh
// `local` store through a manager, as `hush import` does; wall time, fsyncs included.
// Goal: 10,000 entries in under 2 s, and time linear in the entry count.
// Run: npm run build && node bench/import.bench.mjs [sizes, default 100,1000,10000] [rounds, default 3] [--full]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, printTable } from "./_measure.mjs";

const { createSecretsManager, createLocalSource, importSecrets } = await import(new URL("../dist/index.js", import.meta.url).href);

const args = process.argv.slice(2).filter((a) => a !== "--full");
const sizes = (args[0] ?? "100,1000,10000").split(",").map(Number);
const rounds = Number(args[1] ?? 3);
const root = mkdtempSync(join(tmpdir(), "hush-bench-import-"));
let n = 0;

/** A fresh project with a JSON file of `count` entries; returns its manager and the entries. */
function freshProject(count) {
  const dir = join(root, `p${n++}`);
  const entries = Array.from({ length: count }, (_, i) => [`secret_${String(i).padStart(5, "0")}`, `sk-${randomBytes(36).toString("base64url")}`]);
  const input = join(root, `in${n}.json`);
  writeFileSync(input, JSON.stringify(Object.fromEntries(entries)));
  const manager = createSecretsManager({ cwd: root, sources: [createLocalSource({ secretsDir: join(dir, ".secrets") })], onWarning: () => undefined });
  return { manager, entries, input };
}

async function timeIt(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const cases = {
  "import (setMany)": async (count) => {
    const { manager, input } = freshProject(count);
    const s = await timeIt(() => importSecrets(manager, input));
    await manager.dispose();
    return s;
  },
  "set loop": async (count) => {
    const { manager, entries } = freshProject(count);
    const s = await timeIt(async () => {
      for (const [name, value] of entries) await manager.set(name, value);
    });
    await manager.dispose();
    return s;
  },
};

/**
 * The set loop at a size too large to run whole here (minutes: quadratic): the per-set cost at
 * the start (an empty store) and at the end (a store of size - 100, filled by one setMany),
 * each over 100 sets; their mean times the size estimates the loop. `--full` runs it whole.
 */
async function estimateSetLoop(size) {
  const start = await cases["set loop"](100);
  const { manager, entries } = freshProject(size);
  await manager.setMany(entries.slice(0, size - 100));
  const end = await timeIt(async () => {
    for (const [name, value] of entries.slice(size - 100)) await manager.set(name, value);
  });
  await manager.dispose();
  return (size * (start + end)) / 2 / 100;
}

const full = process.argv.includes("--full");
const rows = [];
const perEntry = {};
try {
  for (const size of sizes) {
    const batches = [];
    const loops = [];
    const estimated = size >= 10_000 && !full;
    for (let r = 0; r < rounds; r++) {
      batches.push(await cases["import (setMany)"](size));
      if (r === 0 || size < 10_000) loops.push(estimated ? await estimateSetLoop(size) : await cases["set loop"](size));
    }
    const batch = median(batches);
    const loop = median(loops);
    perEntry[size] = batch / size;
    const mark = estimated ? "≈" : "";
    rows.push([size.toLocaleString("en"), `${batch.toFixed(3)} s`, `${((batch / size) * 1e6).toFixed(1)} µs`, `${mark}${loop.toFixed(1)} s`, `${mark}${((loop / size) * 1e6).toFixed(0)} µs`, `${mark}${(loop / batch).toFixed(0)}×`]);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
printTable(`Bulk import into a fresh local store (wall time; import: median of ${rounds}; set loop: median of ${rounds} below 10,000, one run (≈ estimated, --full to run it) from 10,000)`, ["entries", "import (setMany)", "per entry", "set loop", "per entry", "speed-up"], rows);
const largest = Math.max(...sizes);
const smallest = Math.min(...sizes);
console.log(`\nper-entry cost of import, ${largest.toLocaleString("en")} vs ${smallest.toLocaleString("en")} entries: ${(perEntry[largest] / perEntry[smallest]).toFixed(2)}× (linear: about 1× or less)`);
