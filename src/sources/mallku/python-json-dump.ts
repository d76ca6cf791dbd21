/**
 * Writing the values of `./python-json.ts`: Python's `json.dumps` byte for byte (for rewriting
 * the Mallku files), compact JSON text (for a record's non-string value), Python's float `repr`.
 */
import { HushError } from "../../errors.js";
import { PyNumber, type PyJson } from "./python-json.js";

/**
 * Python's `json.dumps(value)` with default arguments, byte for byte: `ensure_ascii=True`
 * (lower-case `\uXXXX`, astral characters as surrogate pairs), separators `", "` and `": "`,
 * key order kept, integers exact, floats as Python's `repr`, NaN/Infinity as Python writes them.
 */
export function dumpsPythonJson(value: PyJson): string {
  const out: string[] = [];
  writeValue(value, out, dumpAsciiString, ", ", ": ");
  return out.join("");
}

/**
 * Compact JSON text of a value (`{"port":5432}`), as a SecretRecord carries a non-string value:
 * UTF-8 characters as they are, lone surrogates escaped, numbers exact.
 * Throws UNSUPPORTED_CONTENT when the value holds NaN or Infinity, which JSON text cannot carry.
 */
export function toCompactJson(value: PyJson): string {
  const out: string[] = [];
  writeValue(value, out, (s) => JSON.stringify(s), ",", ":", true);
  return out.join("");
}

/** Python's `repr(float)` (and so `json.dumps` of a float): shortest round-trip digits. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, expText] = Math.abs(x).toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "");
  const exp = Number(expText);
  const decpt = exp + 1; // value = 0.<digits> * 10^decpt, Python's convention
  const sign = x < 0 ? "-" : "";
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${sign}${digits}${"0".repeat(decpt - digits.length)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

// --- internal ---

const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const DUMP_ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: "\\\\", 0x08: "\\b", 0x0c: "\\f", 0x0a: "\\n", 0x0d: "\\r", 0x09: "\\t" };

/** Python's number text for a parsed number: exact integer digits, `repr` for floats. */
function pythonNumberText(n: PyNumber): string {
  if (INTEGER.test(n.text)) return BigInt(n.text).toString();
  if (n.text === "NaN" || n.text === "Infinity" || n.text === "-Infinity") return n.text;
  return pythonFloatRepr(Number(n.text));
}

function writeValue(v: PyJson, out: string[], str: (s: string) => string, item: string, colon: string, strict = false): void {
  if (typeof v === "string") out.push(str(v));
  else if (v === null) out.push("null");
  else if (typeof v === "boolean") out.push(v ? "true" : "false");
  else if (v instanceof PyNumber) {
    const text = pythonNumberText(v);
    if (strict && /[NI]/.test(text)) throw new HushError("UNSUPPORTED_CONTENT", "The value holds NaN or Infinity, which JSON text and JavaScript cannot carry; it is kept as it is in the file.");
    out.push(text);
  } else if (Array.isArray(v)) {
    out.push("[");
    v.forEach((e, i) => {
      if (i > 0) out.push(item);
      writeValue(e, out, str, item, colon, strict);
    });
    out.push("]");
  } else {
    out.push("{");
    let first = true;
    for (const [k, e] of v) {
      if (!first) out.push(item);
      first = false;
      out.push(str(k), colon);
      writeValue(e, out, str, item, colon, strict);
    }
    out.push("}");
  }
}

/** Python's `encode_basestring_ascii`: every code unit outside printable ASCII as `\uXXXX`. */
function dumpAsciiString(s: string): string {
  if (PLAIN_ASCII.test(s)) return `"${s}"`;
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(start, i) + (DUMP_ESCAPES[c] ?? `\\u${c.toString(16).padStart(4, "0")}`);
    start = i + 1;
  }
  return `${out}${s.slice(start)}"`;
}
