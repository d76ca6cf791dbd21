/**
 * The wording and heuristics of hush.yaml validation: "did you mean", and how a credential pasted
 * into the file is recognised (by its key's name or its shape) so it can be reported, never echoed.
 */
import type { AddProblem, ConfigPath } from "./options-schema.js";

/** Reports every key of `obj` not in `known`: a credential-looking one as such, else with a "did you mean". */
export function checkKeys(obj: Readonly<Record<string, unknown>>, at: ConfigPath, known: readonly string[], add: AddProblem): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    add([...at, key], looksLikeCredential(key, obj[key]) ? credentialMessage() : unknownKeyMessage(key, known));
  }
}

/** "unknown key; did you mean ...?" naming the known keys, never the value. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const near = suggest(key, known);
  return `unknown key${near ? `; did you mean "${near}"?` : ""} (known: ${known.join(", ")}).`;
}

/** What to do with a credential found in hush.yaml. */
export function credentialMessage(): string {
  return "looks like a credential; hush.yaml is meant to be committed: move it to an environment variable (and rotate it if this file was shared).";
}

/** A key named like a credential, or a string value shaped like a token. */
export function looksLikeCredential(key: string, value: unknown): boolean {
  const k = key.toLowerCase().replace(/[^a-z]/g, "");
  if (/token|password|passwd|secret|apikey|accesskey|privatekey|credential|bearer/.test(k)) return true;
  return typeof value === "string" && tokenShaped(value);
}

/** 20+ characters of token alphabet with a run of 8+ letters-and-digits mixed (names rarely look so). */
export function tokenShaped(s: string): boolean {
  return s.length >= 20 && /^[A-Za-z0-9_\-+/=.:]+$/.test(s) && (s.match(/[A-Za-z0-9]{8,}/g) ?? []).some((c) => /[0-9]/.test(c) && /[A-Za-z]/.test(c));
}

/** A URL with a password in its user-info part (`scheme://user:pass@host`). */
export function hasUrlPassword(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:[^/@\s]+@/i.test(value);
}

// --- internal ---

/** The known key nearest to `key`, when it is close enough to be a typo. */
function suggest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(1, Math.floor((best?.length ?? 0) / 3)) ? best : undefined;
}

/** Levenshtein distance (keys are short). */
function distance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
