// get / set / rm / list / history / rollback / import / export through the CLI entry.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { parse } from "dotenv";
import { runHush } from "../helpers/cli.js";
import { MALLKU_FIXTURE } from "../helpers/fixtures.js";

let dir: string;
const hush = (args: string[], stdin?: string) => runHush(["--cwd", dir, ...args], { stdin });
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-values-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("set / get / rm", () => {
  it("set takes stdin (dropping one trailing newline), get prints the raw value only", async () => {
    expect((await hush(["set", "api_token"], "tok-CANARY-1\n")).code).toBe(0);
    const r = await hush(["get", "API_TOKEN"]);
    expect(r).toMatchObject({ code: 0, stdout: "tok-CANARY-1" });
    expect(r.stderr).toBe("");
    expect((await hush(["set", "multi", "--keep-newline"], "a\nb\n")).code).toBe(0);
    expect((await hush(["get", "multi"])).stdout).toBe("a\nb\n");
  });

  it("set refuses a value on the command line", async () => {
    const r = await hush(["set", "api_token", "tok-CANARY-argv"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/never from the command line|too many arguments/);
    expect((await hush(["get", "api_token"])).code).toBe(4);
  });

  it("set --from-file; rm; a missing name exits 4 with a hint", async () => {
    writeFileSync(join(dir, "v.txt"), "from-file-CANARY");
    expect((await hush(["set", "f", "--from-file", join(dir, "v.txt")])).code).toBe(0);
    expect((await hush(["get", "f"])).stdout).toBe("from-file-CANARY");
    expect((await hush(["rm", "f"])).code).toBe(0);
    const missing = await hush(["get", "f"]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/not found.*\n {2}hint:/);
  });
});

describe("list / history / rollback", () => {
  it("shows versions newest first and restores an old one as a new version", async () => {
    for (const v of ["one-CANARY", "two-CANARY", "three-CANARY"]) await hush(["set", "k"], v);
    const history = JSON.parse((await hush(["history", "k", "--json"])).stdout);
    expect(history.map((h: { version: number }) => h.version)).toEqual([3, 2, 1]);
    expect((await hush(["rollback", "k", "--to", "1"])).code).toBe(0);
    expect((await hush(["get", "k"])).stdout).toBe("one-CANARY");
    const list = JSON.parse((await hush(["list", "--json"])).stdout);
    expect(list).toEqual([expect.objectContaining({ name: "k", source: "local", version: 4, shadowed: [] })]);
    expect((await hush(["rollback", "k", "--to", "99"])).code).toBe(4);
    expect((await hush(["rollback", "k", "--to", "x"])).code).toBe(2);
  });
});

describe("import / export", () => {
  it("imports a .env file, skips existing names unless --overwrite, and exports it back losslessly", async () => {
    const values = { OPENAI_API_KEY: "sk-CANARY 'quoted' \"both\"", MULTI_LINE: "line1\nline2", PLAIN: "p" };
    writeFileSync(join(dir, "in.env"), `OPENAI_API_KEY='${values.OPENAI_API_KEY.replace(/'/g, "")}'\nMULTI_LINE="line1\\nline2"\nPLAIN=p\n`);
    const first = JSON.parse((await hush(["import", join(dir, "in.env"), "--json"])).stdout);
    expect(first.imported.sort()).toEqual(["multi_line", "openai_api_key", "plain"]);
    const again = JSON.parse((await hush(["import", join(dir, "in.env"), "--json"])).stdout);
    expect(again.imported).toEqual([]);
    expect(again.skipped.length).toBe(3);
    await hush(["set", "openai_api_key"], values.OPENAI_API_KEY);
    const exported = await hush(["export", "--format", "dotenv"]);
    expect(parse(exported.stdout)).toEqual(values);
    expect(JSON.parse((await hush(["export", "--format", "json"])).stdout)).toEqual(values);
    const shell = (await hush(["export", "--format", "shell"])).stdout;
    const seen = execFileSync("sh", ["-c", `${shell}\nprintf %s "$OPENAI_API_KEY"`], { encoding: "utf8" });
    expect(seen).toBe(values.OPENAI_API_KEY);
  });

  it("imports a JSON object and a Python .secrets/ folder", async () => {
    writeFileSync(join(dir, "in.json"), JSON.stringify({ a_key: "a-CANARY" }));
    expect(JSON.parse((await hush(["import", join(dir, "in.json"), "--json"])).stdout).imported).toEqual(["a_key"]);
    const bad = await hush(["import", join(dir, "nope.json")]);
    expect(bad.code).not.toBe(0);
    writeFileSync(join(dir, "broken.json"), '{"a": "CANARY-in-broken-json');
    const broken = await hush(["import", join(dir, "broken.json")]);
    expect(broken.stderr).not.toContain("CANARY");
    const py = JSON.parse((await hush(["import", `${MALLKU_FIXTURE}.secrets`, "--json"])).stdout);
    expect(py.format).toBe("mallku");
    expect(py.imported).toContain("service_token");
    expect((await hush(["get", "service_token"])).stdout).toBe("per-key-file-value-WINS");
  });

  it("export --strict fails on a name nothing provides", async () => {
    mkdirSync(join(dir, "x"));
    const r = await hush(["export", "--only", "missing_one", "--strict"]);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
  });

  it("export --strict exits with the problem's own code: a corrupt store is 6, not 8 (source unavailable)", async () => {
    expect((await hush(["set", "api_token"], "tok-CANARY-strict")).code).toBe(0);
    const store = join(dir, ".secrets", "dev.store");
    writeFileSync(store, "gAAAAABnot-a-token-at-all\n");
    const r = await hush(["export", "--only", "api_token", "--strict"]);
    expect(r.code).toBe(6);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^hush: error: /m);
    expect(r.stderr).not.toContain("CANARY");
    // A missing name next to the failure: the failure decides the code.
    const both = await hush(["export", "--only", "missing_one,api_token", "--strict"]);
    expect(both.code).toBe(6);
    expect(both.stderr).not.toContain("CANARY");
    // Without --strict: warnings, and what could be resolved is printed (here nothing).
    const lax = await hush(["export", "--only", "api_token"]);
    expect(lax.code).toBe(0);
    expect(lax.stderr).toMatch(/^hush: warning: /m);
  });
});
