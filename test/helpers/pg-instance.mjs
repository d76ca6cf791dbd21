// One "instance of a service" for the multi-process postgres tests: a manager over the postgres
// source (from the built dist/index.js), which prints `ready`, then `value <v>` each time a change
// reaches it, and writes `set <v>` lines read from stdin. Test values only.
import { createInterface } from "node:readline";
const { createSecretsManager, createPostgresSource, parseFernetKey } = await import(process.env.HUSH_DIST);
const source = createPostgresSource({ url: process.env.PG_URL, schema: process.env.PG_SCHEMA, environment: process.env.PG_ENV, secretsDir: "/nonexistent", key: parseFernetKey(process.env.PG_KEY), poolSize: 2 });
const manager = createSecretsManager({ sources: [source], environment: "dev", cwd: process.cwd() });
const name = process.env.PG_NAME;
source.watch(async () => {
  console.log(`value ${await manager.get(name)}`);
});
// stdin keeps the process alive (the listener's socket is unref'd on purpose).
createInterface({ input: process.stdin }).on("line", async (line) => {
  if (line.startsWith("set ")) {
    await manager.set(name, line.slice(4));
    console.log("written");
  }
  if (line === "exit") {
    await manager.dispose();
    process.exit(0);
  }
});
await source.listening();
console.log(`ready ${await manager.get(name)}`);
