// A consumer of rotated PostgreSQL credentials (bench/rotation-load.mjs starts several): it gets
// the connection URL from hush (the local store, or the postgres source), runs `SELECT current_user` in a loop through a
// pool, and on the store's watch event reads the value again; when it changed, new queries go to
// a new pool and the old one is ended once its queries are done. Prints one JSON line per switch
// ({switch: user, at: epoch ms}) and a last line with its counts when stdin closes.
// Run by the load driver only: node bench/rotation-consumer.mjs <secretsDir> <name> <distIndex> [pauseMs] [local|postgres <url> <schema>]
import { pathToFileURL } from "node:url";
import pg from "pg";

const [secretsDir, name, distIndex, pause = "0", kind = "local", pgUrl, pgSchema] = process.argv.slice(2);
const pauseMs = Number(pause);
const { createLocalSource, createPostgresSource, createSecretsManager } = await import(pathToFileURL(distIndex).href);
// The local store's watch (fs.watch on its folder), or the postgres source's LISTEN.
const source = kind === "postgres" ? createPostgresSource({ url: pgUrl, schema: pgSchema, secretsDir, environment: "dev", poolSize: 2 }) : createLocalSource({ secretsDir });
const hush = createSecretsManager({ sources: [source], secretsDir, cache: false });
const say = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const userOf = (url) => decodeURIComponent(new URL(url).username);

let url = await hush.get(name, { required: true });
let pool = new pg.Pool({ connectionString: url, max: 2 });
let ok = 0;
const failures = [];
let stopping = false;
say({ switch: userOf(url), at: Date.now() });

let checking = Promise.resolve();
const unwatch = source.watch(() => {
  checking = checking.then(async () => {
    const next = await hush.get(name, { required: true });
    if (next === url) return;
    const old = pool;
    url = next;
    pool = new pg.Pool({ connectionString: url, max: 2 });
    say({ switch: userOf(url), at: Date.now() });
    await old.end();
  }).catch((e) => failures.push(`watch: ${e.code ?? e.name}`));
});

process.stdin.resume();
process.stdin.on("end", () => (stopping = true));

while (!stopping) {
  const p = pool;
  try {
    const r = await p.query("SELECT current_user AS u");
    if (r.rows[0].u !== userOf(url) && p === pool) failures.push("ran as a role no longer current");
    ok++;
  } catch (e) {
    failures.push(String(e.code ?? e.name)); // the SQLSTATE or error name only: never a message
  }
  if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
}
unwatch();
const settle = (p) => Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), 2000))]);
const watchSettled = await settle(checking);
say({ done: true, ok, failed: failures.length, failures: failures.slice(0, 10), watchSettled });
// Closing is bounded: the counts are out, and a pool or listener must not keep the process alive.
await settle(Promise.all([pool.end(), hush.dispose()]));
process.exit(0);
