/**
 * The leak scanner's public surface: `scan`, the redaction engine, SARIF output and the rules
 * (as data). `src/index.ts` re-exports this.
 */
export { scan } from "./scan.js";
export { createRedactStream, redact } from "./redact.js";
export type { RedactOptions, RedactValues } from "./redact.js";
export { toSarif, SARIF_FINGERPRINT_KEY } from "./sarif.js";
export { atLeast, findingSeverity, ruleSeverity, SEVERITIES } from "./severity.js";
export { baselineSalt, readBaseline, BASELINE_FORMAT } from "./baseline.js";
export type { Baseline, BaselineEntry } from "./baseline.js";
export type { SarifLog } from "./sarif.js";
export { PATTERN_RULES } from "./rules.js";
export type { PatternRule, RuleCheck } from "./rules.js";
export type * from "./types.js";
