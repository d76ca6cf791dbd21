// Opening the local store: a fresh `local` source's first get() (permission checks, temp
// sweep, key read, file read, one decrypt, one JSON.parse) against the bare minimum on raw
// node:crypto: base64url decode + HMAC-SHA256 check + AES-128-CBC decrypt + JSON.parse of the
// same token, already in memory; and the same plus reading the key and store files.
// Interleaved, medians of 21 rounds, CPU time. Goal: within 20%.
// The stores are written here from docs/store-format.md (header + Fernet token of the JSON
// document), which also checks that the documented format is what hush reads.
// Run: node --expose-gc bench/store-open.bench.mjs (bundles src/index.ts into bench/.work/ first)
import { createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { median, printTable } from "./_measure.mjs";

const bundle = fileURLToPath(new URL("./.work/store-open-hush.mjs", import.meta.url));
await build({ entryPoints: [fileURLToPath(new URL("../src/index.ts", import.meta.url))], bundle: true, platform: "node", format: "esm", target: "node20", outfile: bundle, logLevel: "warning", external: ["pg", "pg-native", "@aws-sdk/*", "@google-cloud/*", "@kubernetes/*", "openai", "@anthropic-ai/sdk", "@inquirer/*"], banner: { js: "import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);" } });
const { createLocalSource, fernetEncrypt, generateFernetKey, parseFernetKey } = await import(pathToFileURL(bundle).href);

const root = mkdtempSync(join(tmpdir(), "hush-bench-open-"));
const keyText = generateFernetKey();
const key = parseFernetKey(keyText);

/** Writes `.secrets/dev.store` with `count` secrets; returns its token. */
function writeStore(dir, count) {
  mkdirSync(dir, { mode: 0o700 });
  writeFileSync(join(dir, ".encryption.key"), keyText, { mode: 0o600 });
  const secrets = {};
  const createdAt = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    secrets[`secret_${String(i).padStart(5, "0")}`] = { versions: [{ v: 1, value: `sk-${randomBytes(36).toString("base64url")}`, createdAt }] };
  }
  const token = fernetEncrypt(key, JSON.stringify({ format: "hush-local", v: 1, environment: "dev", secrets }));
  const keyId = createHmac("sha256", key.signingKey).update("hush key id v1").digest().subarray(0, 8).toString("hex");
  writeFileSync(join(dir, "dev.store"), `hush-local 1 key=${keyId} len=${token.length}\n${token}\n`, { mode: 0o600 });
  return token;
}

/** The reference: the least code that checks and decrypts a Fernet token, then parses it. */
function rawOpen(token) {
  const data = Buffer.from(token, "base64url");
  const mac = createHmac("sha256", key.signingKey).update(data.subarray(0, data.length - 32)).digest();
  if (!timingSafeEqual(mac, data.subarray(data.length - 32))) throw new Error("bad mac");
  const d = createDecipheriv("aes-128-cbc", key.encryptionKey, data.subarray(9, 25));
  const plain = Buffer.concat([d.update(data.subarray(25, data.length - 32)), d.final()]);
  return JSON.parse(plain.toString("utf8"));
}

// CPU time (user + system) of this process, not wall time: the benchmark machine is shared,
// and waiting for a core is not a cost of either side. File-system calls count as system time.
// With --expose-gc every batch starts from a collected heap, so one side's garbage is not
// collected on the other side's clock.
const batch = (n, fn) => async () => {
  globalThis.gc?.();
  const t = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const d = process.cpuUsage(t);
  return { seconds: (d.user + d.system) / 1e6, ops: n };
};

/** Like _measure.mjs's interleave, but the order rotates each round (no case always runs first). */
async function interleaveRotating(cases, { rounds = 21, warmup = 3 } = {}) {
  const names = Object.keys(cases);
  const samples = Object.fromEntries(names.map((k) => [k, []]));
  for (let r = 0; r < warmup + rounds; r++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(r + j) % names.length];
      const { seconds, ops } = await cases[name]();
      if (r >= warmup) samples[name].push(ops / seconds);
    }
  }
  return Object.fromEntries(names.map((k) => [k, median(samples[k])]));
}

const rows = [];
try {
  for (const count of [10, 1_000, 10_000]) {
    const dir = join(root, `s${count}`);
    const token = writeStore(dir, count);
    const name = `secret_${String(count - 1).padStart(5, "0")}`;
    const expected = rawOpen(token).secrets[name].versions[0].value;
    const hushOpen = async () => {
      const source = createLocalSource({ secretsDir: dir });
      const record = await source.get(name);
      if (record?.value !== expected) throw new Error("hush read a different value");
    };
    await hushOpen();
    const storePath = join(dir, "dev.store");
    const keyPath = join(dir, ".encryption.key");
    const n = count <= 10 ? 400 : count <= 1000 ? 40 : 6;
    const r = await interleaveRotating({
      hush: batch(n, hushOpen),
      raw: batch(n, () => rawOpen(token)),
      rawWithRead: batch(n, () => {
        parseFernetKey(readFileSync(keyPath, "latin1"));
        const text = readFileSync(storePath, "latin1");
        return rawOpen(text.slice(text.indexOf("\n") + 1, -1));
      }),
    });
    const ms = (opsPerSecond) => (1000 / opsPerSecond).toFixed(3);
    const bytes = readFileSync(storePath).length;
    rows.push([String(count), `${(bytes / 1024).toFixed(1)} KiB`, ms(r.hush), ms(r.raw), `${((r.raw / r.hush) * 100).toFixed(0)}%`, ms(r.rawWithRead), `${((r.rawWithRead / r.hush) * 100).toFixed(0)}%`]);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
printTable(
  `Opening the local store: CPU ms per open, medians of 21 interleaved rounds${globalThis.gc ? ", heap collected before each batch" : ""} (node ${process.version}; goal: hush <= 120% of raw)`,
  ["secrets", "store", "hush open+get", "raw decrypt+parse", "hush/raw", "raw + read key & store", "hush/raw+read"],
  rows,
);
