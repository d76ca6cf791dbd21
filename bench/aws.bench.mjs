// Benchmark of the `aws` source on loopback, against the Secrets Manager fake
// (test/fakes/aws-secrets-manager.ts, bundled here with esbuild) and the real
// @aws-sdk/client-secrets-manager pointed at it:
//   1. 50 names read through getMany (BatchGetSecretValue, 20 names a call: 3 calls) against
//      50 single get() calls (GetSecretValue), one after the other and all at once;
//   2. `hush run -- node -e <probe>` with 50 secrets from AWS (the fake) against the same 50
//      from the local store, and from the local store whose key is wrapped by AWS KMS (the KMS
//      fake: one Decrypt per run), each in a fresh process, interleaved, medians.
// Loopback only: the figures are the client's and hush's cost, not AWS's network latency
// (each real call adds a round trip to the region, typically 5-30 ms).
//
// Usage: node scripts/build.mjs && node bench/aws.bench.mjs [rounds]
import { spawn } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { median } from "./_measure.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ROUNDS = Math.max(10, Number(process.argv[2] ?? 15));
const SIZE = 50;
const WORK = join(ROOT, "bench/.work/aws");
const NODE = process.execPath;
if (!existsSync(join(ROOT, "dist/cli.js"))) throw new Error("dist/cli.js is missing: run `node scripts/build.mjs` first");
rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
// A snapshot of dist/ beside node_modules' parent, so `import("@aws-sdk/...")` resolves from it.
const DIST = join(ROOT, "bench/.work/aws/dist");
cpSync(join(ROOT, "dist"), DIST, { recursive: true });
writeFileSync(join(WORK, "package.json"), '{ "type": "module" }\n');

const bundle = (entry, out) => build({ entryPoints: [join(ROOT, entry)], bundle: true, platform: "node", format: "esm", outfile: join(WORK, out), external: ["@aws-sdk/*"], logLevel: "error" });
await bundle("test/fakes/aws-secrets-manager.ts", "fake.mjs");
await bundle("test/fakes/aws-kms.ts", "kms-fake.mjs");
await bundle("src/keys/aws-kms.ts", "aws-kms.mjs");
const { startAwsSecretsManagerFake } = await import(pathToFileURL(join(WORK, "fake.mjs")).href);
const { startAwsKmsFake } = await import(pathToFileURL(join(WORK, "kms-fake.mjs")).href);
const { createAwsKmsKeyProvider } = await import(pathToFileURL(join(WORK, "aws-kms.mjs")).href);
const { createAwsSource, createLocalSource } = await import(pathToFileURL(join(DIST, "index.js")).href);

const CREDS = { AWS_ACCESS_KEY_ID: "AKIDBENCHFAKE0000001", AWS_SECRET_ACCESS_KEY: "bench-secret-access-key", AWS_REGION: "us-east-1", AWS_EC2_METADATA_DISABLED: "true" };
Object.assign(process.env, CREDS);
const fake = await startAwsSecretsManagerFake();
const kms = await startAwsKmsFake();
const secrets = Array.from({ length: SIZE }, (_, i) => [`secret_${String(i).padStart(4, "0")}`, `v${i}-${randomBytes(24).toString("base64url")}`]);
for (const [name, value] of secrets) fake.put(`bench/${name}`, value);
const names = secrets.map(([n]) => n);

console.log(`aws source benchmark: node ${process.version}, loopback fake, ${ROUNDS} rounds interleaved, medians (ms)\n`);
try {
  await benchReads();
  await benchRun();
} finally {
  await fake.close();
  await kms.close();
}

async function benchReads() {
  const source = createAwsSource({ endpoint: fake.url, path: "bench" });
  await source.get(names[0]); // load the SDK and open a connection before timing
  const cases = {
    "getMany (BatchGetSecretValue)": () => source.getMany(names),
    "50 x get, one after another": async () => {
      for (const n of names) await source.get(n);
    },
    "50 x get, all at once": () => Promise.all(names.map((n) => source.get(n))),
  };
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, { ms: [], calls: 0 }]));
  const entries = Object.entries(cases);
  for (let r = 0; r < ROUNDS + 2; r++) {
    for (let j = 0; j < entries.length; j++) {
      const [label, fn] = entries[(r + j) % entries.length];
      const before = fake.server.requests.length;
      const t0 = performance.now();
      await fn();
      if (r >= 2) samples[label].ms.push(performance.now() - t0);
      samples[label].calls = fake.server.requests.length - before;
    }
  }
  await source.dispose();
  console.log(`50 names, read by the aws source (raw: no cache)`);
  console.log(`${"how".padEnd(32)}  ${"HTTP calls".padStart(10)}  ${"ms".padStart(8)}`);
  for (const [label, s] of Object.entries(samples)) console.log(`${label.padEnd(32)}  ${String(s.calls).padStart(10)}  ${median(s.ms).toFixed(1).padStart(8)}`);
}

async function benchRun() {
  const awsDir = join(WORK, "project-aws");
  const localDir = join(WORK, "project-local");
  mkdirSync(awsDir, { recursive: true });
  mkdirSync(localDir, { recursive: true });
  // Both with the audit trail off, so the difference is the source.
  writeFileSync(join(awsDir, "hush.yaml"), `version: 1\naudit: off\nsources:\n  - type: aws\n    options: { endpoint: "${fake.url}", path: bench, region: us-east-1 }\n`);
  writeFileSync(join(localDir, "hush.yaml"), "version: 1\naudit: off\nsources:\n  - type: local\n");
  const local = createLocalSource({ secretsDir: join(localDir, ".secrets"), environment: "dev", onWarning: () => {} });
  for (const [name, value] of secrets) await local.set(name, value);
  await local.dispose();

  // The same store, its key wrapped by the KMS fake (hush.yaml: keys: { dev: { provider: aws-kms } }).
  const kmsDir = join(WORK, "project-kms");
  mkdirSync(join(kmsDir, ".secrets"), { recursive: true, mode: 0o700 });
  chmodSync(join(kmsDir, ".secrets"), 0o700);
  cpSync(join(localDir, ".secrets/dev.store"), join(kmsDir, ".secrets/dev.store"));
  const keyArn = kms.createKey("hush-bench");
  writeFileSync(join(kmsDir, "hush.yaml"), `version: 1\naudit: off\nkeys:\n  dev: { provider: aws-kms, keyId: "${keyArn}", endpoint: "${kms.url}" }\nsources:\n  - type: local\n`);
  const keyText = readFileSync(join(localDir, ".secrets/.encryption.key"), "utf8").trim();
  await createAwsKmsKeyProvider({ keyId: keyArn, endpoint: kms.url }, { root: kmsDir, secretsDir: join(kmsDir, ".secrets"), environment: "dev", onWarning: () => {} }).save(keyText);

  const [probeName, probeValue] = secrets[SIZE - 1];
  const probe = `process.exit(process.env.${probeName.toUpperCase()} === ${JSON.stringify(probeValue)} ? 0 : 9)`;
  const env = { ...process.env, ...CREDS };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  const cli = join(DIST, "cli.js");
  const cases = {
    "bare node -e": { cwd: localDir, args: ["-e", "0"] },
    // What loading the SDK alone costs a fresh process (part of the aws row).
    "node: import the SDK only": { cwd: ROOT, args: ["--input-type=module", "-e", "await import('@aws-sdk/client-secrets-manager')"] },
    "hush run, local store": { cwd: localDir, args: [cli, "run", "--", NODE, "-e", probe] },
    "hush run, aws (fake)": { cwd: awsDir, args: [cli, "run", "--", NODE, "-e", probe] },
    "hush run, local + aws-kms key": { cwd: kmsDir, args: [cli, "run", "--", NODE, "-e", probe] },
  };
  const ms = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  const entries = Object.entries(cases);
  for (let r = 0; r < ROUNDS + 2; r++) {
    for (let j = 0; j < entries.length; j++) {
      const [label, c] = entries[(r + j) % entries.length];
      const t0 = performance.now();
      // spawn, not spawnSync: the fake answers from this process's event loop.
      const out = await run(NODE, c.args, { cwd: c.cwd, env });
      const took = performance.now() - t0;
      if (out.status !== 0) throw new Error(`${label}: exit ${out.status}\n${out.stderr}`);
      if (r >= 2) ms[label].push(took);
    }
  }
  const bare = median(ms["bare node -e"]);
  console.log(`\nhush run with ${SIZE} secrets (a fresh process each, wall ms)`);
  console.log(`${"command".padEnd(30)}  ${"median".padStart(8)}  ${"over bare node".padStart(14)}`);
  for (const [label, xs] of Object.entries(ms)) console.log(`${label.padEnd(30)}  ${median(xs).toFixed(1).padStart(8)}  ${(median(xs) - bare).toFixed(1).padStart(14)}`);
}

function run(cmd, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stderr }));
  });
}
