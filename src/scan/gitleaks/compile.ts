/**
 * A gitleaks file (after `[extend] path`) as hush rules: `[[rules]]` with a regex become pattern
 * rules with gitleaks' semantics (case-insensitive keywords, `secretGroup`, `entropy` strictly
 * above, allowlists, `path`); those with only a `path` report files by name. With `[extend]
 * useDefault`, hush's built-in rules run too (minus `disabledRules`), and a `[[rules]]` entry with
 * a built-in's id adds allowlists, tags or a description to it. Global allowlists apply to every
 * rule of the run, or to their `targetRules`.
 */
import { PATTERN_RULES, type PatternRule } from "../rules.js";
import type { PathRule } from "../path-rules.js";
import type { RuleAllowlist } from "../rule-scope.js";
import type { Severity } from "../types.js";
import { GoRegexError, translateGoRegex } from "./go-regex.js";
import { showId, type GitleaksAllowlist, type GitleaksRuleSpec, type Problem } from "./schema.js";

/** A gitleaks file and what it extends, merged. */
export interface MergedGitleaks {
  useDefault: boolean;
  /** Built-in rule ids switched off (`[extend] disabledRules` of the file that uses the default). */
  disabledDefaults: string[];
  rules: GitleaksRuleSpec[];
  allowlists: GitleaksAllowlist[];
}

/** What a gitleaks file adds to a scan. */
export interface CompiledGitleaks {
  /** Pattern rules, the file's first; hush's built-ins follow when the file uses the default. */
  rules: PatternRule[];
  pathRules: PathRule[];
  /** Global allowlists without targets: they also apply to hush.yaml's custom rules. */
  globalAllowlists: RuleAllowlist[];
  /** Whether hush's built-in rules are part of the run. */
  builtins: boolean;
}

/**
 * Compiles a merged gitleaks file; `problems` receives what cannot be compiled; `warn` what
 * gitleaks itself only warns about (a disabled rule that does not exist).
 */
export function compileGitleaks(merged: MergedGitleaks, problems: Problem[], warn: (message: string) => void): CompiledGitleaks {
  const builtinIds = new Set(PATTERN_RULES.map((r) => r.id));
  const global: RuleAllowlist[] = [];
  const targeted = new Map<string, RuleAllowlist[]>();
  for (const a of merged.allowlists) {
    const compiled = compileAllowlist(a, problems);
    if (!compiled) continue;
    if (a.targetRules.length === 0) global.push(compiled);
    for (const id of a.targetRules) targeted.set(id, [...(targeted.get(id) ?? []), compiled]);
  }
  const overrides = new Map<string, GitleaksRuleSpec>();
  const rules: PatternRule[] = [];
  const pathRules: PathRule[] = [];
  for (const spec of merged.rules) {
    const allowlists = [...global, ...(targeted.get(spec.id) ?? []), ...spec.allowlists.flatMap((a) => compileAllowlist(a, problems) ?? [])];
    if (merged.useDefault && builtinIds.has(spec.id) && spec.regex === undefined && spec.path === undefined) {
      const bad = (["secretGroup", "entropy", "keywords"] as const).filter((k) => spec[k] !== undefined);
      for (const k of bad) problems.push(`${spec.at}.${k}: cannot change hush's built-in rule of this id; give the rule its own id and a regex.`);
      overrides.set(spec.id, spec);
      continue;
    }
    const rule = compileRule(spec, allowlists, problems, merged.useDefault);
    if (rule && "pattern" in rule) rules.push(rule);
    else if (rule) pathRules.push(rule);
  }
  for (const id of merged.disabledDefaults) if (!builtinIds.has(id)) warn(`[extend] disabledRules: hush has no built-in rule ${showId(id)} (hush's rule ids are not gitleaks'; \`hush scan --list-rules\`); ignored, as gitleaks ignores it.`);
  const known = new Set([...rules.map((r) => r.id), ...pathRules.map((r) => r.id), ...(merged.useDefault ? builtinIds : [])]);
  for (const id of targeted.keys()) if (!known.has(id)) problems.push(`allowlists: targetRules names ${showId(id)}, which is not a rule of this run.`);
  if (merged.useDefault) {
    for (const b of PATTERN_RULES) {
      if (merged.disabledDefaults.includes(b.id)) continue;
      const o = overrides.get(b.id);
      const allowlists = [...global, ...(targeted.get(b.id) ?? []), ...(o?.allowlists.flatMap((a) => compileAllowlist(a, problems) ?? []) ?? [])];
      // A built-in rule keeps its own severity unless a tag says another.
      const severity = o?.tags ? tagSeverity(o.tags) : undefined;
      rules.push({ ...b, ...(o?.description ? { description: o.description } : {}), ...(severity ? { severity } : {}), ...(allowlists.length > 0 ? { scope: { allowlists } } : {}) });
    }
  }
  return { rules, pathRules, globalAllowlists: global, builtins: merged.useDefault };
}

/**
 * The severity a rule's tags give: a tag `low`, `medium`, `high` or `severity:<level>` (any case);
 * the most severe when several; `high` when none says.
 */
export function severityOfTags(tags: readonly string[]): Severity {
  return tagSeverity(tags) ?? "high";
}

// --- internal ---

/** The severity the tags say, if any. */
function tagSeverity(tags: readonly string[]): Severity | undefined {
  const said = tags.map((t) => /^(?:severity[:=])?(high|medium|low)$/i.exec(t.trim())?.[1]?.toLowerCase()).filter((s): s is Severity => s !== undefined);
  return (["high", "medium", "low"] as const).find((s) => said.includes(s));
}

function compileRule(spec: GitleaksRuleSpec, allowlists: RuleAllowlist[], problems: Problem[], useDefault: boolean): PatternRule | PathRule | undefined {
  const path = spec.path === undefined ? undefined : goRegex(spec.path, `${spec.at}.path`, problems);
  const severity = severityOfTags(spec.tags ?? []);
  const description = spec.description || `gitleaks rule ${spec.id}`;
  if (spec.regex === undefined) {
    if (spec.path === undefined) {
      const why = useDefault ? "and hush has no built-in rule with this id to extend (hush's rule ids are not gitleaks'; `hush scan --list-rules`)" : "so the rule would find nothing (gitleaks refuses it too)";
      problems.push(`${spec.at}: has neither regex nor path, ${why}.`);
    }
    for (const k of ["secretGroup", "entropy", "keywords"] as const) if (spec[k] !== undefined) problems.push(`${spec.at}.${k}: has no effect without a regex.`);
    return path ? { id: spec.id, description, severity, scope: { path: new RegExp(path.source, path.flags), allowlists } } : undefined;
  }
  const regex = goRegex(spec.regex, `${spec.at}.regex`, problems);
  if (!regex) return undefined;
  const groups = new RegExp(`${regex.source}|`, regex.flags).exec("")!.length - 1;
  if ((spec.secretGroup ?? 0) > groups) problems.push(`${spec.at}.secretGroup: the regex has ${groups} group(s).`);
  const keywords = [...new Set((spec.keywords ?? []).map((k) => k.toLowerCase()))];
  if (keywords.includes("")) problems.push(`${spec.at}.keywords: an empty keyword matches everything; remove it.`);
  return {
    id: spec.id,
    description,
    keywords,
    keywordsIgnoreCase: true,
    pattern: regex.source,
    ...(regex.flags ? { flags: regex.flags } : {}),
    severity,
    scope: {
      ...(path ? { path: new RegExp(path.source, path.flags) } : {}),
      allowlists,
      gitleaks: { secretGroup: spec.secretGroup ?? 0, entropy: spec.entropy ?? 0 },
    },
  };
}

function compileAllowlist(a: GitleaksAllowlist, problems: Problem[]): RuleAllowlist | undefined {
  const compile = (list: string[], field: string) => list.flatMap((r, i) => {
    const t = goRegex(r, `${a.at}.${field}[${i}]`, problems);
    return t ? [new RegExp(t.source, t.flags)] : [];
  });
  const regexes = compile(a.regexes, "regexes");
  const paths = compile(a.paths, "paths");
  if (regexes.length !== a.regexes.length || paths.length !== a.paths.length) return undefined;
  return { condition: a.condition, regexTarget: a.regexTarget, regexes, paths, stopwords: a.stopwords, commits: a.commits };
}

/** The translated regex, checked to compile; a problem (with the reason, never the pattern) else. */
function goRegex(pattern: string, at: string, problems: Problem[]): { source: string; flags: string } | undefined {
  try {
    const t = translateGoRegex(pattern);
    new RegExp(t.source, "g" + t.flags);
    return t;
  } catch (e) {
    const reason = e instanceof GoRegexError ? e.message : "not a valid regular expression";
    problems.push(`${at}: cannot be used as a JavaScript regex: ${reason}.`);
    return undefined;
  }
}
