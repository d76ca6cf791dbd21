import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush } from "../helpers/cli.js";
import { FAKE } from "../scan/fakes.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-cli-baseline-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const noValues = (s: string, ...values: string[]) => {
  for (const v of values) expect(s).not.toContain(v.slice(4));
};

describe("hush scan --baseline", () => {
  it("--baseline-write then --baseline: only the new leak, exit 1; all accepted: exit 0; --json adds baselined", async () => {
    const old = FAKE["github-token"]!();
    writeFileSync(join(dir, "a.ts"), `const a = "${old}";\n`);
    const w = await runHush(["scan", "-C", dir, "--no-managed", "--baseline-write", ".hush/scan-baseline.json"]);
    expect(w.code).toBe(1);
    noValues(w.stdout + w.stderr + readFileSync(join(dir, ".hush/scan-baseline.json"), "utf8"), old);

    writeFileSync(join(dir, "a.ts"), `\n\nconst a = "${old}";\n`);
    const same = await runHush(["scan", "-C", dir, "--no-managed", "--baseline", ".hush/scan-baseline.json"]);
    expect(same).toMatchObject({ code: 0, stdout: "" });
    expect(same.stderr).toMatch(/no secrets found .*1 accepted by the baseline/);

    const fresh = FAKE["openai-api-key"]!();
    writeFileSync(join(dir, "b.ts"), `k = "${fresh}"\n`);
    const r = await runHush(["scan", "-C", dir, "--no-managed", "--baseline", ".hush/scan-baseline.json", "--json"]);
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.stdout);
    expect(Object.keys(parsed).sort()).toEqual(["baselined", "findings", "issues", "stats"]);
    expect(parsed.baselined).toBe(1);
    expect(parsed.findings.map((f: { path: string; ruleId: string }) => `${f.path} ${f.ruleId}`)).toEqual(["b.ts openai-api-key"]);
    noValues(r.stdout + r.stderr + same.stderr, old, fresh);
  });

  it("a missing baseline fails (exit not 0 or 1), naming the file", async () => {
    writeFileSync(join(dir, "a.ts"), "nothing here\n");
    const r = await runHush(["scan", "-C", dir, "--no-managed", "--baseline", "missing.json"]);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBe(1);
    expect(r.stderr).toContain("missing.json");
  });
});

describe("hush scan severity, --fail-on and SARIF fingerprints", () => {
  const generic = () => `api_secret = "${FAKE["generic-secret"]!()}"\n`;

  it("--fail-on high: a medium finding is printed with its severity but exits 0; a high one exits 1", async () => {
    const line = generic();
    writeFileSync(join(dir, "conf.py"), line);
    const any = await runHush(["scan", "-C", dir, "--no-managed"]);
    expect(any.code).toBe(1);
    expect(any.stdout).toMatch(/conf\.py:1:\d+ {2}generic-secret {2}.*\[medium\]$/m);
    const high = await runHush(["scan", "-C", dir, "--no-managed", "--fail-on", "high"]);
    expect(high.code).toBe(0);
    expect(high.stdout).toContain("[medium]");
    expect((await runHush(["scan", "-C", dir, "--no-managed", "--fail-on", "medium"])).code).toBe(1);
    const key = FAKE["github-token"]!();
    writeFileSync(join(dir, "a.ts"), `t = "${key}"\n`);
    const both = await runHush(["scan", "-C", dir, "--no-managed", "--fail-on", "high", "--json"]);
    expect(both.code).toBe(1);
    expect(JSON.parse(both.stdout).findings.map((f: { ruleId: string; severity: string }) => `${f.ruleId} ${f.severity}`).sort()).toEqual(["generic-secret medium", "github-token high"]);
    const bad = await runHush(["scan", "-C", dir, "--fail-on", "critical"]);
    expect(bad.code).toBe(2);
    noValues(any.stdout + any.stderr + high.stdout + both.stdout + bad.stderr, key, line.slice(14, 46));
  });

  it("SARIF: partialFingerprints with a baseline's salt, stable across a moved line, level from severity", async () => {
    const key = FAKE["github-token"]!();
    writeFileSync(join(dir, "a.ts"), `t = "${key}"\n`);
    const none = JSON.parse((await runHush(["scan", "-C", dir, "--no-managed", "--format", "sarif"])).stdout);
    expect(none.runs[0].results[0].partialFingerprints).toBeUndefined();
    await runHush(["scan", "-C", dir, "--no-managed", "--baseline-write", ".hush/scan-baseline.json"]);
    const first = JSON.parse((await runHush(["scan", "-C", dir, "--no-managed", "--format", "sarif"])).stdout);
    writeFileSync(join(dir, "a.ts"), `\n\n  t = "${key}"\n`);
    const moved = await runHush(["scan", "-C", dir, "--no-managed", "--format", "sarif"]);
    const second = JSON.parse(moved.stdout);
    const fp = first.runs[0].results[0].partialFingerprints["hushFingerprint/v1"];
    expect(fp).toMatch(/^[0-9a-f]{40}$/);
    expect(second.runs[0].results[0].partialFingerprints["hushFingerprint/v1"]).toBe(fp);
    expect(second.runs[0].results[0].level).toBe("error");
    noValues(moved.stdout + moved.stderr, key);
  });
});
