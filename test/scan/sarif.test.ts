import { describe, expect, it } from "vitest";
import { toSarif, MANAGED_RULE_ID, SARIF_FINGERPRINT_KEY } from "../../src/scan/sarif.js";
import { VERSION } from "../../src/version.js";
import { PATTERN_RULES } from "../../src/scan/rules.js";
import type { ScanResult } from "../../src/scan/types.js";

const result: ScanResult = {
  findings: [
    { kind: "pattern", path: "src/my app.ts", line: 3, column: 17, ruleId: "openai-api-key", description: "OpenAI API key", preview: "sk-p…(164 chars)", origin: "file" },
    { kind: "managed", path: "deploy.log", line: 9, column: 1, secretName: "db_password", encoding: "base64", description: "Value of managed secret db_password (base64)", preview: "db_password (base64)", origin: "history", commit: "3b18e512dba79e4c8300dd08aeb37f8e728b8dad" },
  ],
  issues: [],
  stats: { files: 2, bytes: 100, skippedBinary: 0, skippedIgnored: 0, skippedSymlinks: 0, durationMs: 1 },
};

describe("SARIF 2.1.0", () => {
  const log = toSarif(result);

  it("has the required top-level structure", () => {
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.version).toBe("2.1.0");
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0]!.tool.driver.name).toBe("hush");
  });

  it("declares every rule once, plus the managed-value and staged-env-file rules", () => {
    const ids = log.runs[0]!.tool.driver.rules.map((r) => r.id);
    expect(ids).toEqual([MANAGED_RULE_ID, ...PATTERN_RULES.map((r) => r.id), "plaintext-env-file"]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of log.runs[0]!.tool.driver.rules) expect(r.shortDescription.text.length).toBeGreaterThan(0);
  });

  it("gives each result a rule, a level, a message and a physical location", () => {
    const [a, b] = log.runs[0]!.results;
    expect(a).toMatchObject({ ruleId: "openai-api-key", level: "error", locations: [{ physicalLocation: { artifactLocation: { uri: "src/my%20app.ts" }, region: { startLine: 3, startColumn: 17 } } }] });
    expect(log.runs[0]!.tool.driver.rules[a!.ruleIndex]!.id).toBe("openai-api-key");
    expect(b).toMatchObject({ ruleId: MANAGED_RULE_ID, properties: { commit: "3b18e512dba79e4c8300dd08aeb37f8e728b8dad" } });
    expect(b!.message.text).toContain("db_password");
  });

  it("is plain JSON and round-trips", () => {
    expect(JSON.parse(JSON.stringify(log))).toEqual(log);
  });

  it("takes the tool version from the package", () => {
    expect(log.runs[0]!.tool.driver.version).toBe(VERSION);
  });

  it("maps severity to level (high error, medium warning, low note) on rules and results", () => {
    const rules = log.runs[0]!.tool.driver.rules;
    expect(rules.find((r) => r.id === "private-key")).toMatchObject({ defaultConfiguration: { level: "error" }, properties: { severity: "high" } });
    expect(rules.find((r) => r.id === "generic-secret")).toMatchObject({ defaultConfiguration: { level: "warning" }, properties: { severity: "medium" } });
    const low = toSarif({ ...result, findings: [{ ...result.findings[0]!, severity: "low" }, { ...result.findings[0]!, severity: "medium" }] });
    expect(low.runs[0]!.results.map((r) => [r.level, r.properties.severity])).toEqual([["note", "low"], ["warning", "medium"]]);
  });

  it("carries partialFingerprints when findings have fingerprints, and none otherwise", () => {
    expect(log.runs[0]!.results[0]!.partialFingerprints).toBeUndefined();
    const fp = "0123456789abcdef0123456789abcdef01234567";
    const withFp = toSarif({ ...result, findings: [{ ...result.findings[0]!, fingerprint: fp }] });
    expect(withFp.runs[0]!.results[0]!.partialFingerprints).toEqual({ [SARIF_FINGERPRINT_KEY]: fp });
    expect(SARIF_FINGERPRINT_KEY).toBe("hushFingerprint/v1");
  });
});
