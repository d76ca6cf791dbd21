/**
 * The detector: given a text, finds managed values and rule matches, as offsets. One
 * Aho-Corasick pass finds every managed-value form and every rule keyword; then only the
 * rules whose keywords occurred run their regex. Findings never hold the matched value.
 */
import { compileLiterals, type LiteralMatcher } from "./matcher.js";
import type { ManagedVariant } from "./managed.js";
import { PATTERN_RULES, type PatternRule } from "./rules.js";
import { acceptMatch } from "./validate.js";
import type { ManagedEncoding } from "./types.js";

/** A finding inside one text, before it gets a path and a line. */
export interface TextFinding {
  offset: number;
  length: number;
  kind: "managed" | "pattern";
  ruleId?: string;
  secretName?: string;
  /** The environment whose value was found, when the detector was given owners. */
  environment?: string;
  encoding?: ManagedEncoding;
  description: string;
  preview: string;
}

/** Options of {@link createDetector}. */
export interface DetectorOptions {
  /** Managed-value forms to look for (from `managedVariants`). */
  managed?: ManagedVariant[];
  /** Rules to run. @default PATTERN_RULES */
  rules?: readonly PatternRule[];
  /** Exact strings never reported by a rule. */
  allowValues?: Iterable<string>;
  /** The secret and environment each managed form's `secretName` stands for, when it is a label. */
  owners?: ReadonlyMap<string, ManagedOwner>;
}

/** Whose value a managed form is: the secret's name and, when known, its environment. */
export interface ManagedOwner {
  secretName: string;
  environment?: string;
}

/** A compiled detector; reuse it for every file of a scan. */
export interface Detector {
  detect(text: string): TextFinding[];
  /** The length of the longest managed form (0 without managed values). */
  readonly longestManaged: number;
}

/**
 * Compiles the managed values and the rules into a detector.
 *
 * @example
 * const d = createDetector({ managed: managedVariants([["db_password", "hunter2hunter2"]]) });
 * d.detect("DB_PASSWORD=hunter2hunter2"); // [{ kind: "managed", secretName: "db_password", ... }]
 */
export function createDetector(options: DetectorOptions = {}): Detector {
  const managed = options.managed ?? [];
  const rules = options.rules ?? PATTERN_RULES;
  // Anchored rules run sticky at each keyword hit; the others scan the whole text.
  // No `d` flag: match indices allocate on every match, and the generic rule matches often.
  const regexes = rules.map((r) => new RegExp(r.pattern, (r.anchored ? "y" : "g") + (r.flags ?? "")));
  const always = rules.map((r) => r.keywords.length === 0);
  const allowValues = new Set(options.allowValues ?? []);
  // Literal index space: [0, managed.length) are managed forms, the rest keywords.
  const keywordRules = new Map<string, number[]>();
  rules.forEach((r, i) => {
    for (const k of r.keywords) keywordRules.set(k, [...(keywordRules.get(k) ?? []), i]);
  });
  const keywords = [...keywordRules.keys()];
  const matcher: LiteralMatcher = compileLiterals([...managed.map((m) => m.text), ...keywords]);
  const rulesOfKeyword = keywords.map((k) => keywordRules.get(k)!);
  const base = managed.length;

  const owners = options.owners;
  return {
    longestManaged: managed.reduce((n, m) => Math.max(n, m.text.length), 0),
    detect(text) {
      const present = Uint8Array.from(always, (a) => (a ? 1 : 0));
      const starts: (number[] | undefined)[] = [];
      const hits: number[] = [];
      matcher.run(text, (index, end) => {
        if (index < base) {
          hits.push(index, end);
          return;
        }
        const k = index - base;
        for (const r of rulesOfKeyword[k]!) {
          present[r] = 1;
          if (rules[r]!.anchored) (starts[r] ??= []).push(end - keywords[k]!.length);
        }
      });
      const found = managedFindings(managed, hits, owners);
      for (let r = 0; r < rules.length; r++) {
        if (present[r] !== 1) continue;
        const rule = rules[r]!;
        const re = regexes[r]!;
        if (rule.anchored) {
          for (const at of starts[r] ?? []) {
            re.lastIndex = at;
            const m = re.exec(text);
            if (m) consider(rule, m, text, allowValues, found);
          }
        } else {
          re.lastIndex = 0;
          let m: RegExpExecArray | null;
          while ((m = re.exec(text)) !== null) consider(rule, m, text, allowValues, found);
        }
      }
      return found.sort((a, b) => a.offset - b.offset);
    },
  };
}

/** Masked preview of a pattern match: first 4 characters, "…", and the length. */
export function maskPreview(secret: string): string {
  return `${secret.slice(0, 4)}…(${secret.length} chars)`;
}

// --- internal ---

function managedFindings(managed: ManagedVariant[], hits: number[], owners: ReadonlyMap<string, ManagedOwner> | undefined): TextFinding[] {
  const spans: { v: ManagedVariant; start: number; end: number }[] = [];
  for (let i = 0; i < hits.length; i += 2) {
    const v = managed[hits[i]!]!;
    spans.push({ v, start: hits[i + 1]! - v.text.length, end: hits[i + 1]! });
  }
  // Leftmost, then longest; drop spans inside one already kept.
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: TextFinding[] = [];
  let keptEnd = -1;
  for (const s of spans) {
    if (s.end <= keptEnd) continue;
    keptEnd = s.end;
    const suffix = s.v.encoding === "plain" ? "" : ` (${s.v.encoding})`;
    const owner = owners?.get(s.v.secretName) ?? { secretName: s.v.secretName };
    const of = owner.environment === undefined ? "" : ` of environment ${owner.environment}`;
    out.push({
      offset: s.start,
      length: s.end - s.start,
      kind: "managed",
      secretName: owner.secretName,
      ...(owner.environment === undefined ? {} : { environment: owner.environment }),
      encoding: s.v.encoding,
      description: `Value of managed secret ${owner.secretName}${of}${suffix}`,
      preview: `${owner.secretName}${suffix}`,
    });
  }
  return out;
}

function consider(rule: PatternRule, m: RegExpExecArray, text: string, allowValues: Set<string>, found: TextFinding[]): void {
  const secret = m.groups?.secret ?? m[0];
  // The secret group ends every pattern but the database URL's, where the host follows it:
  // its last occurrence in the match is the group itself.
  const start = m.index + (secret === m[0] ? 0 : m[0].lastIndexOf(secret));
  const span = [start, start + secret.length] as const;
  if (allowValues.has(secret)) return;
  if (found.some((f) => f.offset < span[1] && span[0] < f.offset + f.length)) return;
  const accepted = acceptMatch(rule, m, text);
  if (accepted === undefined || allowValues.has(accepted)) return;
  found.push({ offset: span[0], length: accepted.length, kind: "pattern", ruleId: rule.id, description: rule.description, preview: maskPreview(accepted) });
}
