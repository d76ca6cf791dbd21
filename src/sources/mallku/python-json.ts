/**
 * Python-compatible JSON for the Mallku layout: what Python's `json.loads(bytes)` accepts, kept
 * in a form that loses nothing, and `json.dumps(value)` (default arguments) byte for byte.
 *
 * Why a parser by hand: `JSON.parse` rounds integers beyond 2^53, reorders integer-like keys
 * ("10" before "b"), rejects NaN/Infinity and a BOM, and its error messages quote the input.
 * Parsing into {@link PyJson} instead keeps every number's text, every key's position and every
 * UTF-16 code unit, so a rewrite changes no value a Python reader sees.
 *
 * This file parses; `./python-json-dump.ts` writes (`json.dumps`, compact JSON text).
 *
 * Outcome per edge case (FAULTS 12; also docs/store-format.md, "Python (Mallku) layout"):
 *
 * | input (Python can write it)            | Python reader | hush                                                        |
 * | -------------------------------------- | ------------- | ----------------------------------------------------------- |
 * | NaN / Infinity / -Infinity             | accepts       | parsed and kept on rewrite; get() of that key refuses: UNSUPPORTED_CONTENT |
 * | integer beyond 2^53                    | accepts       | kept exactly (digits), served as JSON text with every digit |
 * | lone surrogate (`"\ud800"`)            | accepts       | kept (rewritten as `\ud800`); get() of a string value refuses: INVALID_VALUE; inside a JSON value it stays escaped |
 * | UTF-8 BOM before the JSON              | accepts       | BOM stripped, accepted                                      |
 * | UTF-8 not `\u`-escaped                 | accepts       | accepted                                                    |
 * | duplicate keys                         | last wins     | last wins, at the first key's position (as Python's dict)   |
 * | raw control character inside a string  | rejects       | rejects: STORE_CORRUPT                                      |
 * | UTF-16/32 encoded JSON                 | accepts       | rejects: STORE_CORRUPT (not UTF-8; diverges from Python)    |
 * | deeper than 64 levels / over 64 MiB    | accepts (up to its recursion limit) | rejects before parsing further: LIMIT_EXCEEDED |
 * | anything else not JSON                 | rejects       | rejects: STORE_CORRUPT, message never quotes the content    |
 *
 * The token and key cases of the same fixture are decided where tokens are read
 * (`mallku/read.ts`, `crypto/fernet.ts`), listed here so the whole table is in one place:
 *
 * | token / key file                       | Python reader | hush                                                        |
 * | -------------------------------------- | ------------- | ----------------------------------------------------------- |
 * | token file with a trailing newline     | accepts       | accepted: ASCII whitespace at both ends trimmed, nothing else |
 * | token in the `+/` alphabet             | accepts       | STORE_CORRUPT: strict base64url (diverges from Python)      |
 * | token with data after the `=` padding  | accepts       | STORE_CORRUPT: strict (diverges from Python)                |
 * | token without its `=` padding          | rejects       | STORE_TRUNCATED (as Python)                                 |
 * | key file + LF or CRLF                  | accepts       | accepted                                                    |
 * | key file without its `=` padding       | rejects       | MALFORMED_KEY, the key never printed                        |
 */
import { HushError } from "../../errors.js";

/** A JSON number exactly as written (`5432`, `0.25`, `1e-05`, `NaN`, `-Infinity`). */
export class PyNumber {
  constructor(readonly text: string) {}
}

/** A JSON object: a Map keeps key order and Python's dict semantics for duplicates. */
export type PyObject = Map<string, PyJson>;

/** A parsed JSON value with nothing lost. */
export type PyJson = string | boolean | null | PyNumber | PyJson[] | PyObject;

/** Largest JSON text parsed. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;
/** Deepest nesting of objects and arrays parsed. */
export const MAX_JSON_DEPTH = 64;

/** Options for {@link parsePythonJson}. */
export interface ParsePythonJsonOptions {
  /** Names the content in error messages, e.g. "The decrypted content of .secrets/x.secret". @default "The JSON content" */
  label?: string;
  /** @default MAX_JSON_BYTES */
  maxBytes?: number;
  /** @default MAX_JSON_DEPTH */
  maxDepth?: number;
}

/**
 * Parses JSON bytes as Python's `json.loads(bytes)` does, into a lossless {@link PyJson}.
 * Throws STORE_CORRUPT (not JSON, not UTF-8) or LIMIT_EXCEEDED; messages never quote content.
 *
 * @example
 * const dict = parsePythonJson(plaintext) as PyObject; dict.get("ascii_api_key");
 */
export function parsePythonJson(data: Buffer, options: ParsePythonJsonOptions = {}): PyJson {
  const label = options.label ?? "The JSON content";
  const maxBytes = options.maxBytes ?? MAX_JSON_BYTES;
  if (data.length > maxBytes) throw new HushError("LIMIT_EXCEEDED", `${label} is ${data.length} bytes; hush parses at most ${maxBytes}.`);
  const body = data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? data.subarray(3) : data;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(body);
  } catch (e) {
    throw new HushError("STORE_CORRUPT", `${label} is not valid UTF-8 JSON.`, { cause: e });
  }
  return new Parser(text, label, options.maxDepth ?? MAX_JSON_DEPTH).parseDocument();
}

/** True when `s` holds a UTF-16 surrogate without its pair (it cannot be encoded as UTF-8). */
export function hasLoneSurrogate(s: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

// --- internal ---

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;
const SHORT_ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/** Recursive-descent parser with Python json's grammar (NaN, Infinity, strict strings). */
class Parser {
  private pos = 0;
  constructor(
    private readonly s: string,
    private readonly label: string,
    private readonly maxDepth: number,
  ) {}

  parseDocument(): PyJson {
    this.skipSpace();
    if (this.pos >= this.s.length) this.fail("it is empty");
    const value = this.parseValue(0);
    this.skipSpace();
    if (this.pos < this.s.length) this.fail("extra data after the value");
    return value;
  }

  private parseValue(depth: number): PyJson {
    const c = this.s[this.pos];
    if (c === '"') return this.parseString();
    if (c === "{" || c === "[") {
      if (depth >= this.maxDepth) throw new HushError("LIMIT_EXCEEDED", `${this.label} is nested deeper than ${this.maxDepth} levels.`);
      return c === "{" ? this.parseObject(depth + 1) : this.parseArray(depth + 1);
    }
    for (const [word, value] of LITERALS) {
      if (this.s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.s);
    if (m) {
      this.pos += m[0].length;
      return new PyNumber(m[0]);
    }
    return this.fail("unexpected character");
  }

  private parseObject(depth: number): PyObject {
    const map: PyObject = new Map();
    this.pos++;
    this.skipSpace();
    if (this.s[this.pos] === "}") {
      this.pos++;
      return map;
    }
    for (;;) {
      if (this.s[this.pos] !== '"') this.fail("object key is not a string");
      const key = this.parseString();
      this.skipSpace();
      if (this.s[this.pos] !== ":") this.fail("missing ':' after an object key");
      this.pos++;
      this.skipSpace();
      map.set(key, this.parseValue(depth));
      this.skipSpace();
      const c = this.s[this.pos++];
      if (c === "}") return map;
      if (c !== ",") this.fail("missing ',' or '}' in an object");
      this.skipSpace();
    }
  }

  private parseArray(depth: number): PyJson[] {
    const list: PyJson[] = [];
    this.pos++;
    this.skipSpace();
    if (this.s[this.pos] === "]") {
      this.pos++;
      return list;
    }
    for (;;) {
      list.push(this.parseValue(depth));
      this.skipSpace();
      const c = this.s[this.pos++];
      if (c === "]") return list;
      if (c !== ",") this.fail("missing ',' or ']' in an array");
      this.skipSpace();
    }
  }

  private parseString(): string {
    const s = this.s;
    let i = this.pos + 1;
    let out = "";
    let start = i;
    for (;;) {
      if (i >= s.length) this.fail("unterminated string");
      const c = s.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) this.fail("control character inside a string");
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += s.slice(start, i);
      const e = s[i + 1];
      if (e === "u") {
        const hex = s.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("invalid \\u escape");
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else {
        const short = e === undefined ? undefined : SHORT_ESCAPES[e];
        if (short === undefined) this.fail("invalid escape");
        out += short;
        i += 2;
      }
      start = i;
    }
    this.pos = i + 1;
    return out + s.slice(start, i);
  }

  private skipSpace(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.pos++;
    }
  }

  private fail(reason: string): never {
    throw new HushError("STORE_CORRUPT", `${this.label} is not valid JSON: ${reason}.`);
  }
}

const LITERALS: [string, PyJson][] = [
  ["null", null],
  ["true", true],
  ["false", false],
  ["NaN", new PyNumber("NaN")],
  ["Infinity", new PyNumber("Infinity")],
  ["-Infinity", new PyNumber("-Infinity")],
];
