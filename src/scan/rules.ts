/**
 * The pattern rules of the scanner, kept as data. A rule runs only on text that contains
 * one of its `keywords` (case-sensitive literals, found in the same single pass as the
 * managed values), so a file without any keyword costs one pass over its characters.
 *
 * Regexes are written to stay linear on hostile input: no unbounded quantifier after a
 * variable-length prefix, every repetition bounded. The part that is the secret is the
 * named group `secret` (the whole match when absent); entropy floors and placeholders
 * apply to it.
 */

import { KEY_FORMATS, keyFormatSource, keyPrefixes, type ProviderKeyFormat } from "../adapters/key-formats.js";
import type { RuleScope } from "./rule-scope.js";

/** A named extra check, implemented in `validate.ts`. */
export type RuleCheck = "pem-body" | "jwt" | "assignment" | "not-firebase-config" | "npmrc-line";

/** One pattern rule. */
export interface PatternRule {
  /** Stable id, kebab-case; used in output, SARIF and allow-lists. */
  id: string;
  /** What the rule finds, one line. */
  description: string;
  /** Case-sensitive literals; the regex runs only when one of them occurs in the text. Empty: always runs. */
  keywords: string[];
  /**
   * The match starts where a keyword starts (a lookbehind may check the character before):
   * the regex then runs only at the keyword hits, not over the whole text.
   */
  anchored?: boolean;
  /**
   * With `anchored`: the hits are tried left to right, and one inside the previous match is
   * skipped, so the rule finds exactly what its regex finds searched over the whole text
   * (keywords given to a rule for speed, not to change its matches). Without it every hit is
   * tried, and a match may start inside another.
   */
  nonOverlapping?: boolean;
  /** Regex source. Compiled with the flags `g` + `flags`. */
  pattern: string;
  /** Extra regex flags (`i`). */
  flags?: string;
  /** Minimum Shannon entropy (bits per character) of the secret part. */
  entropy?: number;
  /** The secret part must contain a digit. */
  requireDigit?: boolean;
  /** Regex sources (case-insensitive): a secret part matching one is a placeholder, never reported. */
  placeholders?: string[];
  /** A further check on the match. */
  check?: RuleCheck;
  /** How bad a leak is; when absent, `severity.ts` decides (provider keys high, generic medium). */
  severity?: "high" | "medium" | "low";
  /** Match the keywords case-insensitively (gitleaks rules). @default false */
  keywordsIgnoreCase?: boolean;
  /** Configured rules only: where the rule runs, its allowlists, gitleaks' secret extraction (`rule-scope.ts`). */
  scope?: RuleScope;
}

/**
 * Placeholder words (case-insensitive regex sources): the ones that can sit inside encoded key
 * material too (a PEM body written as "...EXAMPLE..."). Runs of one character and keyboard
 * sequences are not among them: structured encodings hold those by design (every OpenSSH key
 * body holds `AAAAAAAA`, the zero bytes of its length fields).
 */
export const PLACEHOLDER_WORDS: readonly string[] = [
  "example", "sample", "placeholder", "dummy", "redacted", "changeme", "change[-_]?me", "replace[-_]?me",
  "your[-_ ]?(?:api[-_ ]?)?(?:key|token|secret|password)", "insert[-_ ]?(?:your|key)",
];

/** Placeholders no rule reports (case-insensitive regex sources, tested on the secret part). */
export const GLOBAL_PLACEHOLDERS: readonly string[] = [
  ...PLACEHOLDER_WORDS, "\\*{4}", "\\.\\.\\.", "…",
  "(.)\\1{7}", "0123456|1234567|abcdefgh|qwerty", "^<.*>$", "\\$\\{[^}]*\\}", "\\{\\{.*\\}\\}", "%\\([a-z_]+\\)s", "^\\$[A-Za-z_]",
  "^(?:test|secret|token|key|none|null|nil|undefined|true|false|password|passwd)$",
];

/** Assignment to a name: optional closing quote/bracket, an operator, optional opening quote. */
const ASSIGN = String.raw`[\\"'\]]{0,3}[ \t]{0,4}(?::=|=>|==?|:)[ \t]{0,4}(?<q>\\?["'\x60])?`;

/**
 * The generic rule's assignment, in more syntaxes than {@link ASSIGN}: a Go type (`var x string =`),
 * PHP's `.=`, make's `::=`, `:::=`, `?=` and `+=`, an argument pair (`setProperty("X_TOKEN", "…")`:
 * a comma after a quoted name that is a call's first argument; not a list of strings), and an XML element (`<apiToken>…</apiToken>`, the value alone on the next line too; the group `xml`).
 */
const GENERIC_ASSIGN =
  String.raw`(?:[ \t]{1,4}string)?[\\"'\]]{0,3}[ \t]{0,4}(?::{1,3}=|\.=|\?=|\+=|=>|==?|:|(?<=\([ \t]{0,4}["'][A-Za-z0-9_.-]{1,64}["'][ \t]{0,4}),|(?<=<[A-Za-z0-9_.:-]{0,64})(?<xml>>[ \t]{0,16}(?:\r?\n[ \t]{0,40})?))` +
  String.raw`[ \t]{0,4}(?<q>\\?["'\x60])?`;

/**
 * Passwords in URLs and `user:password` arguments that are templates or documentation: common
 * words, masks, and references (`${VAR}`, `$VAR`, `$(VAR)`, `{password}`, `{{password}}`, `%s`).
 */
const URL_PASSWORD_PLACEHOLDERS: string[] = [
  "^(?:pass|pw|pwd|secret|root|admin|postgres|mysql|user|guest|mongo|redis|rabbit|guest|mypass(?:word)?|pass(?:word)?\\d?|\\*+|x+|\\$[A-Za-z_]\\w*|:?[A-Za-z_]+:?)$",
  "^\\{[^{}]*\\}$", "\\$\\(", "^%[sd]$", "^%[A-Za-z_]+%$", "^\\[[^\\]]*\\]$",
];

/**
 * Checks for provider keys beyond their format. A Google API key inside a Firebase web config
 * (`authDomain`, `projectId`, …) is Firebase's public client identifier, shipped to every
 * browser by design (Firebase's documentation): not reported. The same key elsewhere is.
 */
const PROVIDER_CHECKS: Readonly<Record<string, RuleCheck>> = { "google-api-key": "not-firebase-config" };

/** The rules. Order matters only for overlap: an earlier rule wins a span over a later one. */
export const PATTERN_RULES: readonly PatternRule[] = [
  {
    id: "private-key",
    description: "Private key in PEM form",
    keywords: ["-----BEGIN"],
    anchored: true,
    pattern: String.raw`-----BEGIN[ A-Z0-9]{0,24}PRIVATE KEY(?: BLOCK)?-----`,
    check: "pem-body",
  },
  // The provider keys, from the one table of key formats (`adapters/key-formats.ts`).
  ...KEY_FORMATS.map(providerKeyRule),
  {
    id: "mistral-api-key",
    description: "Mistral API key (32 characters assigned to a MISTRAL name)",
    keywords: ["mistral", "MISTRAL", "Mistral"],
    pattern: String.raw`mistral[A-Za-z0-9_.-]{0,24}?` + ASSIGN + String.raw`(?<secret>[A-Za-z0-9]{32})(?![A-Za-z0-9_-])`,
    flags: "i",
    entropy: 3.5,
    requireDigit: true,
  },
  {
    id: "aws-access-key-id",
    description: "AWS access key id",
    keywords: ["AKIA", "ASIA", "ABIA", "ACCA"],
    anchored: true,
    pattern: String.raw`(?<![A-Za-z0-9])(?<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})(?![A-Za-z0-9])`,
    // 2.5, not gitleaks' 3.0: one random key id in 5,000 measures under 3.0 (none in 2,000,000
    // under 2.5), and those are real keys; `AKIAAAAABBBBCCCCDDDD` measures 2.35.
    entropy: 2.5,
  },
  {
    id: "aws-secret-access-key",
    description: "AWS secret access key",
    keywords: ["secret_access_key", "SECRET_ACCESS_KEY", "secretAccessKey", "SecretAccessKey", "aws_secret", "AWS_SECRET", "awsSecret", "AwsSecret"],
    pattern: String.raw`(?:secret_?access_?key|aws_?secret(?:_?access)?(?:_?key)?)` + ASSIGN + String.raw`(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
    flags: "i",
    entropy: 4.0,
  },
  {
    id: "aws-bedrock-api-key",
    description: "Amazon Bedrock API key (long-term ABSK… or short-term bedrock-api-key-…)",
    keywords: ["ABSK", "bedrock-api-key-"],
    anchored: true,
    // Long-term: ABSK + base64 of "BedrockAPIKey-<id>-at-<account>:<secret>"; short-term:
    // bedrock-api-key- + base64 of a SigV4 presigned "bedrock.amazonaws.com/?Action=CallWithBearerToken…" URL.
    // The fixed start of each encoded text keeps look-alikes ("bedrock-api-key-example") out.
    pattern:
      String.raw`(?<![A-Za-z0-9_-])(?<secret>ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{60,400}={0,2}` +
      String.raw`|bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/]{100,6000}={0,2})(?![A-Za-z0-9+/=_-])`,
    entropy: 4.0,
  },
  {
    id: "github-token",
    description: "GitHub token (personal, OAuth, user-to-server, server-to-server or refresh)",
    keywords: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
    anchored: true,
    pattern: String.raw`(?<![A-Za-z0-9_])(?<secret>gh[pousr]_[A-Za-z0-9]{36,251})(?![A-Za-z0-9_])`,
    entropy: 3.5,
  },
  {
    id: "github-fine-grained-pat",
    description: "GitHub fine-grained personal access token",
    keywords: ["github_pat_"],
    anchored: true,
    pattern: String.raw`(?<![A-Za-z0-9_])(?<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9_])`,
    entropy: 3.5,
  },
  {
    id: "gitlab-token",
    description: "GitLab access token",
    keywords: ["glpat-", "gldt-", "glrt-", "glptt-"],
    anchored: true,
    // GitLab's formats: 20 characters after glpat-/gldt-/glrt-, or the routable form (27-300
    // base64url characters, '.', 2 base-36 length digits and a 7-character CRC); glptt- and 40 hex digits.
    pattern: String.raw`(?<![A-Za-z0-9_-])(?<secret>gl(?:pat|dt|rt)-(?:[A-Za-z0-9_-]{27,300}\.[0-9a-z]{9}|[A-Za-z0-9_-]{20})|glptt-[0-9a-f]{40})(?![A-Za-z0-9_.-])`,
    entropy: 3.3,
  },
  {
    id: "slack-token",
    description: "Slack token",
    // Bot, user, refresh and legacy tokens; legacy workspace (xoxa-2-); configuration access
    // (xoxe.xoxp-1-, 163-166 characters) and refresh (xoxe-1-, 146); app-level (xapp-1-<app id>-<digits>-<hex>).
    keywords: ["xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-", "xoxe-", "xoxe.", "xapp-"],
    anchored: true,
    pattern:
      String.raw`(?<![A-Za-z0-9_.-])(?<secret>xox[bprs]-\d{6,16}-[0-9A-Za-z-]{8,220}|xoxa-(?:\d-)?[0-9A-Za-z-]{8,220}` +
      String.raw`|xoxe\.xox[bp]-\d-[0-9A-Za-z]{163,166}|xoxe-\d-[0-9A-Za-z]{146}|xapp-\d-[A-Z0-9]{8,16}-\d{8,16}-[0-9a-f]{32,128})(?![A-Za-z0-9_-])`,
    entropy: 3.0,
  },
  {
    id: "slack-webhook",
    description: "Slack incoming webhook, workflow or trigger URL",
    keywords: ["hooks.slack.com"],
    anchored: true,
    // services/T…/B…/secret; workflows/T…/A…/digits/secret; triggers/T…/digits/secret.
    pattern: String.raw`hooks\.slack\.com/(?:services|workflows|triggers)/(?<secret>[A-Za-z0-9_]{8,16}(?:/[A-Za-z0-9_]{8,40}){2,3})(?![A-Za-z0-9_])`,
    entropy: 3.0,
  },
  {
    id: "npmrc-auth",
    description: "npm registry credential (.npmrc _authToken, _auth or _password)",
    keywords: ["_auth", "_password"],
    anchored: true,
    // At the start of a line or after the registry's `:` (`//registry.npmjs.org/:_authToken=`), not `self._password`;
    // or opening a string (`echo "_auth = …" >> ~/.npmrc`), where the check holds the value to npm's format.
    pattern: String.raw`(?<=(?:^|[\n:])[ \t]{0,8}|["'])_(?:authToken|auth|password)[ \t]{0,4}=[ \t]{0,4}["']?(?<secret>[A-Za-z0-9+/=_.:-]{16,512})(?![A-Za-z0-9+/=_.:-])`,
    entropy: 3.0,
    check: "npmrc-line",
  },
  {
    id: "curl-basic-auth",
    description: "Password in a curl -u/--user user:password argument",
    keywords: ["curl"],
    anchored: true,
    pattern: String.raw`(?<![A-Za-z0-9_-])curl(?=[ \t])[^\n]{0,300}?[ \t](?:-u|--user)(?:[ \t]{1,4}|=)["']?[^\s"':$]{1,64}:(?<secret>[^\s"'$]{3,128})`,
    placeholders: URL_PASSWORD_PLACEHOLDERS,
  },
  {
    id: "sendgrid-api-key",
    description: "SendGrid API key",
    keywords: ["SG."],
    anchored: true,
    pattern: String.raw`(?<![A-Za-z0-9_])(?<secret>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])`,
    entropy: 3.5,
  },
  {
    id: "jwt",
    description: "JSON Web Token",
    keywords: ["eyJ"],
    anchored: true,
    pattern: String.raw`(?<![A-Za-z0-9_-])(?<secret>eyJ[A-Za-z0-9_-]{8,2048}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{16,1024})(?![A-Za-z0-9_-])`,
    check: "jwt",
  },
  {
    id: "database-url-password",
    description: "Database URL with a password",
    keywords: ["postgres://", "postgresql://", "mysql://", "mariadb://", "mongodb://", "mongodb+srv://", "redis://", "rediss://", "amqp://", "amqps://", "mssql://", "sqlserver://", "clickhouse://", "cockroachdb://", "jdbc:"],
    pattern: String.raw`(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|clickhouse|cockroachdb|jdbc:[a-z]{2,12})://[^\s:/@"'\x60<>]{1,128}:(?<secret>[^\s@/"'\x60<>]{3,128})@[^\s/"'\x60<>]{1,256}`,
    placeholders: URL_PASSWORD_PLACEHOLDERS,
  },
  {
    id: "url-password",
    description: "URL with a password (user:password@host), any scheme",
    keywords: ["://"],
    anchored: true,
    pattern: String.raw`(?<=[A-Za-z][A-Za-z0-9+.-]{1,30})://[^\s:/@"'\x60<>]{0,128}:(?<secret>[^\s@/"'\x60<>]{3,128})@[A-Za-z0-9[]`,
    placeholders: URL_PASSWORD_PLACEHOLDERS,
  },
  {
    id: "generic-secret",
    description: "High-entropy value assigned to a key, secret, token or password name",
    // Every match starts with one of these names, in any case. They are in most files, so they
    // filter few files; but the regex then runs only at them, not searching every character
    // (the names, case-insensitive, cost the automaton nothing, and the search cost ~3 ns a
    // character: a third of a scan's CPU, bench/README.md). Same matches as a whole-text search.
    keywords: ["key", "secret", "token", "passw", "pwd"],
    keywordsIgnoreCase: true,
    anchored: true,
    nonOverlapping: true,
    pattern: String.raw`(?:key|secret|token|passw(?:or)?d|pwd)(?:[_-]?(?:base|value|str|string|b64|hex|raw))?` + GENERIC_ASSIGN + String.raw`(?<secret>[^\s"'\x60,;(){}\[\]<>\\]{8,256})`,
    flags: "i",
    check: "assignment",
  },
];

// --- internal ---

/** A provider key as a whole token: not inside a longer run of key characters. */
function providerKeyRule(format: ProviderKeyFormat): PatternRule {
  const prefixes = keyPrefixes(format);
  // A keyword is a prefix that no shorter prefix already covers (`sk-` covers `sk-proj-`).
  const keywords = prefixes.filter((p) => !prefixes.some((q) => q !== p && p.startsWith(q)));
  return {
    id: format.ruleId,
    description: format.description,
    keywords,
    anchored: true,
    pattern: String.raw`(?<![A-Za-z0-9_-])(?<secret>` + keyFormatSource(format) + String.raw`)(?![A-Za-z0-9_-])`,
    entropy: format.entropy,
    ...(format.requireDigit ? { requireDigit: true } : {}),
    ...(format.placeholders ? { placeholders: [...format.placeholders] } : {}),
    ...(PROVIDER_CHECKS[format.ruleId] ? { check: PROVIDER_CHECKS[format.ruleId] } : {}),
  };
}
