/**
 * The one table of provider key formats. The adapter registry's format checks (`hush
 * providers`, the warnings of `adapterConfig`) and the scanner's provider rules are both
 * derived from it, so they cannot disagree about what a key looks like; the tests draw random
 * keys from the same table.
 *
 * A format is a list of variants, each a literal prefix, a body of a given alphabet and length,
 * and an optional literal suffix, as the provider documents its keys (and as GitHub secret
 * scanning and gitleaks match them). Lengths are exact where the provider's keys have one
 * length, so a string one character short or long is not a key.
 */

/** The alphabets key bodies are drawn from. */
export const KEY_ALPHABETS = {
  alnum: "A-Za-z0-9",
  base64url: "A-Za-z0-9_-",
  "hex-lower": "0-9a-f",
  /** Bech32's 32 characters, upper case (age identities). */
  "bech32-upper": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
} as const;

/** One shape of a provider's keys. */
export interface KeyVariant {
  /** Literal start of every key of this variant (a public constant). */
  prefix: string;
  alphabet: keyof typeof KEY_ALPHABETS;
  /** Length of the body: exact, or [min, max]. */
  length: number | readonly [number, number];
  /** Literal end of every key of this variant. */
  suffix?: string;
}

/** A provider's key format. */
export interface ProviderKeyFormat {
  /** The scanner rule id. */
  ruleId: string;
  /** The adapter registry's provider id, for the LLM providers it knows. */
  provider?: string;
  /** What the rule finds, one line. */
  description: string;
  /** What a key looks like, in words (never an example key). */
  shape: string;
  variants: readonly KeyVariant[];
  /** Minimum Shannon entropy (bits per character) the scanner asks of the whole key. */
  entropy: number;
  /** The scanner reports a match only if it holds a digit (keeps words like `sk-…-name` out). */
  requireDigit?: boolean;
  /** Regex sources (case-insensitive): keys that providers print in their own documentation. */
  placeholders?: readonly string[];
}

const B64 = "base64url" as const;

/** Every provider key format hush knows, in the scanner's order (earlier wins an overlap). */
export const KEY_FORMATS: readonly ProviderKeyFormat[] = [
  {
    ruleId: "anthropic-api-key",
    provider: "anthropic",
    description: "Anthropic API key",
    shape: "sk-ant-api03- (or sk-ant-admin01-) followed by 93 letters, digits, '_' or '-' and AA",
    variants: [
      { prefix: "sk-ant-admin01-", alphabet: B64, length: 93, suffix: "AA" },
      { prefix: "sk-ant-api03-", alphabet: B64, length: 93, suffix: "AA" },
    ],
    entropy: 3.5,
  },
  {
    ruleId: "openrouter-api-key",
    provider: "openrouter",
    description: "OpenRouter API key",
    shape: "sk-or-v1- followed by 64 lower-case hex digits",
    variants: [{ prefix: "sk-or-v1-", alphabet: "hex-lower", length: 64 }],
    entropy: 3.0,
  },
  {
    ruleId: "openai-api-key",
    provider: "openai",
    description: "OpenAI API key",
    shape: "sk-proj-, sk-svcacct-, sk-admin- or sk-None- followed by 40 to 250 letters, digits, '_' or '-'; or sk- followed by 48 letters or digits (legacy)",
    variants: [
      { prefix: "sk-svcacct-", alphabet: B64, length: [40, 250] },
      { prefix: "sk-admin-", alphabet: B64, length: [40, 250] },
      { prefix: "sk-proj-", alphabet: B64, length: [40, 250] },
      { prefix: "sk-None-", alphabet: B64, length: [40, 250] },
      { prefix: "sk-", alphabet: "alnum", length: 48 },
    ],
    entropy: 3.5,
    requireDigit: true,
  },
  {
    ruleId: "google-api-key",
    provider: "google",
    description: "Google API key",
    shape: "AIza followed by 35 letters, digits, '_' or '-'",
    variants: [{ prefix: "AIza", alphabet: B64, length: 35 }],
    entropy: 3.5,
  },
  {
    ruleId: "xai-api-key",
    provider: "xai",
    description: "xAI API key",
    shape: "xai- followed by 80 letters or digits",
    variants: [{ prefix: "xai-", alphabet: "alnum", length: 80 }],
    entropy: 3.5,
  },
  {
    ruleId: "groq-api-key",
    provider: "groq",
    description: "Groq API key",
    shape: "gsk_ followed by 52 letters or digits",
    variants: [{ prefix: "gsk_", alphabet: "alnum", length: 52 }],
    entropy: 3.5,
  },
  {
    ruleId: "huggingface-token",
    description: "Hugging Face access token",
    shape: "hf_ (user) or api_org_ (organisation) followed by 34 letters or digits",
    variants: [
      { prefix: "api_org_", alphabet: "alnum", length: 34 },
      { prefix: "hf_", alphabet: "alnum", length: 34 },
    ],
    entropy: 3.5,
  },
  {
    ruleId: "stripe-secret-key",
    // A test key opens the account's test data: reported too. Stripe: keys are at most 255 characters.
    description: "Stripe secret or restricted key (live or test)",
    shape: "sk_live_, sk_test_, rk_live_ or rk_test_ followed by 20 to 247 letters or digits",
    variants: [
      { prefix: "sk_live_", alphabet: "alnum", length: [20, 247] },
      { prefix: "sk_test_", alphabet: "alnum", length: [20, 247] },
      { prefix: "rk_live_", alphabet: "alnum", length: [20, 247] },
      { prefix: "rk_test_", alphabet: "alnum", length: [20, 247] },
    ],
    entropy: 3.3,
    // The test key printed in Stripe's own documentation.
    placeholders: ["4eC39HqLyjWDarjtT1zdp7dc"],
  },
  {
    ruleId: "npm-token",
    description: "npm access token",
    shape: "npm_ followed by 36 letters or digits",
    variants: [{ prefix: "npm_", alphabet: "alnum", length: 36 }],
    entropy: 3.5,
  },
  {
    ruleId: "age-secret-key",
    description: "age secret key",
    shape: "AGE-SECRET-KEY-1 followed by 58 upper-case bech32 characters",
    variants: [{ prefix: "AGE-SECRET-KEY-1", alphabet: "bech32-upper", length: 58 }],
    entropy: 3.5,
  },
];

/** The regex source of a whole key of `format` (no anchors, no boundaries): one group of alternatives. */
export function keyFormatSource(format: ProviderKeyFormat): string {
  return `(?:${format.variants.map(variantSource).join("|")})`;
}

/** The prefixes of `format`, longest first (a masked preview may show them). */
export function keyPrefixes(format: ProviderKeyFormat): string[] {
  return [...new Set(format.variants.map((v) => v.prefix))].sort((a, b) => b.length - a.length);
}

// --- internal ---

function variantSource(v: KeyVariant): string {
  const [min, max] = typeof v.length === "number" ? [v.length, v.length] : v.length;
  const count = min === max ? `{${min}}` : `{${min},${max}}`;
  return `${escapeRegex(v.prefix)}[${KEY_ALPHABETS[v.alphabet]}]${count}${escapeRegex(v.suffix ?? "")}`;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
