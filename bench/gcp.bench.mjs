// Benchmark of the `gcp` source (Google Secret Manager) against the fake Secret Manager on
// loopback (test/fakes/gcp-secret-manager.ts, bundled here with esbuild), with the real SDK in
// REST mode and real service-account credentials, against the local store measured in the same run:
//   1. resolving 50 names in one process, warm client: `getMany` (8 calls in flight) against 50
//      `get`s one after another (Secret Manager has no batch read), and the local store's `getMany`;
//   2. `hush run -- node -e 0` with 50 secrets from gcp against the same 50 from the local store,
//      each a fresh process (SDK import, credentials, list + 50 reads), interleaved, medians;
//   3. (same rounds) the local store whose key is kept in Cloud KMS (`keys: { dev: { provider:
//      gcp-kms } }`, the fake KMS on loopback): what envelope mode adds to `hush run`.
// The fake answers in this process, so commands are spawned asynchronously (the event loop serves it).
// The bundles live in bench/.work/gcp, inside the repository, so the SDK resolves from its node_modules.
//
// Usage: node scripts/build.mjs && node bench/gcp.bench.mjs [rounds]
import { execFile } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { median } from "./_measure.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ROUNDS = Math.max(5, Number(process.argv[2] ?? 15));
const SIZE = 50;
const NODE = process.execPath;
const WORK = join(ROOT, "bench/.work/gcp");
const CLI = join(ROOT, "dist/cli.js"); // beside the repository's node_modules, where the optional SDK is
const run = promisify(execFile);

if (!existsSync(CLI)) throw new Error("dist/cli.js is missing: run `node scripts/build.mjs` first");
rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
// The fake and the gcp source's module (not part of the public entry), bundled; the SDK stays external.
const bundle = (entry, out) => build({ entryPoints: [join(ROOT, entry)], bundle: true, platform: "node", format: "esm", outfile: join(WORK, out), external: ["@google-cloud/*"], logLevel: "error" });
await Promise.all([bundle("test/fakes/gcp-secret-manager.ts", "fake.mjs"), bundle("src/sources/gcp.ts", "gcp-source.mjs"), bundle("test/fakes/gcp-kms.ts", "kms-fake.mjs"), bundle("src/keys/gcp-kms.ts", "gcp-kms.mjs")]);
const { startGcpKmsFake } = await import(pathToFileURL(join(WORK, "kms-fake.mjs")).href);
const { createGcpKmsKeyProvider } = await import(pathToFileURL(join(WORK, "gcp-kms.mjs")).href);
const { startGcpSecretManagerFake } = await import(pathToFileURL(join(WORK, "fake.mjs")).href);
const { createGcpSource } = await import(pathToFileURL(join(WORK, "gcp-source.mjs")).href);
const { createLocalSource } = await import(pathToFileURL(join(ROOT, "dist/index.js")).href);

const ENV = { ...process.env };
delete ENV.NODE_EXTRA_CA_CERTS;
delete ENV.NODE_OPTIONS;

const fake = await startGcpSecretManagerFake({ projectId: "hush-bench" });
fake.maxPageSize = 25000; // the real API's page limit: one list call
const secrets = Array.from({ length: SIZE }, (_, i) => [`secret_${String(i).padStart(4, "0")}`, `v${i}-${randomBytes(24).toString("base64url")}`]);
for (const [name, value] of secrets) fake.seed("projects/hush-bench", `app-${name}`, value);
const credentials = join(WORK, "sa.json");
writeFileSync(credentials, JSON.stringify(fake.account.json), { mode: 0o600 });
const env = { ...ENV, GOOGLE_APPLICATION_CREDENTIALS: credentials };

// The two projects: gcp (hush.yaml) and local (a store of the same 50 secrets).
const gcpDir = join(WORK, "gcp-project");
const localDir = join(WORK, "local-project");
mkdirSync(gcpDir);
mkdirSync(localDir);
writeFileSync(join(gcpDir, "hush.yaml"), `version: 1\naudit: off\nsources:\n  - type: gcp\n    options:\n      project: hush-bench\n      endpoint: ${fake.url}\n      prefix: app-\n`);
writeFileSync(join(localDir, "hush.yaml"), "version: 1\naudit: off\n");
const local = createLocalSource({ secretsDir: join(localDir, ".secrets"), environment: "dev", onWarning: () => {} });
for (const [name, value] of secrets) await local.set(name, value);

// The same store, its key wrapped by the fake KMS instead of in .secrets/.encryption.key.
const kms = await startGcpKmsFake({ projectId: "hush-bench" });
const keyName = kms.createKey("hush", "dev");
const kmsDir = join(WORK, "kms-project");
cpSync(join(localDir, ".secrets"), join(kmsDir, ".secrets"), { recursive: true });
chmodSync(join(kmsDir, ".secrets"), 0o700);
rmSync(join(kmsDir, ".secrets/.encryption.key"));
writeFileSync(join(WORK, "kms-sa.json"), JSON.stringify(kms.account.json), { mode: 0o600 });
const kmsEnv = { ...ENV, GOOGLE_APPLICATION_CREDENTIALS: join(WORK, "kms-sa.json") };
const kmsContext = { root: kmsDir, secretsDir: join(kmsDir, ".secrets"), environment: "dev", env: kmsEnv, onWarning: () => {} };
await createGcpKmsKeyProvider({ keyName, endpoint: kms.url }, kmsContext).save(readFileSync(join(localDir, ".secrets/.encryption.key"), "utf8").trim());
writeFileSync(join(kmsDir, "hush.yaml"), `version: 1\naudit: off\nkeys:\n  dev:\n    provider: gcp-kms\n    keyName: ${keyName}\n    endpoint: ${kms.url}\n`);

// 1. In-process resolve of 50 names.
const names = secrets.map(([n]) => n);
const context = { root: gcpDir, secretsDir: join(gcpDir, ".secrets"), environment: "dev", env, onWarning: () => {} };
const source = createGcpSource({ project: "hush-bench", endpoint: fake.url, prefix: "app-", cacheTtlMs: 0 }, context);
const check = await source.getMany(names);
if (check.some((r, i) => r?.value !== secrets[i][1])) throw new Error("the gcp source did not return the seeded values");
const inProcess = { "gcp getMany (8 in flight)": [], "gcp get x50, one after another": [], "local getMany": [] };
const cases = {
  "gcp getMany (8 in flight)": () => source.getMany(names),
  "gcp get x50, one after another": async () => {
    for (const n of names) await source.get(n);
  },
  "local getMany": () => local.getMany(names),
};
for (let round = -2; round < ROUNDS; round++) {
  for (const [label, fn] of Object.entries(cases)) {
    const t0 = performance.now();
    await fn();
    if (round >= 0) inProcess[label].push(performance.now() - t0);
  }
}
await source.dispose();
await local.dispose();
console.log(`gcp source benchmark: node ${process.version}, loopback fake, ${ROUNDS} rounds, medians (ms)\n`);
console.log(`Resolve ${SIZE} names in one process (warm client, no cache)`);
console.log("| how | median ms |\n| --- | ---: |");
for (const [label, xs] of Object.entries(inProcess)) console.log(`| ${label} | ${median(xs).toFixed(2)} |`);

// 2. hush run with 50 secrets.
const [probeName, probeValue] = secrets[SIZE - 1];
const probe = `process.exit(process.env.${probeName.toUpperCase()} === ${JSON.stringify(probeValue)} ? 0 : 9)`;
const commands = {
  "node -e 0 (bare)": { cwd: localDir, args: ["-e", "0"] },
  "hush run, local store": { cwd: localDir, args: [CLI, "run", "--", NODE, "-e", probe] },
  "hush run, gcp (fake on loopback)": { cwd: gcpDir, args: [CLI, "run", "--", NODE, "-e", probe], env },
  "hush run, local store, key in gcp-kms": { cwd: kmsDir, args: [CLI, "run", "--", NODE, "-e", probe], env: kmsEnv },
};
const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
const labels = Object.keys(commands);
const before = fake.accessCount;
const decryptsBefore = kms.calls.decrypt;
for (let round = -1; round < ROUNDS; round++) {
  const order = labels.map((_, i) => labels[(i + Math.max(round, 0)) % labels.length]);
  for (const label of order) {
    const c = commands[label];
    const t0 = performance.now();
    await run(NODE, c.args, { cwd: c.cwd, env: c.env ?? ENV }); // rejects on a non-zero exit: the probe failed
    if (round >= 0) times[label].push(performance.now() - t0);
  }
}
console.log(`\nhush run -- node -e <probe>, ${SIZE} secrets, a fresh process each (${(fake.accessCount - before) / (ROUNDS + 1)} access calls per gcp run)`);
console.log("| command | median ms | x bare |\n| --- | ---: | ---: |");
const bare = median(times[labels[0]]);
for (const l of labels) console.log(`| ${l} | ${median(times[l]).toFixed(1)} | ${(median(times[l]) / bare).toFixed(2)} |`);
console.log(`\nKMS decrypts per hush run with the key in gcp-kms: ${(kms.calls.decrypt - decryptsBefore) / (ROUNDS + 1)}`);
await fake.close();
await kms.close();
rmSync(WORK, { recursive: true, force: true });
