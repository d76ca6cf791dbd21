/**
 * SARIF 2.1.0 output for code-scanning tools (GitHub code scanning, Azure DevOps, ...).
 * Results carry the rule (or `hush/managed-value`), the location and a message that names
 * the secret or the rule, never the value.
 */
import { ENV_FILE_RULE } from "./env-files.js";
import { PATTERN_RULES } from "./rules.js";
import { findingSeverity, ruleSeverity } from "./severity.js";
import type { ScanResult, Severity } from "./types.js";
import { VERSION } from "../version.js";

/** The key of a result's `partialFingerprints` entry (the finding's baseline fingerprint). */
export const SARIF_FINGERPRINT_KEY = "hushFingerprint/v1";

type SarifLevel = "error" | "warning" | "note";

/** SARIF `level` of a severity. */
export function sarifLevel(s: Severity): SarifLevel {
  return s === "high" ? "error" : s === "medium" ? "warning" : "note";
}

/** The SARIF rule id used for managed-value findings. */
export const MANAGED_RULE_ID = "managed-value";

const SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

/** Minimal SARIF log shape that {@link toSarif} produces. */
export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: {
    tool: { driver: { name: string; version: string; rules: SarifRule[] } };
    results: SarifResult[];
  }[];
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { severity: Severity };
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[];
  partialFingerprints?: Record<string, string>;
  properties: Record<string, string>;
}

/**
 * Converts a scan result to a SARIF 2.1.0 log.
 *
 * @example
 * writeFileSync("hush.sarif", JSON.stringify(toSarif(await scan({})), null, 2));
 */
export function toSarif(result: ScanResult, toolVersion = VERSION): SarifLog {
  const rule = (id: string, name: string, text: string, severity: Severity): SarifRule => ({ id, name, shortDescription: { text }, defaultConfiguration: { level: sarifLevel(severity) }, properties: { severity } });
  // Configured rules (hush.yaml, a gitleaks file) describe themselves; one may reuse a built-in id.
  const configured = new Map((result.configuredRules ?? []).map((r) => [r.id, r]));
  const rules: SarifRule[] = [
    rule(MANAGED_RULE_ID, "ManagedValue", "A value managed by hush appears in the file", "high"),
    ...PATTERN_RULES.filter((r) => !configured.has(r.id)).map((r) => rule(r.id, pascal(r.id), r.description, ruleSeverity(r))),
    ...[...configured.values()].map((r) => rule(r.id, pascal(r.id), r.description, r.severity)),
    rule(ENV_FILE_RULE, pascal(ENV_FILE_RULE), "A plaintext env file that hush's dotenv source reads is staged", "high"),
  ];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results: SarifResult[] = result.findings.map((f) => {
    const ruleId = f.kind === "managed" ? MANAGED_RULE_ID : f.ruleId!;
    const ruleIndex = index.get(ruleId) ?? 0;
    const text = f.kind === "managed" ? `Value of managed secret '${f.secretName}'${f.environment ? ` of environment ${f.environment}` : ""} found${f.encoding && f.encoding !== "plain" ? ` (${f.encoding}-encoded)` : ""}.` : `${f.description} found (${f.preview}).`;
    const severity = f.severity ?? findingSeverity(f);
    const r: SarifResult = {
      ruleId,
      ruleIndex,
      level: sarifLevel(severity),
      message: { text: f.commit ? `${text} Added in commit ${f.commit}.` : text },
      locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(f.path) }, region: { startLine: f.line, startColumn: f.column } } }],
      properties: { severity, ...(f.commit ? { commit: f.commit } : {}) },
    };
    if (f.fingerprint) r.partialFingerprints = { [SARIF_FINGERPRINT_KEY]: f.fingerprint };
    return r;
  });
  return {
    $schema: SCHEMA,
    version: "2.1.0",
    runs: [{ tool: { driver: { name: "hush", version: toolVersion, rules } }, results }],
  };
}

// --- internal ---

function pascal(id: string): string {
  return id.split("-").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
}
