/**
 * Where a configured rule runs and what it lets pass: gitleaks' `path` and allowlists
 * (`[[rules.allowlists]]`, `[[allowlists]]`), and gitleaks' way of taking the secret out of a
 * match (`secretGroup`, `entropy`). Built-in rules carry none of this; a rule from a gitleaks file
 * does, and so does every rule of a run when that file has global allowlists. Semantics follow
 * gitleaks' config/allowlist.go and detect/detect.go (v8.28).
 */

/** One allowlist, compiled. */
export interface RuleAllowlist {
  /** OR: any one check allows; AND: every check that is set must allow. */
  condition: "or" | "and";
  /** What `regexes` are tested on: the secret (default), the whole match, or its line(s). */
  regexTarget: "secret" | "match" | "line";
  regexes: readonly RegExp[];
  /** Tested on the finding's path (relative to the scan's folder, `/` separators). */
  paths: readonly RegExp[];
  /** Lower-cased; a secret containing one (case-insensitively) is allowed. */
  stopwords: readonly string[];
  /** Lower-cased commit ids; only `--git-history` findings have a commit. */
  commits: readonly string[];
}

/** A configured rule's scope. */
export interface RuleScope {
  /** The rule runs only on paths this matches. */
  path?: RegExp;
  allowlists: readonly RuleAllowlist[];
  /** gitleaks' secret extraction, for rules from a gitleaks file (see {@link gitleaksSecret}). */
  gitleaks?: {
    /** 0: the first non-empty group (the whole match when the regex has none). */
    secretGroup: number;
    /** The secret must have more than this entropy (bits per character); 0: no check. */
    entropy: number;
  };
}

/** Where a text comes from, for path and commit checks. */
export interface TextOrigin {
  path: string;
  commit?: string;
}

/** The parts of a candidate finding that allowlists test. */
export interface Candidate {
  secret: string;
  match: string;
  /** The match's line(s), computed only when an allowlist targets lines. */
  line: () => string;
}

/**
 * False when the rule does not run on this text at all: its `path` does not match, or an
 * allowlist allows the whole path or commit (OR, or AND with only paths and commits), as gitleaks
 * skips such a fragment before matching.
 */
export function scopeApplies(scope: RuleScope, origin: TextOrigin | undefined): boolean {
  if (scope.path && !(origin && scope.path.test(origin.path))) return false;
  if (!origin) return true;
  for (const a of scope.allowlists) {
    const commit = commitAllowed(a, origin.commit);
    const path = pathAllowed(a, origin.path);
    if (a.condition === "or" ? commit || path : a.regexes.length === 0 && a.stopwords.length === 0 && everySet(a, commit, path)) return false;
  }
  return true;
}

/** True when an allowlist lets this candidate pass (gitleaks' checkFindingAllowed). */
export function candidateAllowed(scope: RuleScope, c: Candidate, origin: TextOrigin | undefined): boolean {
  for (const a of scope.allowlists) {
    const target = a.regexTarget === "secret" ? c.secret : a.regexTarget === "match" ? c.match : c.line();
    const regex = target !== "" && a.regexes.some((r) => r.test(target));
    const lower = c.secret.toLowerCase();
    const stopword = c.secret !== "" && a.stopwords.some((w) => lower.includes(w));
    if (a.condition === "or") {
      if (regex || stopword) return true;
      continue;
    }
    const checks = [
      ...(a.commits.length > 0 ? [commitAllowed(a, origin?.commit)] : []),
      ...(a.paths.length > 0 ? [pathAllowed(a, origin?.path)] : []),
      ...(a.regexes.length > 0 ? [regex] : []),
      ...(a.stopwords.length > 0 ? [stopword] : []),
    ];
    if (checks.every(Boolean)) return true;
  }
  return false;
}

/**
 * The secret of a gitleaks rule's match, as gitleaks takes it: the match without leading and
 * trailing newlines; the regex run again on that text alone; then group `secretGroup`, or with 0
 * the first non-empty group, or the whole match when the regex has no group. `isolated` is the
 * rule's regex compiled with `d` (indices), neither global nor sticky. Undefined when the secret
 * is empty.
 */
export function gitleaksSecret(m: RegExpExecArray, isolated: RegExp, secretGroup: number): { offset: number; secret: string; match: string } | undefined {
  const lead = /^\n*/.exec(m[0])![0].length;
  const match = m[0].slice(lead).replace(/\n+$/, "");
  const start = m.index + lead;
  const again = isolated.exec(match);
  if (again === null || again.length < 2) return match === "" ? undefined : { offset: start, secret: match, match };
  let group = secretGroup;
  if (group === 0) group = again.findIndex((g, i) => i > 0 && g !== undefined && g !== "");
  const secret = group > 0 ? again[group] : undefined;
  if (secret === undefined || secret === "") return group === -1 ? { offset: start, secret: match, match } : undefined;
  return { offset: start + again.indices![group]![0], secret, match };
}

/** The line(s) holding `[start, end)` of `text`, without their line breaks. */
export function linesAround(text: string, start: number, end: number): string {
  const from = text.lastIndexOf("\n", start - 1) + 1;
  const to = text.indexOf("\n", end);
  return text.slice(from, to === -1 ? text.length : to).replace(/\r$/, "");
}

// --- internal ---

function commitAllowed(a: RuleAllowlist, commit: string | undefined): boolean {
  return commit !== undefined && commit !== "" && a.commits.includes(commit.toLowerCase());
}

function pathAllowed(a: RuleAllowlist, path: string | undefined): boolean {
  return path !== undefined && path !== "" && a.paths.some((p) => p.test(path));
}

/** AND over the path and commit checks that are set (at least one is, or the allowlist is invalid). */
function everySet(a: RuleAllowlist, commit: boolean, path: boolean): boolean {
  return (a.commits.length === 0 || commit) && (a.paths.length === 0 || path);
}
