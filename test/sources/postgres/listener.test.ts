// Propagation: NOTIFY in the write's transaction, a LISTEN per source, the manager's cache
// dropped; a listener whose backend is terminated reconnects and re-reads what it missed; three
// separate processes sharing one store see each other's writes.
import { describe, expect, it } from "vitest";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createSecretsManager } from "../../../src/manager.js";
import type { SourceChange } from "../../../src/types.js";
import { generateFernetKey } from "../../../src/crypto/fernet.js";
import { randomName, TEST_DATABASE_URL } from "../../helpers/postgres.js";
import { postgresFixture } from "./fixture.js";

const fx = postgresFixture();

/** Resolves when `predicate` holds, polling every 20 ms (bounded by the test's timeout). */
async function until(predicate: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await predicate())) await new Promise((r) => setTimeout(r, 20));
}

describe("postgres change propagation", () => {
  it("a write elsewhere drops the manager's cache entry and reaches watch subscribers, with names and no values", async () => {
    const store = fx.store();
    const source = fx.source(store);
    const writer = fx.source(store);
    await writer.set("pushed", "v1-CANARY");
    const manager = createSecretsManager({ sources: [source], cwd: process.cwd(), cacheTtlMs: 3_600_000 });
    const changes: SourceChange[] = [];
    source.watch((c) => changes.push(c));
    await source.listening();
    expect(await manager.get("pushed")).toBe("v1-CANARY");
    await writer.set("pushed", "v2-CANARY");
    await until(() => changes.length > 0);
    expect(changes[0]).toEqual({ source: "postgres", names: ["pushed"] });
    expect(await manager.get("pushed"), "the cached v1 was dropped").toBe("v2-CANARY");
    await manager.dispose();
  });

  it("the listener's backend terminated, a write while it is down: it reconnects, re-reads the change sequence, converges once", async () => {
    const store = fx.store();
    const app = randomName("hush_lst");
    const source = fx.source({ ...store, applicationName: app });
    const writer = fx.source(store);
    await writer.setMany([["missed", "v1-CANARY"], ["other", "o1-CANARY"]]);
    const manager = createSecretsManager({ sources: [source], cwd: process.cwd(), cacheTtlMs: 3_600_000 });
    const changes: SourceChange[] = [];
    source.watch((c) => changes.push(c));
    await source.listening();
    expect(await manager.get("missed")).toBe("v1-CANARY");
    expect(await manager.get("other")).toBe("o1-CANARY");

    // The write itself terminates the listener's backend (a trigger, before its COMMIT): its
    // NOTIFY goes out while no listener is there, so only the change sequence can tell.
    const fn = randomName("kill_listener");
    await fx.sql(`CREATE FUNCTION {s}.${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '${app}-listen'; RETURN NEW; END $$`);
    await fx.sql(`CREATE TRIGGER ${fn} BEFORE INSERT ON {s}.versions FOR EACH ROW EXECUTE FUNCTION {s}.${fn}()`);
    try {
      await writer.set("missed", "v2-CANARY");
    } finally {
      await fx.sql(`DROP TRIGGER ${fn} ON {s}.versions`);
    }
    await until(() => changes.length > 0);
    await source.listening();
    await new Promise((r) => setTimeout(r, 300)); // room for a storm of duplicate events, were there one
    expect(changes.length, "one change reported, not a storm").toBeLessThanOrEqual(2);
    expect(changes.flatMap((c) => c.names ?? [])).toContain("missed");
    expect(await manager.get("missed"), "no stale value").toBe("v2-CANARY");
    expect(await manager.get("other")).toBe("o1-CANARY");

    // After reconnecting, the listener hears new writes again.
    const before = changes.length;
    await writer.set("other", "o2-CANARY");
    await until(() => changes.length > before);
    expect(await manager.get("other")).toBe("o2-CANARY");
    await manager.dispose();
  });

  it("three separate processes sharing one store: a write in one reaches the other two", async () => {
    const environment = randomName("env");
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HUSH_DIST: fileURLToPath(new URL("../../../dist/index.js", import.meta.url)),
      PG_URL: TEST_DATABASE_URL,
      PG_SCHEMA: fx.schema,
      PG_ENV: environment,
      PG_KEY: generateFernetKey(),
      PG_NAME: "shared_secret",
    };
    const seeder = fx.source({ environment, key: (await import("../../../src/crypto/fernet.js")).parseFernetKey(env.PG_KEY) });
    await seeder.set("shared_secret", "one");
    const script = fileURLToPath(new URL("../../helpers/pg-instance.mjs", import.meta.url));
    const children: { proc: ChildProcessWithoutNullStreams; lines: string[] }[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const proc = spawn(process.execPath, [script], { env });
        const entry = { proc, lines: [] as string[] };
        createInterface({ input: proc.stdout }).on("line", (l) => entry.lines.push(l));
        children.push(entry);
      }
      await until(() => children.every((c) => c.lines.includes("ready one")));
      children[0]!.proc.stdin.write("set two\n");
      await until(() => children.slice(1).every((c) => c.lines.includes("value two")));
      await until(() => children[0]!.lines.includes("written"));
      expect(children.slice(1).every((c) => !c.lines.includes("written")), "only the first wrote").toBe(true);
    } finally {
      for (const c of children) c.proc.kill();
    }
  });
});
