/**
 * The leak scanner's public surface: `scan`, the redaction engine, SARIF output and the rules
 * (as data). `src/index.ts` re-exports this.
 */
export { scan } from "./scan.js";
export { createRedactStream, redact } from "./redact.js";
export type { RedactOptions, RedactValues } from "./redact.js";
export { toSarif } from "./sarif.js";
export type { SarifLog } from "./sarif.js";
export { PATTERN_RULES } from "./rules.js";
export type { PatternRule, RuleCheck } from "./rules.js";
export type * from "./types.js";
