/**
 * SARIF 2.1.0 output for code-scanning tools (GitHub code scanning, Azure DevOps, ...).
 * Results carry the rule (or `hush/managed-value`), the location and a message that names
 * the secret or the rule, never the value.
 */
import { ENV_FILE_RULE } from "./env-files.js";
import { PATTERN_RULES } from "./rules.js";
import type { ScanResult } from "./types.js";

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
  defaultConfiguration: { level: "error" | "warning" };
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: "error" | "warning";
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[];
  partialFingerprints?: Record<string, string>;
  properties?: Record<string, string>;
}

/**
 * Converts a scan result to a SARIF 2.1.0 log.
 *
 * @example
 * writeFileSync("hush.sarif", JSON.stringify(toSarif(await scan({})), null, 2));
 */
export function toSarif(result: ScanResult, toolVersion = "0.1.0"): SarifLog {
  const rules: SarifRule[] = [
    { id: MANAGED_RULE_ID, name: "ManagedValue", shortDescription: { text: "A value managed by hush appears in the file" }, defaultConfiguration: { level: "error" } },
    ...PATTERN_RULES.map((r) => ({ id: r.id, name: pascal(r.id), shortDescription: { text: r.description }, defaultConfiguration: { level: r.id === "generic-secret" ? "warning" as const : "error" as const } })),
    { id: ENV_FILE_RULE, name: pascal(ENV_FILE_RULE), shortDescription: { text: "A plaintext env file that hush's dotenv source reads is staged" }, defaultConfiguration: { level: "error" } },
  ];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results: SarifResult[] = result.findings.map((f) => {
    const ruleId = f.kind === "managed" ? MANAGED_RULE_ID : f.ruleId!;
    const ruleIndex = index.get(ruleId) ?? 0;
    const text = f.kind === "managed" ? `Value of managed secret '${f.secretName}'${f.environment ? ` of environment ${f.environment}` : ""} found${f.encoding && f.encoding !== "plain" ? ` (${f.encoding}-encoded)` : ""}.` : `${f.description} found (${f.preview}).`;
    const r: SarifResult = {
      ruleId,
      ruleIndex,
      level: rules[ruleIndex]!.defaultConfiguration.level,
      message: { text: f.commit ? `${text} Added in commit ${f.commit}.` : text },
      locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(f.path) }, region: { startLine: f.line, startColumn: f.column } } }],
    };
    if (f.commit) r.properties = { commit: f.commit };
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
