/**
 * The forms in which a managed value is looked for: plain, base64 and base64url (each at
 * all three byte alignments, so the value is found inside a larger encoded blob such as a
 * base64 `.env` or a Kubernetes Secret), URL-encoded and hex (lower and upper case).
 * Each line of a multi-line value (a PEM key, say) is looked for on its own too, so a
 * value re-indented or re-ended (CRLF) is still found.
 *
 * The forms are not written out for the search: {@link managedForms} keeps each value once
 * with a form number, and gives the matcher only the last {@link ANCHOR_LENGTH} characters
 * of each form, computed from the value's tail. Building the search so costs the same
 * whatever the values' length; a form's full text is made only when its tail is found.
 */
import { packLowBytes, type AnchoredLiterals } from "./anchored-matcher.js";
import { addFormAnchors, FORM_ENCODING, formText, LINE } from "./managed-forms.js";
import type { ManagedEncoding } from "./types.js";

export { ANCHOR_LENGTH } from "./managed-forms.js";

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
  // A Map's iterator already yields fresh pairs; other iterables may reuse theirs.
  if (values instanceof Map) return Array.from(values);
  if (Symbol.iterator in (values as object)) return Array.from(values as Iterable<readonly [string, string]>, ([k, v]) => [k, v]);
  return Object.entries(values as Record<string, string>);
}

/**
 * Every form of every value, as the matcher takes them: the forms in the order they are
 * added (a literal that two forms or two secrets share is reported under the first), each
 * with its anchor (the low bytes of its last {@link ANCHOR_LENGTH} characters). Memory: a few bytes per form
 * beside the values themselves.
 *
 * @example
 * const forms = managedForms([["openai_api_key", "sk-abc123xyz789"]]);
 * forms.text(0); // "sk-abc123xyz789" (the plain form)
 */
export function managedForms(entries: Iterable<readonly [string, string]>): AnchoredLiterals & ManagedLiteralInfo {
  return new ManagedForms(entries);
}

/** What a form stands for, by its index in {@link managedForms}. */
export interface ManagedLiteralInfo {
  secretName(index: number): string;
  encoding(index: number): ManagedEncoding;
}

/**
 * Every literal to look for written out, longest first, without duplicates (a literal that
 * two secrets share is reported under the first name). Values shorter than
 * {@link MIN_MANAGED_LENGTH} are skipped. The scanner itself uses {@link managedForms}.
 *
 * @example
 * managedVariants([["openai_api_key", "sk-abc123xyz789"]]).map((v) => v.encoding);
 */
export function managedVariants(entries: Iterable<readonly [string, string]>): ManagedVariant[] {
  const forms = managedForms(entries);
  const seen = new Map<string, ManagedVariant>();
  for (let i = 0; i < forms.size; i++) {
    const text = forms.text(i);
    if (!seen.has(text)) seen.set(text, { secretName: forms.secretName(i), encoding: forms.encoding(i), text });
  }
  return [...seen.values()].sort((a, b) => b.text.length - a.text.length);
}


// --- internal ---

class ManagedForms implements AnchoredLiterals, ManagedLiteralInfo {
  size = 0;
  private readonly names: string[] = [];
  private readonly texts: string[] = [];
  private textOf: Int32Array;
  private formOf: Uint8Array;
  private headOf: Int32Array;
  private tailOf: Int32Array;
  private readonly written = new Map<number, string>();

  constructor(entries: Iterable<readonly [string, string]>) {
    // Room for every form of every value (at most 12 each) when the count is known.
    const room = Array.isArray(entries) ? entries.length * 12 + 16 : 64;
    [this.textOf, this.formOf, this.headOf, this.tailOf] = [new Int32Array(room), new Uint8Array(room), new Int32Array(room), new Int32Array(room)];
    for (const [name, value] of entries) {
      if (typeof value !== "string" || value.length < MIN_MANAGED_LENGTH) continue;
      const t = this.texts.push(value) - 1;
      this.names.push(name);
      addFormAnchors(value, (form, head, tail) => this.add(t, form, head, tail));
      if (!/[\r\n]/.test(value)) continue;
      for (const line of value.split(/\r?\n/)) {
        const trimmed = line.trim();
        if (trimmed.length < MIN_MANAGED_LINE_LENGTH || trimmed.startsWith("-----")) continue;
        this.names.push(name);
        const n = trimmed.length;
        this.add(this.texts.push(trimmed) - 1, LINE, packLowBytes(trimmed, n - 8), packLowBytes(trimmed, n - 4));
      }
    }
  }

  anchorHead(index: number): number {
    return this.headOf[index]!;
  }

  anchorTail(index: number): number {
    return this.tailOf[index]!;
  }

  /** The form written out; kept once made (only forms whose tail was found are made). */
  text(index: number): string {
    let s = this.written.get(index);
    if (s === undefined) {
      s = formText(this.texts[this.textOf[index]!]!, this.formOf[index]!);
      this.written.set(index, s);
    }
    return s;
  }

  secretName(index: number): string {
    return this.names[this.textOf[index]!]!;
  }

  encoding(index: number): ManagedEncoding {
    return FORM_ENCODING[this.formOf[index]!]!;
  }

  /** Adds a form of text `text`, with its anchor. */
  private add(text: number, form: number, head: number, tail: number): void {
    if (this.size === this.textOf.length) this.grow();
    this.textOf[this.size] = text;
    this.formOf[this.size] = form;
    this.headOf[this.size] = head;
    this.tailOf[this.size] = tail;
    this.size++;
  }

  private grow(): void {
    const n = this.textOf.length * 2;
    const textOf = new Int32Array(n);
    textOf.set(this.textOf);
    const formOf = new Uint8Array(n);
    formOf.set(this.formOf);
    const headOf = new Int32Array(n);
    headOf.set(this.headOf);
    const tailOf = new Int32Array(n);
    tailOf.set(this.tailOf);
    [this.textOf, this.formOf, this.headOf, this.tailOf] = [textOf, formOf, headOf, tailOf];
  }
}

