/**
 * Key format checks and masked previews. Neither ever returns any part of a value beyond a
 * provider's public prefix (and, for keys with no known prefix, at most 4 characters).
 *
 * A check is advice, not validation: providers change their formats, so a mismatch is a
 * warning and never stops a write or a lookup.
 */
import { PROVIDERS, type ProviderEntry } from "./registry.js";
import { findProvider, providersForKeyName } from "./lookup.js";

/** Outcome of a format check. `reason` describes the problem without quoting the value. */
export type FormatCheck =
  | { status: "ok" }
  | { status: "mismatch"; reason: string }
  /** The provider has no documented key format. */
  | { status: "unchecked" };

/**
 * Checks `value` against the provider's key format.
 * @example checkKeyFormat("anthropic", process.env.OPENAI_API_KEY!) // { status: "mismatch", reason: "it looks like an OpenAI key ..." }
 */
export function checkKeyFormat(provider: string | ProviderEntry, value: string): FormatCheck {
  const p = findProvider(provider);
  if (value.length === 0) return { status: "mismatch", reason: "it is empty" };
  if (value !== value.trim()) return { status: "mismatch", reason: "it has leading or trailing whitespace (often a pasted newline)" };
  if (/^["'`]|["'`]$/.test(value)) return { status: "mismatch", reason: "it starts or ends with a quote character" };
  if (!p.keyFormat) return { status: "unchecked" };
  if (new RegExp(p.keyFormat.pattern).test(value)) return { status: "ok" };
  const other = matchingProvider(value, p);
  if (other) return { status: "mismatch", reason: `it looks like ${article(other.displayName)} ${other.displayName} key, not ${article(p.displayName)} ${p.displayName} key` };
  const prefix = p.keyFormat.prefixes.find((x) => value.startsWith(x));
  const foreign = foreignPrefix(value, p, prefix);
  if (foreign) return { status: "mismatch", reason: `it starts with ${JSON.stringify(foreign.prefix)}, the prefix of ${foreign.provider.displayName} keys` };
  if (!prefix) {
    return { status: "mismatch", reason: `${p.displayName} keys start with ${p.keyFormat.prefixes.map((x) => JSON.stringify(x)).join(" or ")}; this one does not` };
  }
  return { status: "mismatch", reason: `it starts with ${JSON.stringify(prefix)} but its length (${value.length}) or characters differ from the usual format: ${p.keyFormat.description}` };
}

/**
 * The warning to show when `value` is set under a provider's key name and does not match its
 * format; undefined when the name is no provider's key, the format is unknown, or it matches.
 * The manager's `set` calls this.
 * @example formatWarningFor("OPENAI_API_KEY", value) // "openai_api_key ... does not look like an OpenAI API key: ..."
 */
export function formatWarningFor(name: string, value: string): string | undefined {
  let providers: ProviderEntry[];
  try {
    providers = providersForKeyName(name);
  } catch (_e) {
    return undefined; // an invalid name is the caller's error to raise, not a format question
  }
  for (const p of providers) {
    const check = checkKeyFormat(p, value);
    if (check.status === "mismatch") return `"${name}" does not look like ${article(p.displayName)} ${p.displayName} API key: ${check.reason}.`;
  }
  return undefined;
}

/**
 * A masked preview: the longest public key prefix in the registry that the value starts with (or, with no known prefix and a value of at
 * least 20 characters, its first 4 characters), an ellipsis and the length.
 * @example maskKey("sk-proj-...164 chars") // "sk-proj-…(164 chars)"
 */
export function maskKey(value: string): string {
  const tail = `…(${value.length} chars)`;
  const prefix = knownPrefix(value);
  // Show the prefix only when something secret follows it, so a bare prefix is not mistaken for a key.
  if (prefix !== undefined && value.length > prefix.length) return prefix + tail;
  if (value.length >= 20) return value.slice(0, 4).replace(/[^\x21-\x7e]/g, "?") + tail;
  return tail;
}

// --- internal ---

/** The longest registry prefix the value starts with (whichever provider's it is: the preview shows what the key is). */
function knownPrefix(value: string): string | undefined {
  const all = PROVIDERS.flatMap((q) => q.keyFormat?.prefixes ?? []).filter((x) => value.startsWith(x));
  return all.sort((a, b) => b.length - a.length)[0];
}

/** Another provider's prefix that the value starts with, longer than the provider's own matching prefix. */
function foreignPrefix(value: string, p: ProviderEntry, own: string | undefined): { prefix: string; provider: ProviderEntry } | undefined {
  let best: { prefix: string; provider: ProviderEntry } | undefined;
  for (const q of PROVIDERS) {
    if (q === p || !q.keyFormat) continue;
    for (const x of q.keyFormat.prefixes) {
      if (value.startsWith(x) && x.length > (own?.length ?? 0) && x.length > (best?.prefix.length ?? 0)) best = { prefix: x, provider: q };
    }
  }
  return best;
}

/** Another provider whose full format the value matches. */
function matchingProvider(value: string, except: ProviderEntry): ProviderEntry | undefined {
  return PROVIDERS.find((q) => q !== except && q.keyFormat !== null && new RegExp(q.keyFormat.pattern).test(value));
}

function article(word: string): string {
  return /^[AEIOU]/i.test(word) ? "an" : "a";
}
