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
