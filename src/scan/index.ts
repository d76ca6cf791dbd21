/**
 * The leak scanner's public surface: `scan`, the redaction engine, output formats and
 * the rules (as data). `src/index.ts` re-exports this.
 */
export { scan } from "./scan.js";
export { createRedactStream, redact, MIN_REDACT_LENGTH } from "./redact.js";
export type { RedactOptions, RedactValues } from "./redact.js";
export { toSarif, MANAGED_RULE_ID } from "./sarif.js";
export type { SarifLog } from "./sarif.js";
export { formatFinding, formatIssue, formatProgress, formatSummary } from "./format.js";
export { PATTERN_RULES, GLOBAL_PLACEHOLDERS } from "./rules.js";
export type { PatternRule, RuleCheck } from "./rules.js";
export { MIN_MANAGED_LENGTH } from "./managed.js";
export type * from "./types.js";
