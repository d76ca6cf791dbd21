/**
 * The audit before the environment's key exists (issue 10): the write that creates the key is
 * recorded, a read before it is warned about (best-effort) or denied with the fix (required),
 * and every record names `hush <command>` as the actor's command, as docs/audit.md says.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CANARY, expectNoCanary, hushIn, tempProject } from "../config/temp-project.js";
import { baseEnv, buildCli, NODE, RUN_CHILD, runHushBinary } from "../helpers/run-binary.js";

const records = (dir: string) => readFileSync(join(dir, ".secrets", "audit.dev.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { action: string; outcome: string; actor: { command: string } });

describe("best-effort audit (the default) before the key exists", () => {
  it("a read before the key is a warning that names `hush init`, not silence; the value is still served", async () => {
    const dir = tempProject({ ".env": `OPENAI_API_KEY=${CANARY}\n` });
    const r = await hushIn(dir, ["get", "openai_api_key"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(CANARY);
    expect(r.stderr).toMatch(/^hush: warning: audit: 1 access record was not written: no key file at .*\.encryption\.key yet.*accesses are still served.*`hush init`/);
    expect(r.stderr).not.toContain(CANARY);
  });

  it("the `hush set` that creates the key is recorded, with the actor `hush set`; later reads with `hush get`", async () => {
    const dir = tempProject();
    const set = await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY });
    expect(set.code).toBe(0);
    expect(set.stderr).not.toMatch(/warning/);
    expect((await hushIn(dir, ["get", "openai_api_key"])).code).toBe(0);
    expect(records(dir).map((r) => `${r.action} ${r.outcome} ${r.actor.command}`)).toEqual(["write served hush set", "read served hush get"]);
    expect(readFileSync(join(dir, ".secrets", "audit.dev.jsonl"), "utf8")).not.toContain(CANARY);
  });
});

describe("required audit before the key exists", () => {
  it("denies with one clear sentence and the fix (`hush init`), not a hint to turn the audit down", async () => {
    const dir = tempProject({ "hush.yaml": "version: 1\naudit: required\n", ".env": `OPENAI_API_KEY=${CANARY}\n` });
    const r = await hushIn(dir, ["get", "openai_api_key"]);
    expect(r.code).toBe(9);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^hush: Access to "openai_api_key" denied \(fail-closed audit\): no key file at .*\.encryption\.key yet, and audit ids are keyed by it\.\n {2}hint: Create the key with `hush init`/);
    expect(r.stderr.match(/denied/g)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/best-effort|secret ids:|\(No audit sink/);
    expectNoCanary(r);
    // After `hush init` the same read is served and recorded.
    expect((await hushIn(dir, ["init"])).code).toBe(0);
    expect((await hushIn(dir, ["get", "openai_api_key"])).stdout).toBe(CANARY);
    expect(records(dir).map((x) => `${x.action} ${x.outcome} ${x.actor.command}`)).toEqual(["read served hush get"]);
  });
});

describe("the actor of `hush run`", () => {
  let cli: string;
  let cleanup: () => void;
  beforeAll(() => ({ cli, cleanup } = buildCli()));
  afterAll(() => cleanup?.());

  it("is `hush run` on the fast path too, never the bundle's file name", async () => {
    const dir = tempProject();
    expect((await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY })).code).toBe(0);
    const r = await runHushBinary(cli, ["run", "--", NODE, RUN_CHILD, "env", "OPENAI_API_KEY"], { cwd: dir, env: baseEnv() });
    expect(r.code).toBe(0);
    const commands = records(dir).map((x) => x.actor.command);
    expect(commands).toEqual(["hush set", "hush run"]);
    expect(JSON.stringify(commands)).not.toMatch(/cli\.js|cli-run/);
  });
});
