// One process of the propagation benchmark: MANAGERS managers over one postgres source (one
// LISTEN connection, a pool of 2). Prints `ready`, then `have <value> <epoch ms>` once every
// manager of this process serves a new value.
const { createSecretsManager, createPostgresSource, parseFernetKey } = await import(process.env.HUSH_DIST);
const source = createPostgresSource({ url: process.env.PG_URL, schema: process.env.PG_SCHEMA, environment: process.env.PG_ENV, secretsDir: "/nonexistent", key: parseFernetKey(process.env.PG_KEY), poolSize: 2 });
const managers = Array.from({ length: Number(process.env.MANAGERS) }, () => createSecretsManager({ sources: [source], cwd: process.cwd(), cacheTtlMs: 3_600_000, onWarning: () => {} }));
const name = process.env.PG_NAME;
let last = "";
source.watch(async () => {
  const values = await Promise.all(managers.map((m) => m.get(name)));
  const t = performance.timeOrigin + performance.now();
  if (values.every((v) => v === values[0]) && values[0] !== last) {
    last = values[0];
    console.log(`have ${values[0]} ${t}`);
  }
});
process.stdin.on("data", () => {}); // the parent's pipe keeps this process alive
process.stdin.on("end", () => process.exit(0));
await source.listening();
for (const m of managers) await m.get(name);
console.log("ready");
