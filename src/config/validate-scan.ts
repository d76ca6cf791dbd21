/**
 * `scan:` in hush.yaml: `allow` (paths, rules, secrets) and `rules`, the project's own pattern
 * rules in the shape of the built-in ones. Checked offline, with paths (`scan.rules[2].pattern`):
 * a regex that does not compile, an unknown field, an id that a built-in rule has. Messages never
 * show a value (a rule's pattern may hold a literal token).
 */
import { isValidName } from "../names.js";
import { PATTERN_RULES } from "../scan/rules.js";
import { isMapping, isPath, kindOf, type AddProblem, type ConfigPath } from "./options-schema.js";
import { checkKeys } from "./validate-text.js";
import type { CustomRuleConfig, ScanConfig } from "./types.js";

/**
 * Validates `scan:`. Allow-list rule ids are checked for their shape only (a custom rule's id is
 * a valid one too); `hush scan` refuses an id it does not know.
 */
export function checkScan(raw: unknown, add: AddProblem): ScanConfig | undefined {
  if (!isMapping(raw)) {
    add(["scan"], `expected a mapping with \`allow:\` and \`rules:\`, got ${kindOf(raw)}.`);
    return undefined;
  }
  checkKeys(raw, ["scan"], SCAN_KEYS, add);
  const out: ScanConfig = { allow: {} };
  if ("rules" in raw) {
    const rules = checkRules(raw.rules, add);
    if (rules) out.rules = rules;
  }
  if (!("allow" in raw)) return out;
  if (!isMapping(raw.allow)) {
    add(["scan", "allow"], `expected a mapping of paths, rules and secrets, got ${kindOf(raw.allow)}.`);
    return undefined;
  }
  checkKeys(raw.allow, ["scan", "allow"], SCAN_ALLOW_KEYS, add);
  const lists: [keyof ScanConfig["allow"], (v: string) => boolean, string][] = [
    ["paths", isPath, "a path pattern (a non-empty string)"],
    ["rules", (v) => RULE_ID.test(v), "a rule id such as openai-api-key"],
    ["secrets", (v) => isValidName(v), "a secret name"],
  ];
  for (const [key, valid, what] of lists) {
    if (!(key in raw.allow)) continue;
    const value = raw.allow[key];
    const at: ConfigPath = ["scan", "allow", key];
    if (!Array.isArray(value)) {
      add(at, `expected a list, got ${kindOf(value)}.`);
      continue;
    }
    value.forEach((item: unknown, i) => {
      if (typeof item !== "string" || !valid(item)) add([...at, i], `expected ${what}, got ${typeof item === "string" ? "another string" : kindOf(item)}.`);
    });
    out.allow[key] = value.filter((v: unknown): v is string => typeof v === "string");
  }
  return out;
}

// --- internal ---

const SCAN_KEYS = ["allow", "rules"];
const SCAN_ALLOW_KEYS = ["paths", "rules", "secrets"];
const RULE_KEYS = ["id", "description", "keywords", "pattern", "flags", "entropy", "requireDigit", "placeholders", "severity"];
/** A rule id: kebab-case, as the built-in ones. */
const RULE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Ids hush uses already: every built-in rule's, and the staged .env file's. */
const TAKEN_IDS = new Set([...PATTERN_RULES.map((r) => r.id), "plaintext-env-file"]);

function checkRules(raw: unknown, add: AddProblem): CustomRuleConfig[] | undefined {
  if (!Array.isArray(raw)) {
    add(["scan", "rules"], `expected a list of rules (id, description, keywords, pattern, ...), got ${kindOf(raw)}.`);
    return undefined;
  }
  const out: CustomRuleConfig[] = [];
  const seen = new Set<string>();
  raw.forEach((entry: unknown, i) => {
    const at: ConfigPath = ["scan", "rules", i];
    if (!isMapping(entry)) return add(at, `expected a mapping (id, description, keywords, pattern, ...), got ${kindOf(entry)}.`);
    let problems = 0;
    const counting: AddProblem = (p, m) => {
      problems++;
      add(p, m);
    };
    checkKeys(entry, at, RULE_KEYS, counting);
    const rule = checkRule(entry, at, counting);
    if (rule && seen.has(rule.id)) counting([...at, "id"], "an earlier rule has this id; give each rule its own.");
    if (rule) seen.add(rule.id);
    if (rule && problems === 0) out.push(rule);
  });
  return out;
}

function checkRule(e: Record<string, unknown>, at: ConfigPath, add: AddProblem): CustomRuleConfig | undefined {
  const str = (key: string, required: boolean): string | undefined => {
    const v = e[key];
    if (v === undefined && !required) return undefined;
    if (typeof v === "string" && v.length > 0 && v.length <= 4096) return v;
    add([...at, key], `expected a non-empty string, got ${v === undefined ? "nothing" : kindOf(v)}.`);
    return undefined;
  };
  const id = str("id", true);
  if (id !== undefined && !RULE_ID.test(id)) add([...at, "id"], "expected a kebab-case id (a-z, 0-9, '-', at most 64 characters).");
  else if (id !== undefined && TAKEN_IDS.has(id)) add([...at, "id"], "a built-in rule has this id (`hush scan --list-rules`); pick another.");
  const description = str("description", true);
  const pattern = str("pattern", true);
  const flags = str("flags", false);
  if (flags !== undefined && !/^(?!.*(.).*\1)[ims]{1,3}$/.test(flags)) add([...at, "flags"], "expected some of i, m, s (each once); the scanner adds g itself.");
  else if (pattern !== undefined && !compiles(pattern, "g" + (flags ?? ""))) add([...at, "pattern"], "not a valid JavaScript regular expression.");
  const keywords = stringList(e.keywords, [...at, "keywords"], add) ?? [];
  const placeholders = stringList(e.placeholders, [...at, "placeholders"], add);
  placeholders?.forEach((p, i) => {
    if (!compiles(p, "i")) add([...at, "placeholders", i], "not a valid JavaScript regular expression.");
  });
  if (e.entropy !== undefined && !(typeof e.entropy === "number" && e.entropy >= 0 && e.entropy <= 8)) add([...at, "entropy"], "expected a number from 0 to 8 (bits per character).");
  if (e.requireDigit !== undefined && typeof e.requireDigit !== "boolean") add([...at, "requireDigit"], `expected true or false, got ${kindOf(e.requireDigit)}.`);
  if (e.severity !== undefined && !["high", "medium", "low"].includes(e.severity as string)) add([...at, "severity"], "expected one of high, medium, low.");
  if (id === undefined || description === undefined || pattern === undefined) return undefined;
  return {
    id,
    description,
    keywords,
    pattern,
    ...(flags !== undefined ? { flags } : {}),
    ...(typeof e.entropy === "number" ? { entropy: e.entropy } : {}),
    ...(typeof e.requireDigit === "boolean" ? { requireDigit: e.requireDigit } : {}),
    ...(placeholders ? { placeholders } : {}),
    ...(typeof e.severity === "string" ? { severity: e.severity as CustomRuleConfig["severity"] } : {}),
  };
}

function stringList(v: unknown, at: ConfigPath, add: AddProblem): string[] | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v) && v.every((s) => typeof s === "string" && s.length > 0)) return v as string[];
  add(at, `expected a list of non-empty strings, got ${Array.isArray(v) ? "a list holding something else" : kindOf(v)}.`);
  return undefined;
}

/** Whether a JS regex compiles (its error message is never passed on: it quotes the pattern). */
function compiles(source: string, flags: string): boolean {
  try {
    new RegExp(source, flags);
    return true;
  } catch (_e) {
    return false;
  }
}
