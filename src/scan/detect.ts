/**
 * The detector: given a text, finds managed values and rule matches, as offsets. One pass
 * of the anchored matcher finds every managed-value form, one Aho-Corasick pass every rule
 * keyword; then only the rules whose keywords occurred run their regex. Findings never
 * hold the matched value.
 */
import { compileAnchored, packLowBytes, type AnchoredLiterals } from "./anchored-matcher.js";
import { compileLiterals, type LiteralMatcher } from "./matcher.js";
import { ANCHOR_LENGTH, managedForms, type ManagedLiteralInfo, type ManagedVariant } from "./managed.js";
import { PATTERN_RULES, type PatternRule } from "./rules.js";
import { acceptMatch, shannonEntropy } from "./validate.js";
import { candidateAllowed, gitleaksSecret, linesAround, scopeApplies, type TextOrigin } from "./rule-scope.js";
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
  /** Managed values by secret name; each is looked for in all its forms (see `managed.ts`). */
  managedValues?: Iterable<readonly [string, string]>;
  /** Literals to look for as managed values, written out (from `managedVariants`; 8 characters or more); ignored with `managedValues`. */
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
  /**
   * The findings in `text`; `origin` (its path, its commit) is what configured rules' scopes
   * test. `bytes`, when given, are the text's code units one byte each (an ASCII text's bytes):
   * the passes over every character then read them, faster than the string.
   */
  detect(text: string, origin?: TextOrigin, bytes?: Uint8Array): TextFinding[];
  /** An upper bound of the longest managed form's length (0 without managed values). */
  readonly longestManaged: number;
}

/**
 * Compiles the managed values and the rules into a detector.
 *
 * @example
 * const d = createDetector({ managedValues: [["db_password", "hunter2hunter2"]] });
 * d.detect("DB_PASSWORD=hunter2hunter2"); // [{ kind: "managed", secretName: "db_password", ... }]
 */
export function createDetector(options: DetectorOptions = {}): Detector {
  const values = options.managedValues ? [...options.managedValues] : undefined;
  const managed = values ? managedForms(values) : variantLiterals(options.managed ?? []);
  const longestManaged = values ? longestFormBound(values) : Math.max(0, ...(options.managed ?? []).map((v) => v.text.length));
  const owners = options.owners;
  const managedMatcher = compileAnchored(managed);
  const rules = options.rules ?? PATTERN_RULES;
  // Anchored rules run sticky at each keyword hit; the others scan the whole text.
  // No `d` flag: match indices allocate on every match, and the generic rule matches often.
  const regexes = rules.map((r) => new RegExp(r.pattern, (r.anchored ? "y" : "g") + (r.flags ?? "")));
  const isolated = rules.map((r) => (r.scope?.gitleaks ? new RegExp(r.pattern, "d" + (r.flags ?? "")) : undefined));
  const always = Uint8Array.from(rules, (r) => (r.keywords.length === 0 ? 1 : 0));
  const scoped = rules.flatMap((r, i) => (r.scope ? [i] : []));
  const allowValues = new Set(options.allowValues ?? []);
  // Keyed by case and literal: a case-insensitive keyword is another literal than the same text matched exactly.
  const keywordRules = new Map<string, number[]>();
  rules.forEach((r, i) => {
    for (const k of r.keywords) {
      const key = (r.keywordsIgnoreCase ? "i" : "s") + k;
      keywordRules.set(key, [...(keywordRules.get(key) ?? []), i]);
    }
  });
  const keys = [...keywordRules.keys()];
  const keywords = keys.map((k) => k.slice(1));
  const matcher: LiteralMatcher = compileLiterals(keywords, keys.map((k) => k[0] === "i"));
  const rulesOfKeyword = keys.map((k) => keywordRules.get(k)!);

  return {
    longestManaged,
    detect(text, origin, bytes) {
      const present = always.slice();
      // A configured rule out of scope here (its path, an allowlisted path or commit) does not run.
      const outOfScope = scoped.length === 0 ? undefined : new Set(scoped.filter((r) => !scopeApplies(rules[r]!.scope!, origin)));
      const starts: (number[] | undefined)[] = [];
      const hits: number[] = [];
      managedMatcher.run(text, (index, start, end) => hits.push(index, start, end), bytes);
      matcher.run(
        text,
        (k, end) => {
          for (const r of rulesOfKeyword[k]!) {
            present[r] = 1;
            if (rules[r]!.anchored) (starts[r] ??= []).push(end - keywords[k]!.length);
          }
        },
        bytes,
      );
      const found = managedFindings(managed, hits, owners);
      for (let r = 0; r < rules.length; r++) {
        if (present[r] !== 1 || outOfScope?.has(r)) continue;
        const rule = rules[r]!;
        const re = regexes[r]!;
        const judge: Judge = { rule, text, allowValues, found, isolated: isolated[r], origin };
        if (rule.anchored && rule.nonOverlapping) {
          runAtHitsInOrder(re, text, starts[r] ?? [], (m) => consider(judge, m));
        } else if (rule.anchored) {
          for (const at of starts[r] ?? []) {
            re.lastIndex = at;
            const m = re.exec(text);
            if (m) consider(judge, m);
          }
        } else {
          re.lastIndex = 0;
          let m: RegExpExecArray | null;
          while ((m = re.exec(text)) !== null) {
            consider(judge, m);
            // An empty match (a configured regex may match nothing) must not stop the search.
            if (m[0].length === 0) re.lastIndex++;
          }
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

/**
 * Literals written out, as the anchored matcher takes them. Those shorter than ANCHOR_LENGTH
 * are not looked for (`managedVariants` makes none: values shorter than 8 are skipped).
 */
function variantLiterals(variants: readonly ManagedVariant[]): AnchoredLiterals & ManagedLiteralInfo {
  const kept = variants.filter((v) => v.text.length >= ANCHOR_LENGTH);
  const texts = kept.map((v) => v.text);
  return {
    size: kept.length,
    anchorHead: (i) => packLowBytes(texts[i]!, texts[i]!.length - 8),
    anchorTail: (i) => packLowBytes(texts[i]!, texts[i]!.length - 4),
    text: (i) => texts[i]!,
    secretName: (i) => kept[i]!.secretName,
    encoding: (i) => kept[i]!.encoding,
  };
}

/**
 * The longest form of any value, bounded without writing the forms out: URL-encoding, the
 * widest, takes at most 3 characters per UTF-8 byte (hex 2, base64 4 per 3, plus padding).
 */
function longestFormBound(values: readonly (readonly [string, string])[]): number {
  let bytes = 0;
  // A value that is not a string (JSON from the Python layout) has no forms: managedForms skips it.
  for (const [, value] of values) if (typeof value === "string") bytes = Math.max(bytes, Buffer.byteLength(value, "utf8"));
  return bytes === 0 ? 0 : 3 * bytes + 4;
}

/**
 * A sticky regex tried at the keyword hits as a global search over the whole text would meet
 * them: left to right, each hit once, none inside the previous match (the search resumes at
 * its end, or one past an empty match). Every match starts at a hit, so the matches are the
 * global search's.
 */
function runAtHitsInOrder(re: RegExp, text: string, hits: number[], onMatch: (m: RegExpExecArray) => void): void {
  // Hits come by end; a longer keyword ending later may start earlier: sort when out of order.
  for (let i = 1; i < hits.length; i++) {
    if (hits[i]! < hits[i - 1]!) {
      hits.sort((a, b) => a - b);
      break;
    }
  }
  let resume = 0;
  let last = -1;
  for (const at of hits) {
    if (at < resume || at === last) continue;
    last = at;
    re.lastIndex = at;
    const m = re.exec(text);
    if (m === null) continue;
    resume = at + Math.max(1, m[0].length);
    onMatch(m);
  }
}

/** `hits` holds (form, start, end) triples. */
function managedFindings(managed: ManagedLiteralInfo, hits: number[], owners: ReadonlyMap<string, ManagedOwner> | undefined): TextFinding[] {
  const spans: { form: number; start: number; end: number }[] = [];
  for (let i = 0; i < hits.length; i += 3) spans.push({ form: hits[i]!, start: hits[i + 1]!, end: hits[i + 2]! });
  // Leftmost, then longest, then the form added first (a literal two forms share); drop
  // spans inside one already kept.
  spans.sort((a, b) => a.start - b.start || b.end - a.end || a.form - b.form);
  const out: TextFinding[] = [];
  let keptEnd = -1;
  for (const s of spans) {
    if (s.end <= keptEnd) continue;
    keptEnd = s.end;
    const label = managed.secretName(s.form);
    const encoding = managed.encoding(s.form);
    const suffix = encoding === "plain" ? "" : ` (${encoding})`;
    const owner = owners?.get(label) ?? { secretName: label };
    const of = owner.environment === undefined ? "" : ` of environment ${owner.environment}`;
    out.push({
      offset: s.start,
      length: s.end - s.start,
      kind: "managed",
      secretName: owner.secretName,
      ...(owner.environment === undefined ? {} : { environment: owner.environment }),
      encoding,
      description: `Value of managed secret ${owner.secretName}${of}${suffix}`,
      preview: `${owner.secretName}${suffix}`,
    });
  }
  return out;
}

/** What {@link consider} needs besides the match. */
interface Judge {
  rule: PatternRule;
  text: string;
  allowValues: Set<string>;
  found: TextFinding[];
  /** The rule's regex for gitleaks' second, isolated match (gitleaks rules only). */
  isolated: RegExp | undefined;
  origin: TextOrigin | undefined;
}

function consider(j: Judge, m: RegExpExecArray): void {
  const { rule, text, allowValues, found } = j;
  const gitleaks = rule.scope?.gitleaks;
  let secret: string;
  let start: number;
  let matched = m[0];
  if (gitleaks) {
    const taken = gitleaksSecret(m, j.isolated!, gitleaks.secretGroup);
    if (taken === undefined) return;
    ({ secret, offset: start, match: matched } = taken);
  } else {
    secret = m.groups?.secret ?? m[0];
    // The secret group ends every pattern but the database URL's, where the host follows it:
    // its last occurrence in the match is the group itself.
    start = m.index + (secret === m[0] ? 0 : m[0].lastIndexOf(secret));
  }
  const span = [start, start + secret.length] as const;
  if (allowValues.has(secret)) return;
  if (found.some((f) => f.offset < span[1] && span[0] < f.offset + f.length)) return;
  // A gitleaks rule keeps gitleaks' checks (entropy strictly above its floor, no placeholders).
  const accepted = gitleaks ? (gitleaks.entropy === 0 || shannonEntropy(secret) > gitleaks.entropy ? secret : undefined) : acceptMatch(rule, m, text);
  if (accepted === undefined || allowValues.has(accepted)) return;
  if (rule.scope && rule.scope.allowlists.length > 0) {
    const candidate = { secret: accepted, match: matched, line: () => linesAround(text, m.index, m.index + m[0].length) };
    if (candidateAllowed(rule.scope, candidate, j.origin)) return;
  }
  found.push({ offset: span[0], length: accepted.length, kind: "pattern", ruleId: rule.id, description: rule.description, preview: maskPreview(accepted) });
}
