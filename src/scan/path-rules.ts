/**
 * Rules that report a file by its path alone: a gitleaks rule with `path` and no `regex`
 * (`path = '''\.p12$'''`). It is checked for every input, binary or not, before it is read, as
 * gitleaks does; the finding is at line 1, column 1, and its preview names no content.
 */
import type { RuleScope } from "./rule-scope.js";
import type { ScanFinding, Severity } from "./types.js";

/** A path-only rule: its `scope.path` says which files it reports. */
export interface PathRule {
  id: string;
  description: string;
  severity: Severity;
  scope: RuleScope & { path: RegExp };
}

/** The finding of a path-only rule for one file. */
export function pathRuleFinding(rule: PathRule, path: string, origin: ScanFinding["origin"], commit?: string): ScanFinding {
  return {
    kind: "pattern",
    path,
    line: 1,
    column: 1,
    ruleId: rule.id,
    description: rule.description,
    severity: rule.severity,
    preview: "(file path)",
    origin,
    ...(commit === undefined ? {} : { commit }),
  };
}
