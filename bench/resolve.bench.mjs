// Resolving every secret in a fresh process (what `hush run` and `hush-secrets/config` do once, with
// cold code): `manager.resolve()` through the default chain (env -> dotenv -> local, access
// counts on, no audit sink) against a bare loop of `local.get()` over the same names, each in its own
// `node` process, interleaved, medians of 15 rounds. The store is opened before the clock starts.
// Run: npm run build && node bench/resolve.bench.mjs
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHmac, randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { median, printTable } from "./_measure.mjs";

const INDEX = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const { fernetEncrypt, generateFernetKey, parseFernetKey } = await import(INDEX);
const ROUNDS = 15;

const CHILD = `
const { createSecretsManager, createLocalSource, createEnvSource, createDotenvSource } = await import(${JSON.stringify(INDEX)});
const mode = process.argv[1];
const local = createLocalSource({ secretsDir: ".secrets", onWarning: () => {} });
const names = await local.list();
await local.get(names[0]);
let t;
if (mode === "manager") {
  // The default chain, with the local source opened above.
  const hush = createSecretsManager({ sources: [createEnvSource(), createDotenvSource(), local], onWarning: () => {} });
  t = performance.now();
  const { secrets } = await hush.resolve(names);
  t = performance.now() - t;
  if (Object.keys(secrets).length !== names.length) process.exit(3);
} else {
  t = performance.now();
  let n = 0;
  for (const name of names) if (await local.get(name)) n++;
  t = performance.now() - t;
  if (n !== names.length) process.exit(3);
}
console.log(t);
`;

const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
delete env.NODE_OPTIONS;
const root = mkdtempSync(join(tmpdir(), "hush-bench-resolve-"));
const rows = [];
try {
  for (const count of [50, 1000]) {
    const dir = join(root, `p${count}`);
    writeStore(join(dir, ".secrets"), count);
    const samples = { manager: [], loop: [] };
    for (let r = 0; r < ROUNDS + 1; r++) {
      for (const mode of r % 2 ? ["manager", "loop"] : ["loop", "manager"]) {
        const out = spawnSync(process.execPath, ["--input-type=module", "-e", CHILD, mode], { cwd: dir, env, encoding: "utf8" });
        if (out.status !== 0) throw new Error(`${mode} exited ${out.status}: ${out.stderr}`);
        if (r > 0) samples[mode].push(Number(out.stdout));
      }
    }
    const m = median(samples.manager);
    const l = median(samples.loop);
    rows.push([String(count), `${m.toFixed(2)} ms`, `${l.toFixed(2)} ms`, `${(m / l).toFixed(2)}x`, `${((m * 1000) / count).toFixed(1)} µs`]);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
printTable(`Resolving every secret in a fresh process, medians of ${ROUNDS} (node ${process.version})`, ["secrets", "manager.resolve (env, dotenv, local)", "local.get loop", "ratio", "per secret"], rows);

/** `.secrets/dev.store` with `count` secrets, written from docs/store-format.md. */
function writeStore(secretsDir, count) {
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  const keyText = generateFernetKey();
  const key = parseFernetKey(keyText);
  writeFileSync(join(secretsDir, ".encryption.key"), keyText, { mode: 0o600 });
  const secrets = {};
  const createdAt = new Date().toISOString();
  for (let i = 0; i < count; i++) secrets[`secret_${String(i).padStart(4, "0")}`] = { versions: [{ v: 1, value: `sk-${randomBytes(24).toString("base64url")}`, createdAt }] };
  const token = fernetEncrypt(key, JSON.stringify({ format: "hush-local", v: 1, environment: "dev", secrets }));
  const keyId = createHmac("sha256", key.signingKey).update("hush key id v1").digest().subarray(0, 8).toString("hex");
  writeFileSync(join(secretsDir, "dev.store"), `hush-local 1 key=${keyId} len=${token.length}\n${token}\n`, { mode: 0o600 });
}
