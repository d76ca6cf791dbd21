/**
 * Redaction: every managed value, and each line of a multi-line value, becomes
 * `[REDACTED:name]`. The engine is one combined regex of the values, longest first, so
 * where two values overlap the longer wins. The stream works on bytes (decoded as latin1,
 * one char per byte), so it is transparent to binary and to UTF-8 split across chunks.
 * It holds back only a tail that could still become a value (the longest tail that begins
 * some value, so at most `longest value − 1` bytes); other output, such as a prompt waiting
 * for input, goes through at once.
 * `hush redact` and `hush run --mask` use it.
 */
import { Transform, type TransformCallback } from "node:stream";
import { managedEntries } from "./managed.js";

/** Values shorter than this are not redacted: masking "dev" or "5432" everywhere garbles output. */
export const MIN_REDACT_LENGTH = 6;
/** Lines of a multi-line value shorter than this are not redacted on their own. */
export const MIN_REDACT_LINE_LENGTH = 8;

/** The values to redact, by secret name. */
export type RedactValues = Map<string, string> | Iterable<readonly [string, string]> | Record<string, string>;

/** Options of {@link redact} and {@link createRedactStream}. */
export interface RedactOptions {
  /** Shorter values are left alone. @default MIN_REDACT_LENGTH (6) */
  minLength?: number;
}

/**
 * Replaces every value (and every line of a multi-line value) in `text`.
 *
 * @example
 * redact("key=sk-abc123456", { openai_api_key: "sk-abc123456" }); // "key=[REDACTED:openai_api_key]"
 */
export function redact(text: string, values: RedactValues, options: RedactOptions = {}): string {
  const engine = compileRedaction(values, options, (s) => s);
  return engine ? engine.replaceAll(text) : text;
}

/**
 * A Transform that redacts a byte stream. Correct when a value is split across chunks.
 *
 * @example
 * child.stdout.pipe(createRedactStream(new Map([["db_password", pw]]))).pipe(process.stdout);
 */
export function createRedactStream(values: RedactValues, options: RedactOptions = {}): Transform {
  return redactStreamFactory(values, options)();
}

/** {@link createRedactStream} with the values compiled once, for many streams (the gateway: one per reply). */
export function redactStreamFactory(values: RedactValues, options: RedactOptions = {}): () => Transform {
  const engine = compileRedaction(values, options, (s) => Buffer.from(s, "utf8").toString("latin1"));
  return () => redactStream(engine);
}

// --- internal ---

function redactStream(engine: RedactionEngine | undefined): Transform {
  let carry = "";
  return new Transform({
    transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      if (!engine) return callback(null, bytes);
      const held = carry;
      const { output, rest, replaced } = engine.step(held + bytes.toString("latin1"), false);
      carry = rest;
      // Nothing held before or now and nothing replaced: the output is these very bytes (no copy back).
      if (held.length === 0 && rest.length === 0 && !replaced && bytes.length > 0) return callback(null, bytes);
      callback(null, output.length > 0 ? Buffer.from(output, "latin1") : undefined);
    },
    flush(callback: TransformCallback) {
      if (!engine || carry.length === 0) return callback();
      const { output } = engine.step(carry, true);
      carry = "";
      callback(null, Buffer.from(output, "latin1"));
    },
  });
}

interface RedactionEngine {
  replaceAll(text: string): string;
  /** Redacts what is safe to emit; `rest` is the tail that a value could still start in; `replaced`: a value was found. */
  step(text: string, final: boolean): { output: string; rest: string; replaced: boolean };
}

function compileRedaction(values: RedactValues, options: RedactOptions, encode: (s: string) => string): RedactionEngine | undefined {
  const minLength = options.minLength ?? MIN_REDACT_LENGTH;
  const names = new Map<string, string>();
  for (const [name, value] of managedEntries(values)) {
    if (typeof value !== "string") continue;
    if (value.length >= minLength && !names.has(encode(value))) names.set(encode(value), name);
    if (!/[\r\n]/.test(value)) continue;
    for (const line of value.split(/\r?\n/)) {
      for (const part of new Set([line, line.trim()])) {
        if (part.length >= Math.max(minLength, MIN_REDACT_LINE_LENGTH) && !names.has(encode(part))) names.set(encode(part), name);
      }
    }
  }
  if (names.size === 0) return undefined;
  const needles = [...names.keys()].sort((a, b) => b.length - a.length);
  const maxLength = needles[0]!.length;
  const re = new RegExp(needles.map(escapeRegExp).join("|"), "g");
  const label = (m: string) => encode(`[REDACTED:${names.get(m)!}]`);
  const byFirstChar = new Map<string, string[]>();
  for (const n of needles) byFirstChar.set(n[0]!, [...(byFirstChar.get(n[0]!) ?? []), n]);

  /** Where the tail that could still grow into a value begins (text.length: no such tail). */
  function holdFrom(text: string): number {
    for (let i = Math.max(0, text.length - (maxLength - 1)); i < text.length; i++) {
      const candidates = byFirstChar.get(text[i]!);
      if (candidates?.some((n) => n.length > text.length - i && n.startsWith(text.slice(i)))) return i;
    }
    return text.length;
  }

  return {
    replaceAll: (text) => text.replace(re, label),
    step(text, final) {
      // A value starting before `safe` lies wholly inside `text` (and no longer one can start
      // there); from `safe` on, the text could still be the start of a value, so it waits.
      const safe = final ? text.length : holdFrom(text);
      let output = "";
      let pos = 0;
      let replaced = false;
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null && m.index < safe) {
        output += text.slice(pos, m.index) + label(m[0]);
        pos = m.index + m[0].length;
        replaced = true;
      }
      const cut = Math.max(pos, safe);
      return { output: output + text.slice(pos, cut), rest: text.slice(cut), replaced };
    },
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
