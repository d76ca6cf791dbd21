/**
 * The fields of a gitleaks configuration file that hush reads, checked strictly: a field hush
 * does not support is a problem naming it (and the rule's id), never skipped. Keys are matched
 * case-insensitively, as gitleaks (viper) does. Messages name paths and ids, never a value: an
 * allowlist regex may hold a literal token.
 */
import { formatPath } from "../../config/validate.js";
import { tokenShaped, unknownKeyMessage } from "../../config/validate-text.js";
import { isMapping, kindOf, type ConfigPath } from "../../config/options-schema.js";

/** One allowlist, as written. */
export interface GitleaksAllowlist {
  condition: "or" | "and";
  regexTarget: "secret" | "match" | "line";
  regexes: string[];
  paths: string[];
  stopwords: string[];
  commits: string[];
  /** Global allowlists only: the rules it applies to (empty: every rule). */
  targetRules: string[];
  /** Where it was written, for messages. */
  at: string;
}

/** One rule, as written. */
export interface GitleaksRuleSpec {
  id: string;
  description?: string;
  regex?: string;
  secretGroup?: number;
  entropy?: number;
  keywords?: string[];
  path?: string;
  tags?: string[];
  allowlists: GitleaksAllowlist[];
  at: string;
}

/** A gitleaks file, as written. */
export interface GitleaksSpec {
  title?: string;
  extend?: { useDefault: boolean; path?: string; disabledRules: string[] };
  rules: GitleaksRuleSpec[];
  allowlists: GitleaksAllowlist[];
}

/** A problem: where (`rules[2] (id "my-rule").secretGroup`) and what was expected. */
export type Problem = string;

/**
 * Checks a parsed TOML document; returns the spec (what could be read of it) and the problems.
 *
 * @example
 * checkGitleaksSpec({ rules: [{ id: "x", regex: "x[0-9]{8}", severity: "high" }] }); // problems: ['rules[0] (id "x").severity: not a gitleaks field ...']
 */
export function checkGitleaksSpec(raw: Record<string, unknown>): { spec: GitleaksSpec; problems: Problem[] } {
  const problems: Problem[] = [];
  const c = new Checker(problems);
  const top = c.fields(raw, [], TOP, {});
  const spec: GitleaksSpec = { rules: [], allowlists: [] };
  const title = c.string(top.title, ["title"]);
  if (title !== undefined) spec.title = title;
  c.string(top.description, ["description"]);
  c.string(top.minversion, ["minVersion"]);
  if (top.extend !== undefined) {
    const e = c.fields(c.mapping(top.extend, ["extend"]), ["extend"], EXTEND, { url: "extending from a URL (gitleaks does not implement it either)" });
    const path = c.string(e.path, ["extend", "path"]);
    spec.extend = { useDefault: c.boolean(e.usedefault, ["extend", "useDefault"]) ?? false, disabledRules: c.strings(e.disabledrules, ["extend", "disabledRules"]) ?? [] };
    if (path !== undefined) spec.extend.path = path;
    if (spec.extend.useDefault && path !== undefined) problems.push("extend: useDefault and path cannot both be set (as in gitleaks); choose one.");
  }
  c.list(top.rules, ["rules"]).forEach((r, i) => {
    const rule = c.rule(r, i);
    if (rule) spec.rules.push(rule);
  });
  spec.allowlists = c.allowlists(top.allowlist, top.allowlists, [], true);
  const ids = new Set<string>();
  for (const r of spec.rules) {
    if (ids.has(r.id)) problems.push(`${r.at}: the id is used by an earlier rule; give each rule its own id.`);
    ids.add(r.id);
  }
  return { spec, problems };
}

// --- internal ---

const TOP = ["title", "description", "minVersion", "extend", "rules", "allowlist", "allowlists"];
const EXTEND = ["useDefault", "path", "disabledRules"];
const RULE = ["id", "description", "regex", "secretGroup", "entropy", "keywords", "path", "tags", "allowlist", "allowlists"];
const ALLOWLIST = ["description", "condition", "regexTarget", "regexes", "paths", "stopwords", "commits"];
/** gitleaks fields hush does not implement: an error that says so, rather than "unknown". */
const UNSUPPORTED_RULE: Record<string, string> = {
  required: "composite rules ([[rules.required]])",
  skipreport: "skipReport (composite rules)",
};

class Checker {
  /** Rule ids by index, so that a problem's path names the rule. */
  private readonly ids = new Map<number, string>();

  constructor(private readonly problems: Problem[]) {}

  add(path: ConfigPath, message: string): void {
    this.problems.push(`${this.show(path)}: ${message}`);
  }

  /** `rules[2] (id "my-rule").secretGroup`. */
  show(path: ConfigPath): string {
    const id = path[0] === "rules" && typeof path[1] === "number" ? this.ids.get(path[1]) : undefined;
    if (id === undefined) return formatPath(path);
    const rest = formatPath(path.slice(2));
    return `${formatPath(path.slice(0, 2))} (id ${showId(id)})${rest === "" ? "" : rest.startsWith("[") ? rest : "." + rest}`;
  }

  /** The mapping's values by lower-cased key; a key not in `known` is a problem naming it. */
  fields(raw: Record<string, unknown> | undefined, at: ConfigPath, known: readonly string[], unsupported: Record<string, string>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw ?? {})) {
      const lower = key.toLowerCase();
      if (unsupported[lower]) this.add([...at, key], `${unsupported[lower]}: not supported by hush; remove it or scan with gitleaks itself.`);
      else if (!known.some((k) => k.toLowerCase() === lower)) this.add([...at, key], `not a gitleaks field hush reads: ${unknownKeyMessage(key, known)}`);
      else if (lower in out) this.add([...at, key], "set twice (gitleaks reads field names in any case).");
      else out[lower] = value;
    }
    return out;
  }

  mapping(v: unknown, at: ConfigPath): Record<string, unknown> | undefined {
    if (isMapping(v)) return v;
    this.add(at, `expected a table, got ${kindOf(v)}.`);
    return undefined;
  }

  list(v: unknown, at: ConfigPath): unknown[] {
    if (v === undefined) return [];
    if (Array.isArray(v)) return v;
    this.add(at, `expected an array of tables ([[${formatPath(at)}]]), got ${kindOf(v)}.`);
    return [];
  }

  string(v: unknown, at: ConfigPath): string | undefined {
    if (v === undefined || typeof v === "string") return v;
    this.add(at, `expected a string, got ${kindOf(v)}.`);
    return undefined;
  }

  boolean(v: unknown, at: ConfigPath): boolean | undefined {
    if (v === undefined || typeof v === "boolean") return v;
    this.add(at, `expected true or false, got ${kindOf(v)}.`);
    return undefined;
  }

  strings(v: unknown, at: ConfigPath): string[] | undefined {
    if (v === undefined) return undefined;
    if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v as string[];
    this.add(at, `expected an array of strings, got ${Array.isArray(v) ? "an array holding something else" : kindOf(v)}.`);
    return undefined;
  }

  number(v: unknown, at: ConfigPath, integer: boolean): number | undefined {
    if (v === undefined) return undefined;
    if (typeof v === "bigint" && integer && v >= 0n && v <= 99n) return Number(v);
    if (typeof v === "number" && Number.isFinite(v) && v >= 0 && (!integer || Number.isInteger(v))) return v;
    this.add(at, integer ? `expected a whole number from 0, got ${kindOf(v)}.` : `expected a number from 0, got ${kindOf(v)}.`);
    return undefined;
  }

  rule(raw: unknown, index: number): GitleaksRuleSpec | undefined {
    const base: ConfigPath = ["rules", index];
    const m = this.mapping(raw, base);
    if (!m) return undefined;
    const idRaw = Object.entries(m).find(([k]) => k.toLowerCase() === "id")?.[1];
    const id = typeof idRaw === "string" && idRaw.trim() !== "" ? idRaw : undefined;
    if (id !== undefined) this.ids.set(index, id);
    const at = base;
    const f = this.fields(m, at, RULE, UNSUPPORTED_RULE);
    if (id === undefined) this.add([...at, "id"], "missing or empty; every rule needs an id.");
    const rule: GitleaksRuleSpec = { id: id ?? "", allowlists: this.allowlists(f.allowlist, f.allowlists, at, false), at: this.show(at) };
    const text = (key: keyof GitleaksRuleSpec & string, name: string) => {
      const v = this.string(f[key.toLowerCase()], [...at, name]);
      if (v !== undefined) (rule as unknown as Record<string, unknown>)[key] = v;
    };
    text("description", "description");
    text("regex", "regex");
    text("path", "path");
    const secretGroup = this.number(f.secretgroup, [...at, "secretGroup"], true);
    const entropy = this.number(f.entropy, [...at, "entropy"], false);
    const keywords = this.strings(f.keywords, [...at, "keywords"]);
    const tags = this.strings(f.tags, [...at, "tags"]);
    if (secretGroup !== undefined) rule.secretGroup = secretGroup;
    if (entropy !== undefined) rule.entropy = entropy;
    if (keywords !== undefined) rule.keywords = keywords;
    if (tags !== undefined) rule.tags = tags;
    return id === undefined ? undefined : rule;
  }

  /** `[allowlist]` (one table, older) or `[[allowlists]]` (an array), not both, as gitleaks says. */
  allowlists(single: unknown, many: unknown, at: ConfigPath, global: boolean): GitleaksAllowlist[] {
    if (single !== undefined && many !== undefined) {
      this.add([...at, "allowlist"], "[allowlist] and [[allowlists]] cannot both be used (as in gitleaks); move it into [[allowlists]].");
      return [];
    }
    const entries: [unknown, ConfigPath][] = single !== undefined ? [[single, [...at, "allowlist"]]] : this.list(many, [...at, "allowlists"]).map((a, i) => [a, [...at, "allowlists", i]]);
    return entries.flatMap(([raw, path]) => {
      const a = this.allowlist(raw, path, global);
      return a ? [a] : [];
    });
  }

  allowlist(raw: unknown, at: ConfigPath, global: boolean): GitleaksAllowlist | undefined {
    const m = this.mapping(raw, at);
    if (!m) return undefined;
    const f = this.fields(m, at, global ? [...ALLOWLIST, "targetRules"] : ALLOWLIST, {});
    const condition = (this.string(f.condition, [...at, "condition"]) ?? "OR").toUpperCase();
    const target = this.string(f.regextarget, [...at, "regexTarget"]) ?? "secret";
    const a: GitleaksAllowlist = {
      condition: condition === "AND" || condition === "&&" ? "and" : "or",
      regexTarget: target === "match" || target === "line" ? target : "secret",
      regexes: this.strings(f.regexes, [...at, "regexes"]) ?? [],
      paths: this.strings(f.paths, [...at, "paths"]) ?? [],
      stopwords: (this.strings(f.stopwords, [...at, "stopwords"]) ?? []).map((w) => w.toLowerCase()),
      commits: (this.strings(f.commits, [...at, "commits"]) ?? []).map((c) => c.trim().toLowerCase()),
      targetRules: this.strings(f.targetrules, [...at, "targetRules"]) ?? [],
      at: this.show(at),
    };
    this.string(f.description, [...at, "description"]);
    if (!["AND", "&&", "OR", "||"].includes(condition)) this.add([...at, "condition"], "expected AND or OR.");
    if (!["secret", "match", "line"].includes(target)) this.add([...at, "regexTarget"], "expected secret, match or line.");
    if (a.regexes.length + a.paths.length + a.stopwords.length + a.commits.length === 0) this.add(at, "must contain at least one of commits, paths, regexes or stopwords (as in gitleaks).");
    return a;
  }
}

/** A rule id as messages show it: quoted when it reads as a name, else only its length. */
export function showId(id: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(id) && !tokenShaped(id) ? JSON.stringify(id) : `<${id.length} characters>`;
}
