/**
 * The forms in which a managed value is looked for: plain, base64 and base64url (each at
 * all three byte alignments, so the value is found inside a larger encoded blob such as a
 * base64 `.env` or a Kubernetes Secret), URL-encoded and hex (lower and upper case).
 * Each line of a multi-line value (a PEM key, say) is looked for on its own too, so a
 * value re-indented or re-ended (CRLF) is still found.
 */
import type { ManagedEncoding } from "./types.js";

/**
 * Values shorter than this are not looked for: a short value ("admin", "5432", "true")
 * occurs by chance in ordinary text, so a hit would not mean a leak.
 */
export const MIN_MANAGED_LENGTH = 8;
/** Lines of a multi-line value shorter than this are not looked for on their own. */
export const MIN_MANAGED_LINE_LENGTH = 16;

/** One literal to look for, and what it stands for. */
export interface ManagedVariant {
  secretName: string;
  encoding: ManagedEncoding;
  text: string;
}

/** Normalizes the accepted shapes of `managedValues` into name -> value pairs. */
export function managedEntries(values: Map<string, string> | Iterable<readonly [string, string]> | Record<string, string> | undefined): [string, string][] {
  if (values === undefined) return [];
  if (values instanceof Map || Symbol.iterator in (values as object)) return [...(values as Iterable<readonly [string, string]>)].map(([k, v]) => [k, v]);
  return Object.entries(values as Record<string, string>);
}

/**
 * Every literal to look for, longest first, without duplicates (a literal that two secrets
 * share is reported under the first name). Values shorter than {@link MIN_MANAGED_LENGTH}
 * are skipped.
 *
 * @example
 * managedVariants([["openai_api_key", "sk-abc123xyz789"]]).map((v) => v.encoding);
 */
export function managedVariants(entries: Iterable<readonly [string, string]>): ManagedVariant[] {
  const seen = new Map<string, ManagedVariant>();
  const add = (secretName: string, encoding: ManagedEncoding, text: string, min = MIN_MANAGED_LENGTH) => {
    if (text.length >= min && !seen.has(text)) seen.set(text, { secretName, encoding, text });
  };
  for (const [name, value] of entries) {
    if (typeof value !== "string" || value.length < MIN_MANAGED_LENGTH) continue;
    add(name, "plain", value);
    const bytes = Buffer.from(value, "utf8");
    for (let k = 0; k < 3; k++) {
      const std = alignedBase64(bytes, k);
      add(name, "base64", std);
      add(name, "base64url", std.replace(/\+/g, "-").replace(/\//g, "_"));
    }
    const url = encodeURIComponent(value);
    if (url !== value) {
      add(name, "url", url);
      add(name, "url", url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
      if (value.includes(" ")) add(name, "url", url.replace(/%20/g, "+"));
    }
    add(name, "hex", bytes.toString("hex"));
    add(name, "hex", bytes.toString("hex").toUpperCase());
    if (/[\r\n]/.test(value)) {
      for (const line of value.split(/\r?\n/)) {
        const t = line.trim();
        if (!t.startsWith("-----")) add(name, "plain", t, MIN_MANAGED_LINE_LENGTH);
      }
    }
  }
  return [...seen.values()].sort((a, b) => b.text.length - a.text.length);
}

// --- internal ---

/**
 * The base64 characters that depend only on `bytes` when they sit `k` bytes into an
 * encoded stream (k = 0, 1, 2): the characters straddling the bytes before or after
 * are dropped, so the result matches wherever the value is embedded at that alignment.
 */
function alignedBase64(bytes: Buffer, k: number): string {
  const padded = Buffer.concat([Buffer.alloc(k), bytes]);
  const encoded = padded.toString("base64");
  const first = Math.ceil((8 * k) / 6);
  const end = Math.floor((8 * (k + bytes.length)) / 6);
  return encoded.slice(first, end);
}
