import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasNestedRepetition } from "../../src/scan/regex-risk.js";
import { scanProject } from "../../src/scan/scan-project.js";

describe("hasNestedRepetition", () => {
  it("flags a group repeated without bound that holds an unbounded repetition", () => {
    for (const risky of ["(a+)+", "(?:\\w*-)*x", "((ab)+c)*", "(x{2,})+", "(a+){3,}", "(?<s>[a-z]+\\.)+com"]) expect(hasNestedRepetition(risky), risky).toBe(true);
  });

  it("leaves bounded and flat patterns alone, and classes and escapes are atoms", () => {
    for (const fine of ["a+b*", "(a+){0,4}", "(ab)+", "[(a+)]+", "\\(a+\\)+", "(?:[a-z]{1,8}\\.){1,5}", "(a+)?", "key[_-]?(?<secret>[A-Za-z0-9]{32})"]) expect(hasNestedRepetition(fine), fine).toBe(false);
  });
});

describe("configured rules with nested repetition", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hush-regex-risk-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("warn once per rule (hush.yaml and gitleaks), and still run", async () => {
    writeFileSync(join(dir, "hush.yaml"), JSON.stringify({ version: 1, scan: { rules: [{ id: "slow-one", description: "slow", keywords: ["zz"], pattern: "zz(a+)+b" }] } }));
    writeFileSync(join(dir, ".gitleaks.toml"), "[extend]\nuseDefault = true\n[[rules]]\nid = \"slow-two\"\nregex = '''yy(?:[a-z]+-)*x'''\n");
    writeFileSync(join(dir, "a.txt"), "nothing\n");
    const warnings: string[] = [];
    const r = await scanProject({ cwd: dir, managed: false, onWarning: (w) => warnings.push(w) });
    expect(r.findings).toEqual([]);
    expect(warnings.filter((w) => /exponential time/.test(w)).map((w) => /scan rule (\S+)/.exec(w)![1])).toEqual(['"slow-one"', '"slow-two"']);
  });
});
