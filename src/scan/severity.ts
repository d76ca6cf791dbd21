/**
 * Severity of findings: `high` for private keys, provider API keys, credentials and managed
 * values; `medium` for generic assignments and tokens that are often short-lived (JWTs); `low`
 * for keys that are public by design (a Firebase web config's API key). A rule's own `severity`
 * wins over these defaults.
 */
import { PATTERN_RULES, type PatternRule } from "./rules.js";
import type { ScanFinding, Severity } from "./types.js";

/** Rule ids whose default is `medium`. */
const MEDIUM: ReadonlySet<string> = new Set(["generic-secret", "jwt"]);

/** Severities from the most to the least severe. */
export const SEVERITIES: readonly Severity[] = ["high", "medium", "low"];

/** The severity of a rule. */
export function ruleSeverity(rule: Pick<PatternRule, "id" | "severity">): Severity {
  if (rule.severity) return rule.severity;
  if (MEDIUM.has(rule.id) || rule.id.startsWith("generic-")) return "medium";
  if (rule.id.includes("firebase")) return "low";
  return "high";
}

/** The severity of a finding: its rule's, or `high` for a managed value or a staged env file. */
export function findingSeverity(f: Pick<ScanFinding, "kind" | "ruleId">, rules: readonly Pick<PatternRule, "id" | "severity">[] = PATTERN_RULES): Severity {
  if (f.kind === "managed") return "high";
  const rule = rules.find((r) => r.id === f.ruleId);
  return rule ? ruleSeverity(rule) : "high";
}

/** True when `s` is at least as severe as `threshold`. */
export function atLeast(s: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(s) <= SEVERITIES.indexOf(threshold);
}
