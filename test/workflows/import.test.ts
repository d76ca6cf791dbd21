// hush import through the CLI entry: `.env` in the project folder (read by the chain itself),
// --remove-source, a folder that is not a Python layout, and the batch write.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush } from "../helpers/cli.js";
import { createSecretsManager } from "../../src/manager.js";
import { createLocalSource } from "../../src/sources/local.js";
import { importSecrets } from "../../src/workflows/import.js";
import { createMemorySource } from "../helpers/memory-source.js";

let dir: string;
const env = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME });
const hush = (args: string[], stdin?: string) => runHush(["--cwd", dir, ...args], { stdin, env: env() });
const VALUES = { OPENAI_API_KEY: "sk-proj-CANARY-import-0123456789", DB_PASS: "pw CANARY # $x", MULTI: "l1\nl2-CANARY" };
const dotenvText = `OPENAI_API_KEY=${VALUES.OPENAI_API_KEY}\nDB_PASS='${VALUES.DB_PASS}'\nMULTI="l1\\nl2-CANARY"\n`;
const noCanary = (r: { stdout: string; stderr: string }, where = "stderr") => expect((where === "stderr" ? r.stderr : r.stdout).includes("CANARY"), "no value in the output").toBe(false);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-import-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("hush import .env (the file the chain itself reads)", () => {
  it("imports every name into local (not 'skipped: exists'), and says .env still shadows them", async () => {
    writeFileSync(join(dir, ".env"), dotenvText);
    const r = await hush(["import", ".env".replace(/^/, `${dir}/`)]);
    expect(r.code, r.stderr).toBe(0);
    noCanary(r);
    expect(r.stderr).toMatch(/imported 3 secret\(s\) from .*\.env \(dotenv\) into local/);
    expect(r.stderr).toMatch(/still provided by the dotenv source, which comes before local and wins: .*openai_api_key/);
    expect(r.stderr).toMatch(/--remove-source/);
    const json = JSON.parse((await hush(["import", join(dir, ".env"), "--json"])).stdout);
    expect(json.imported).toEqual([]);
    expect(json.skipped.map((s: { name: string }) => s.name).sort()).toEqual(["db_pass", "multi", "openai_api_key"]);
    expect(json.shadowed).toEqual(expect.arrayContaining([{ name: "openai_api_key", source: "dotenv", location: `${join(dir, ".env")}:OPENAI_API_KEY` }]));
    expect(r.stderr).toMatch(/next: check with `hush list`.*then remove .*\.env \(or re-run with --remove-source\)/);
    rmSync(join(dir, ".env"));
    expect((await hush(["get", "OPENAI_API_KEY"])).stdout).toBe(VALUES.OPENAI_API_KEY);
    expect((await hush(["get", "multi"])).stdout).toBe(VALUES.MULTI);
  });

  it("--remove-source removes .env once every value is stored and read back, and says so", async () => {
    writeFileSync(join(dir, ".env"), dotenvText);
    const r = await hush(["import", join(dir, ".env"), "--remove-source"]);
    expect(r.code, r.stderr).toBe(0);
    noCanary(r);
    expect(r.stderr).toMatch(/removed .*\.env: every value in it is stored in local and was read back equal/);
    expect(r.stderr).not.toMatch(/still provided/);
    expect(existsSync(join(dir, ".env"))).toBe(false);
    const list = JSON.parse((await hush(["list", "--json"])).stdout);
    expect(list.map((l: { name: string; source: string }) => `${l.name}:${l.source}`).sort()).toEqual(["db_pass:local", "multi:local", "openai_api_key:local"]);
  });

  it("--remove-source keeps the file when a name in it holds another value in the target (names only, exit 2)", async () => {
    expect((await hush(["set", "db_pass"], "other-CANARY-value")).code).toBe(0);
    writeFileSync(join(dir, ".env"), dotenvText);
    const r = await hush(["import", join(dir, ".env"), "--remove-source"]);
    expect(r.code).toBe(2);
    noCanary(r);
    expect(r.stderr).toMatch(/was kept: 1 name\(s\) in it hold another value in local \(db_pass\)/);
    expect(existsSync(join(dir, ".env"))).toBe(true);
    expect((await hush(["import", join(dir, ".env"), "--remove-source", "--overwrite"])).code).toBe(0);
    expect(existsSync(join(dir, ".env"))).toBe(false);
  });

  it("--remove-source keeps a file with keys that are not secret names, and refuses a folder", async () => {
    writeFileSync(join(dir, "in.env"), `GOOD=CANARY-good\n1BAD=CANARY-bad\n`);
    const r = await hush(["import", join(dir, "in.env"), "--remove-source"]);
    expect(r.code).toBe(2);
    noCanary(r);
    expect(existsSync(join(dir, "in.env"))).toBe(true);
    mkdirSync(join(dir, "py"));
    const folder = await hush(["import", join(dir, "py"), "--remove-source"]);
    expect(folder.code).toBe(2);
  });
});

describe("hush import of a folder that is not a Python layout", () => {
  it("is an error (exit 2, nothing written), never 'imported 0'", async () => {
    mkdirSync(join(dir, "empty"));
    const empty = await hush(["import", join(dir, "empty")]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/is not a Python \(Mallku\) secrets folder: it has no \.encryption\.key/);
    expect(empty.stderr).not.toMatch(/imported 0/);
    mkdirSync(join(dir, "keyonly"));
    writeFileSync(join(dir, "keyonly", ".encryption.key"), "x".repeat(44));
    expect((await hush(["import", join(dir, "keyonly")])).stderr).toMatch(/holds no secrets/);
    expect((await hush(["set", "a_key"], "CANARY-a")).code).toBe(0);
    const store = await hush(["import", join(dir, ".secrets")]);
    expect(store.code).toBe(2);
    expect(store.stderr).toMatch(/holds a hush store/);
    noCanary(store);
  });
});

describe("import writes one batch", () => {
  it("uses the target's setMany once (one lock, one rewrite) and audits each name", async () => {
    const local = createLocalSource({ secretsDir: join(dir, ".secrets") });
    let batches = 0;
    let sets = 0;
    const counted = { ...local, name: "local", setMany: (e: readonly (readonly [string, string])[]) => (batches++, local.setMany(e)), set: (n: string, v: string) => (sets++, local.set(n, v)) };
    const events: string[] = [];
    const m = createSecretsManager({ cwd: dir, sources: [counted], onWarning: () => undefined });
    m.onAccess((e) => void events.push(`${e.action}:${e.name}:${e.outcome}`));
    const entries = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`key_${i}`, `CANARY-${i}`]));
    writeFileSync(join(dir, "in.json"), JSON.stringify(entries));
    const result = await importSecrets(m, join(dir, "in.json"));
    expect(result.imported.length).toBe(300);
    expect({ batches, sets }).toEqual({ batches: 1, sets: 0 });
    expect(events.filter((e) => e.startsWith("write:") && e.endsWith(":served")).length).toBe(300);
    expect((await local.get("key_299"))?.value).toBe("CANARY-299");
    expect((await local.versions("key_0")).length).toBe(1);
    await m.dispose();
  });

  it("falls back to one set per name for a source without setMany", async () => {
    const memory = createMemorySource("memory", {});
    const m = createSecretsManager({ cwd: dir, sources: [memory], onWarning: () => undefined });
    writeFileSync(join(dir, "in.json"), JSON.stringify({ a: "CANARY-a", b: "CANARY-b" }));
    expect((await importSecrets(m, join(dir, "in.json"))).imported).toEqual(["a", "b"]);
    expect(await m.get("b")).toBe("CANARY-b");
    await m.dispose();
  });
});
