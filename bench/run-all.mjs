// Runs every benchmark one after another (each prints its own table against its baseline).
// `npm run bench` builds nothing: run `npm run build` first. run.bench and scan.bench need the
// baseline tools: `cd bench && npm install` (dotenvx, secretlint 13, node@24).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const benches = [
  ["--expose-gc", here("fernet.bench.mjs")],
  [here("get.bench.mjs")],
  ["--expose-gc", here("store-open.bench.mjs")],
  [here("resolve.bench.mjs")],
  [here("audit.bench.mjs")],
  [here("scan-managed.bench.mjs")],
  [here("import.bench.mjs")],
  [here("gcp.bench.mjs"), "10"],
  [here("aws.bench.mjs")],
  [here("gateway.bench.mjs")],
  [here("kubernetes-watch.bench.mjs")],
];
if (existsSync(here("node_modules/@dotenvx/dotenvx"))) benches.push([here("run.bench.mjs"), "20", "50,1000"]);
else console.log("skipping run.bench.mjs: run `cd bench && npm install` first");
if (existsSync(here("node_modules/secretlint"))) benches.push([here("scan.bench.mjs")], [here("scan-accuracy.bench.mjs")]);
else console.log("skipping scan.bench.mjs and scan-accuracy.bench.mjs: run `cd bench && npm install` first");
let failed = 0;
for (const args of benches) {
  console.log(`\n$ node ${args.map((a) => a.replace(here("../"), "")).join(" ")}`);
  const r = spawnSync(process.execPath, args, { stdio: "inherit", env });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
