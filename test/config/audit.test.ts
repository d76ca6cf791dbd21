// hush.yaml `audit:` reaches the manager through openConfiguredManager / the CLI (FAULTS 21).
import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CANARY, expectNoCanary, hushIn, tempProject } from "./temp-project.js";
import { openConfiguredManager } from "../../src/config/open.js";

describe("audit mode from hush.yaml", () => {
  it("required: a read is recorded before it is served; the log holds no value and no name", async () => {
    const dir = tempProject({ "hush.yaml": "version: 1\naudit: required\n" });
    await hushIn(dir, ["init"]);
    await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY });
    const r = await hushIn(dir, ["get", "openai_api_key"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(CANARY);
    const log = readFileSync(join(dir, ".secrets", "audit.dev.jsonl"), "utf8");
    expect(log).toContain('"outcome":"served"');
    expect(log).not.toContain(CANARY);
    expect(log).not.toContain("openai_api_key");
  });

  it("required: when the record cannot be written the value is not served (AUDIT_FAILED, exit 9)", async () => {
    const dir = tempProject({ "hush.yaml": "version: 1\naudit: required\n" });
    await hushIn(dir, ["init"]);
    await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY });
    const log = join(dir, ".secrets", "audit.dev.jsonl");
    expect(existsSync(log)).toBe(true); // `set` was recorded
    rmSync(log);
    mkdirSync(log, { mode: 0o700 }); // a folder where the log file should be: every append fails
    const r = await hushIn(dir, ["get", "openai_api_key"]);
    expect(r.code).toBe(9);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('Access to "openai_api_key" denied');
    expectNoCanary(r);
  });

  it("best-effort: audited when the environment has a key, and also before (so the write that creates the key is recorded); off: no auditor", async () => {
    const dir = tempProject({ "hush.yaml": "version: 1\n" });
    const before = await openConfiguredManager({ cwd: dir, env: {} });
    expect(before.audit?.mode).toBe("best-effort");
    await before.manager.dispose();
    const off = await openConfiguredManager({ cwd: tempProject({ "hush.yaml": "version: 1\naudit: off\n" }), env: {} });
    expect(off.audit).toBeUndefined();
    await off.manager.dispose();
    await hushIn(dir, ["init"]);
    const after = await openConfiguredManager({ cwd: dir, env: {} });
    expect(after.audit?.mode).toBe("best-effort");
    await after.manager.dispose();
  });
});
