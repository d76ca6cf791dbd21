/**
 * Checks applied to a rule's match after its regex: entropy, placeholders, and the named
 * extra checks of `rules.ts` (PEM body, JWT header, assignment context).
 */
import { GLOBAL_PLACEHOLDERS, PLACEHOLDER_WORDS, type PatternRule, type RuleCheck } from "./rules.js";

/** Shannon entropy of `s` in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** The global placeholders other than the words (the words are checked for their case). */
const GLOBAL_PLACEHOLDER_RE = new RegExp(GLOBAL_PLACEHOLDERS.filter((p) => !PLACEHOLDER_WORDS.includes(p)).join("|"), "i");
const PLACEHOLDER_WORD_RE = new RegExp(PLACEHOLDER_WORDS.join("|"), "gi");
/** A run of letters written as one word: `dummy`, `DUMMY`, `Dummy`. */
const ONE_CASE_RE = /^(?:[a-z]+|[A-Z]+|[A-Z][a-z]+)$/;
/** The words of the multi-word placeholders, which may be written in camel case (`yourApiKey`). */
const CAMEL_WORDS = new Set(["your", "api", "key", "token", "secret", "password", "insert", "change", "replace", "me"]);
const isWrittenWord = (part: string) =>
  part === "" || ONE_CASE_RE.test(part) || part.split(/(?=[A-Z])/).every((w) => ONE_CASE_RE.test(w) && CAMEL_WORDS.has(w.toLowerCase()));

/**
 * True when `s` spells a placeholder word as a person writes it. Random characters spell one
 * in random case by chance (`DUmMy` in about one 1,300-character Bedrock key in 15,000, and in
 * long PEM bodies), and that key must still be reported; `DUMMY` or `Dummy` is a placeholder.
 */
function holdsPlaceholderWord(s: string): boolean {
  for (const m of s.matchAll(PLACEHOLDER_WORD_RE)) {
    if (m[0].split(/[^A-Za-z]+/).every(isWrittenWord)) return true;
  }
  return false;
}
const RULE_PLACEHOLDERS = new WeakMap<PatternRule, RegExp>();
/**
 * A masked part (`sk-xxxxx`, `XXXXX-XXXXX`): a run of five or more x of one case that ends at an
 * edge of the secret or at punctuation. Case-sensitive, and not inside random characters: a
 * real key or signature holds `uOuXXXXxmK` by chance (about one 43-character JWT signature in
 * 800,000), and that key must still be reported.
 */
const MASKED_RUN_RE = /(?<![A-Za-z0-9])(?:x{5,}|X{5,})|(?:x{5,}|X{5,})(?![A-Za-z0-9])/;

/** True when `secret` is a placeholder, for all rules or for `rule`. */
export function isPlaceholder(secret: string, rule?: PatternRule): boolean {
  if (GLOBAL_PLACEHOLDER_RE.test(secret) || MASKED_RUN_RE.test(secret) || holdsPlaceholderWord(secret)) return true;
  if (!rule?.placeholders) return false;
  let re = RULE_PLACEHOLDERS.get(rule);
  if (!re) RULE_PLACEHOLDERS.set(rule, (re = new RegExp(rule.placeholders.join("|"), "i")));
  return re.test(secret);
}

/**
 * Applies the rule's floors and its named check to one match. Returns the secret as accepted
 * (the assignment check may extend a quoted value to its closing quote), or undefined.
 */
export function acceptMatch(rule: PatternRule, match: RegExpExecArray, text: string): string | undefined {
  let secret = match.groups?.secret ?? match[0];
  if (rule.entropy !== undefined && shannonEntropy(secret) < rule.entropy) return undefined;
  if (rule.requireDigit && !/\d/.test(secret)) return undefined;
  // The named check first: it rejects most candidates (code, references) more cheaply.
  if (rule.check !== undefined) {
    const checked = CHECKS[rule.check](match, text, secret);
    if (checked === undefined) return undefined;
    secret = checked;
  }
  return rule.check === "pem-body" || !isPlaceholder(secret, rule) ? secret : undefined;
}

// --- internal ---

/** Each returns the secret it accepts (possibly extended), or undefined. */
const CHECKS: Record<RuleCheck, (m: RegExpExecArray, text: string, secret: string) => string | undefined> = {
  "pem-body": checkPemBody,
  jwt: checkJwt,
  assignment: checkAssignment,
  "not-firebase-config": checkNotFirebaseConfig,
  "npmrc-line": checkNpmrcLine,
};

/**
 * An `.npmrc` line that opens a string (`echo "_auth = …" >> ~/.npmrc`, a write from code): a
 * string can hold anything, so the value must have npm's documented form. `_auth` is the
 * base64 of `user:password` and `_password` the base64 of a password (npm's config docs);
 * `_authToken` has no such form and counts only as a line of its own. A line at a line start
 * or after the registry's `:` is an `.npmrc` line by its place, and passes as it is.
 */
function checkNpmrcLine(m: RegExpExecArray, text: string, secret: string): string | undefined {
  const opener = text[m.index - 1];
  if (opener !== '"' && opener !== "'") return secret;
  const decoded = base64Text(secret);
  if (decoded === undefined || m[0].startsWith("_authToken") || isBase64OfProse(secret)) return undefined;
  if (m[0].startsWith("_password")) return isPlaceholder(decoded) ? undefined : secret;
  const colon = decoded.indexOf(":");
  return colon > 0 && colon < decoded.length - 1 && !isPlaceholder(decoded.slice(colon + 1)) ? secret : undefined;
}

/** The text whose canonical base64 `value` is, when that text is valid UTF-8 without control characters. */
function base64Text(value: string): string | undefined {
  const bytes = Buffer.from(value, "base64");
  if (bytes.toString("base64") !== value) return undefined;
  const text = bytes.toString("utf8");
  return Buffer.from(text, "utf8").equals(bytes) && !/\p{Cc}/u.test(text) ? text : undefined;
}

/**
 * A Firebase web config: within 400 characters either side of the key, `authDomain` and one of
 * `projectId`, `messagingSenderId`, `appId` or a `firebaseapp.com` domain.
 */
function checkNotFirebaseConfig(m: RegExpExecArray, text: string, secret: string): string | undefined {
  const near = text.slice(Math.max(0, m.index - 400), m.index + m[0].length + 400);
  const firebase = /auth_?domain/i.test(near) && /project_?id|messaging_?sender_?id|app_?id|firebaseapp\.com/i.test(near);
  return firebase ? undefined : secret;
}

/**
 * A PEM header counts only when key material follows: within the next 600 characters,
 * after dropping line breaks, quotes and string concatenation (a key pasted into code as
 * `"...\n" +` lines), a run of 40+ base64 characters with the entropy of random data.
 */
function checkPemBody(m: RegExpExecArray, text: string, secret: string): string | undefined {
  const after = text.slice(m.index + m[0].length, m.index + m[0].length + 600);
  const cleaned = after.replace(/\\[nr]|["'\x60+,\s]/g, "");
  const run = /(?:Proc-Type:[^]*?DEK-Info:[A-Z0-9,-]*)?([A-Za-z0-9/=]{40,})/.exec(cleaned);
  if (!run) return undefined;
  const body = run[1]!;
  // A placeholder body is low-entropy (`AAAA…`, `xxxx…`) or spells a word; the run checks of
  // `isPlaceholder` would reject every OpenSSH key (its body always holds `AAAAAAAA`).
  return shannonEntropy(body) >= 4.3 && !holdsPlaceholderWord(body) ? secret : undefined;
}

/** A JWT's header must decode to a JSON object with `alg` or `typ`. */
function checkJwt(_m: RegExpExecArray, _text: string, secret: string): string | undefined {
  const header = Buffer.from(secret.slice(0, secret.indexOf(".")), "base64url").toString("utf8");
  return /^\s*\{[^]*"(?:alg|typ)"\s*:/.test(header) ? secret : undefined;
}

const NOT_SECRET_NAME = /public|publishable|cache|primary|foreign|sort|partition|idempot|dedup|i18n|translation|hash|checksum|digest|monkey|turkey|hockey|(?:^|[_.-])(?:id|name|path|file|type|len|length|size|prefix|env|var|header|field|param)$|(?:Id|Name|Path|File|Type|Length|Size|Prefix|Header|Field|Param)$/i;
const NAME_CHAR = /[A-Za-z0-9_.$-]/;
/** The longest value the generic rule takes (its pattern's bound). */
const MAX_VALUE = 256;

/**
 * The generic assignment rule: the value must be a literal (quoted and closed by its
 * quote, or unquoted at the start of a line as in `.env` and YAML), must not be a
 * reference (`process.env.X`, `${X}`, a path, a URL), and must look random: 16+
 * characters with letters and digits and 3.5 bits/char (hex: 32+ characters and 3.0) for keys, secrets and tokens;
 * 8+ characters and 2.8 bits/char for passwords. A quoted value may hold the characters the
 * pattern stops at (`(){}[]<>,;`, as Django's generated keys do): it is then taken whole, up
 * to its closing quote on the same line.
 */
const URL_VALUE = /^[a-z][a-z0-9+.-]{1,30}:\/\//i;
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]{1,30}:\/\/[^/@\s:]*:[^/@\s]+@/i;

function checkAssignment(m: RegExpExecArray, text: string, matched: string): string | undefined {
  let value = matched;
  // The whole name: walk back from the keyword over identifier characters.
  let start = m.index;
  while (start > 0 && m.index - start < 64 && NAME_CHAR.test(text[start - 1]!)) start--;
  const keywordEnd = m.index + /^[A-Za-z0-9_-]+/.exec(m[0])![0].length;
  const name = text.slice(start, keywordEnd);
  if (NOT_SECRET_NAME.test(name)) return undefined;
  const quote = m.groups?.q;
  const end = m.index + m[0].length;
  if (m.groups?.xml !== undefined) {
    // An XML element: the value is its whole text, closed by its end tag (on this line or the next).
    if (!/^[ \t]{0,16}(?:\r?\n[ \t]{0,40})?<\//.test(text.slice(end, end + 64))) return undefined;
  } else if (quote) {
    const close = quote[quote.length - 1]!;
    if (text[end] !== close && !(text[end] === "\\" && text[end + 1] === close)) {
      const closeAt = literalEnd(text, end, quote, MAX_VALUE - value.length);
      if (closeAt === undefined) return undefined;
      value += text.slice(end, closeAt);
    }
  } else {
    // Unquoted: only as a line of `.env`, YAML or properties (or such a line in a diff); `name: Type,` is code.
    // Look back a bounded distance only: an unbounded lastIndexOf is quadratic on a minified line.
    const from = Math.max(0, start - 64);
    const before = text.slice(from, start);
    const nl = before.lastIndexOf("\n");
    if (nl === -1 && from > 0) return undefined;
    if (!/^[ \t]*(?:[+-][ \t]*)?(?:export[ \t]+|set[ \t]+|\$env:)?["']?$/i.test(before.slice(nl + 1))) return undefined;
    if (/[,;)]/.test(text[end] ?? "") || !/[\d\W_]/.test(value)) return undefined;
  }
  if (/^(?:process\.env|os\.environ|env[.:[]|ENV\[|secrets\.|vars\.|\$|%|@|&|file:|\.{0,2}\/|~\/)/i.test(value)) return undefined;
  // A URL of any scheme is an address, not a secret, unless it carries a password (user:pass@).
  if (URL_VALUE.test(value) && !URL_WITH_PASSWORD.test(value)) return undefined;
  if (/^[A-Za-z_$][\w$]*(?:[.:][A-Za-z_$][\w$]*)+$/.test(value) || /^[A-Z][A-Z0-9_]*$/.test(value)) return undefined;
  if (/\.(?:pem|key|json|txt|crt|p12|pfx|ya?ml|env|js|ts|py)$/i.test(value)) return undefined;
  // Test-mode and publishable keys (Stripe's `sk_test_`, `pk_live_`) are not secrets of a live account.
  if (/^(?:[spr]k_test_|pk_live_)/.test(value)) return undefined;
  if (isBase64OfProse(value)) return undefined;
  // A Firebase web key the google-api-key rule let pass is not a secret under a generic name either.
  if (/^AIza[\w-]{35}$/.test(value) && checkNotFirebaseConfig(m, text, value) === undefined) return undefined;
  const isPassword = /pass|pwd/i.test(m[0].slice(0, keywordEnd - m.index));
  if (isPassword) return value.length >= 8 && shannonEntropy(value) >= 2.8 && /[^a-z]/.test(value) ? value : undefined;
  if (value.length < 16 || !/\d/.test(value) || !/[A-Za-z]/.test(value)) return undefined;
  // Hex carries at most 4 bits a character: random 40-character hex often measures ~3.5.
  const random = /^[0-9a-f]+$/i.test(value) ? value.length >= 32 && shannonEntropy(value) >= 3.0 : shannonEntropy(value) >= 3.5;
  return random ? value : undefined;
}

/**
 * Base64 of prose ("This is dummy text for the tests"): decodes to printable text holding at
 * least two spaces between words and mostly letters. A password or key, even one encoded
 * whole (`_auth`, Kubernetes `data:`), rarely has two spaces.
 */
function isBase64OfProse(value: string): boolean {
  if (value.length < 16 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  const text = Buffer.from(value, "base64").toString("latin1");
  if (!/^[\x20-\x7e\t\r\n]+$/.test(text)) return false;
  const letters = (text.match(/[A-Za-z]/g) ?? []).length;
  return (text.match(/[A-Za-z] +[A-Za-z]/g) ?? []).length >= 2 && letters >= 0.7 * text.replace(/\s/g, "").length;
}

/**
 * Where the quoted literal continuing at `from` closes with its `quote` (no space first, at
 * most `room` characters), or undefined. A backslash ends it too, but for the JSON escapes that
 * stand for one character of the value (`\/`, `\\`, `\uXXXX`), which are skipped. An escaped
 * quote (`\"`: a JSON string inside a JSON string) closes only with the escaped quote; a bare
 * one there ends the outer string first.
 */
function literalEnd(text: string, from: number, quote: string, room: number): number | undefined {
  const close = quote[quote.length - 1]!;
  const escaped = quote.length > 1;
  for (let i = from; i < text.length && i - from <= room; i++) {
    const c = text[i]!;
    if (c === close) return i > from && !escaped ? i : undefined;
    if (c === "\\") {
      if (escaped && text[i + 1] === close) return i > from ? i : undefined;
      const escape = JSON_ESCAPE.exec(text.slice(i, i + 6));
      if (escape === null) return undefined;
      i += escape[0].length - 1;
      continue;
    }
    if (/\s/.test(c)) return undefined;
  }
  return undefined;
}

const JSON_ESCAPE = /^\\(?:[/\\]|u[0-9a-fA-F]{4})/;
