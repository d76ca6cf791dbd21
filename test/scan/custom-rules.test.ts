/**
 * Custom pattern rules in hush.yaml (`scan.rules`): validated offline with paths and no value;
 * true and false cases drawn at random per run, as the built-in rules' tests do; findings carry
 * the rule's id and severity through baselines, SARIF, --only-rules and --fail-on.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfig } from "../../src/config/validate.js";
import { HushError } from "../../src/errors.js";
import { scanProject } from "../../src/scan/scan-project.js";
import { toSarif } from "../../src/scan/sarif.js";
import { runHush } from "../helpers/cli.js";
import { ALNUM, rand } from "./fakes.js";

const DRAWS = Number(process.env.HUSH_RULE_DRAWS ?? 25);

const ACME_RULE = {
  id: "acme-api-key",
  description: "ACME API key",
  keywords: ["acme_"],
  pattern: "(?<![A-Za-z0-9_])(?<secret>acme_[A-Za-z0-9]{32})(?![A-Za-z0-9_])",
  entropy: 3.5,
  requireDigit: true,
  placeholders: ["^acme_test"],
  severity: "medium",
};

const acmeKey = () => `acme_${rand(ALNUM, 32)}`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-custom-rules-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** hush.yaml (JSON is YAML) with these scan rules. */
function project(rules: unknown[], extra: Record<string, unknown> = {}): void {
  writeFileSync(join(dir, "hush.yaml"), JSON.stringify({ version: 1, scan: { rules, ...extra } }));
}

async function findings(text: string): Promise<string[]> {
  writeFileSync(join(dir, "file.txt"), text);
  const r = await scanProject({ cwd: dir, managed: false, onlyRules: ["acme-api-key"] });
  return r.findings.map((f) => `${f.ruleId} ${f.severity}`);
}

describe("hush.yaml scan.rules: random true and false cases", () => {
  it("finds the rule's keys, drawn at random, in the usual places", async () => {
    project([ACME_RULE]);
    for (let i = 0; i < DRAWS; i++) {
      const key = acmeKey();
      const lines = [`ACME_KEY=${key}`, `const client = new Acme({ key: "${key}" });`, `  acme: ${key}`];
      const line = lines[i % lines.length]!;
      expect(await findings(`${line}\n`), line.replace(key, "<key>")).toEqual(["acme-api-key medium"]);
    }
  });

  it("leaves out the false cases: too short or long, low entropy, no digit, placeholders, wrong keyword case", async () => {
    project([ACME_RULE]);
    for (let i = 0; i < DRAWS; i++) {
      const falseCases = [
        `acme_${rand(ALNUM, 31)}`,
        `acme_${rand(ALNUM, 33)}`,
        `acme_${"ab12".repeat(8)}`,
        `acme_${rand("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 32)}`,
        `acme_test${rand(ALNUM, 28)}`,
        `acme_EXAMPLE${rand(ALNUM, 25)}`,
        `ACME_${rand(ALNUM, 32)}`,
        `xacme_${rand(ALNUM, 32)}`,
      ];
      const text = falseCases.map((k) => `key = "${k}"`).join("\n") + "\n";
      expect(await findings(text)).toEqual([]);
    }
  });

  it("baselines, SARIF, --only-rules and --fail-on see the rule", async () => {
    project([ACME_RULE]);
    const key = acmeKey();
    writeFileSync(join(dir, "a.env"), `ACME_KEY=${key}\n`);
    const w = await runHush(["scan", "-C", dir, "--no-managed", "--baseline-write", "base.json", "--only-rules", "acme-api-key"]);
    expect(w.code).toBe(1);
    expect(w.stdout).toMatch(/a\.env:1:10 {2}acme-api-key {2}acme…\(37 chars\) {2}\[medium\]/);
    expect(readFileSync(join(dir, "base.json"), "utf8")).toContain('"ruleId": "acme-api-key"');
    const again = await runHush(["scan", "-C", dir, "--no-managed", "--baseline", "base.json", "--only-rules", "acme-api-key"]);
    expect(again.code).toBe(0);
    const high = await runHush(["scan", "-C", dir, "--no-managed", "--fail-on", "high", "--only-rules", "acme-api-key"]);
    expect(high.code).toBe(0);
    expect(high.stdout).toContain("acme-api-key");
    const r = await scanProject({ cwd: dir, managed: false, onlyRules: ["acme-api-key"] });
    const sarif = toSarif(r);
    const rule = sarif.runs[0]!.tool.driver.rules.find((x) => x.id === "acme-api-key");
    expect(rule).toMatchObject({ shortDescription: { text: "ACME API key" }, defaultConfiguration: { level: "warning" } });
    expect(sarif.runs[0]!.results[0]).toMatchObject({ ruleId: "acme-api-key", level: "warning" });
    for (const out of [w.stdout, w.stderr, again.stderr, high.stdout, JSON.stringify(sarif), readFileSync(join(dir, "base.json"), "utf8")]) expect(out).not.toContain(key.slice(5));
  });
});

describe("hush.yaml scan.rules: validation with paths, never a value", () => {
  const CANARY = `acme_${rand(ALNUM, 32)}`;

  function problems(rules: unknown): string {
    try {
      validateConfig({ version: 1, scan: { rules } });
    } catch (e) {
      expect(e).toBeInstanceOf(HushError);
      expect((e as HushError).code).toBe("CONFIG_INVALID");
      expect((e as HushError).message).not.toContain(CANARY);
      return (e as HushError).message;
    }
    throw new Error("expected CONFIG_INVALID");
  }

  it("names each problem by its path", () => {
    const ok = { id: "team-token", description: "Team token", keywords: ["tt_"], pattern: `tt_[0-9]{8}|${CANARY}` };
    const cases: [unknown, RegExp][] = [
      [[ok, ok, { ...ok, id: "other", pattern: `(${CANARY}` }], /scan\.rules\[2\]\.pattern: not a valid JavaScript regular expression/],
      [[{ ...ok, id: "jwt" }], /scan\.rules\[0\]\.id: a built-in rule has this id/],
      [[ok, ok], /scan\.rules\[1\]\.id: an earlier rule has this id/],
      [[{ ...ok, secretGroup: 1 }], /scan\.rules\[0\]\.secretGroup: (unknown key|looks like a credential)/],
      [[{ ...ok, value: CANARY }], /scan\.rules\[0\]\.value: (unknown key|looks like a credential)/],
      [[{ ...ok, flags: "gu" }], /scan\.rules\[0\]\.flags: expected some of i, m, s/],
      [[{ ...ok, entropy: 9 }], /scan\.rules\[0\]\.entropy: expected a number from 0 to 8/],
      [[{ ...ok, severity: "critical" }], /scan\.rules\[0\]\.severity: expected one of high, medium, low/],
      [[{ ...ok, placeholders: [`[${CANARY}`] }], /scan\.rules\[0\]\.placeholders\[0\]: not a valid JavaScript regular expression/],
      [[{ ...ok, keywords: [""] }], /scan\.rules\[0\]\.keywords: expected a list of non-empty strings/],
      [[{ ...ok, requireDigit: "yes" }], /scan\.rules\[0\]\.requireDigit: expected true or false/],
      [[{ ...ok, id: "Team_Token" }], /scan\.rules\[0\]\.id: expected a kebab-case id/],
      [[{ id: "x" }], /scan\.rules\[0\]\.description: expected a non-empty string, got nothing/],
      ["acme", /scan\.rules: expected a list of rules/],
    ];
    for (const [rules, expected] of cases) expect(problems(rules), JSON.stringify(rules).slice(0, 80)).toMatch(expected);
  });

  it("hush scan, hush check and hush doctor refuse an invalid hush.yaml, naming the path", async () => {
    project([{ ...ACME_RULE, pattern: `(${CANARY}` }]);
    const r = await runHush(["scan", "-C", dir, "--no-managed"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("scan.rules[0].pattern");
    const check = await runHush(["check", "-C", dir]);
    expect(check.code).toBe(3);
    const doctor = await runHush(["doctor", "-C", dir]);
    expect(doctor.code).not.toBe(0);
    for (const o of [check, doctor]) expect(o.stdout + o.stderr).toContain("scan.rules[0].pattern: not a valid JavaScript regular expression");
    for (const o of [r, check, doctor]) expect(o.stderr + o.stdout).not.toContain(CANARY);
  });

  it("a custom rule's id may be switched off in scan.allow.rules; an id clash with a gitleaks rule is an error", async () => {
    project([ACME_RULE], { allow: { rules: ["acme-api-key"] } });
    writeFileSync(join(dir, "a.env"), `ACME_KEY=${acmeKey()}\n`);
    expect((await scanProject({ cwd: dir, managed: false, gitleaksConfig: false })).findings.filter((f) => f.ruleId === "acme-api-key")).toEqual([]);
    project([ACME_RULE]);
    writeFileSync(join(dir, ".gitleaks.toml"), `[[rules]]\nid = "acme-api-key"\nregex = '''acme'''\n`);
    await expect(scanProject({ cwd: dir, managed: false })).rejects.toMatchObject({ code: "CONFIG_INVALID", message: expect.stringMatching(/also a rule of the gitleaks config/) });
  });
});
