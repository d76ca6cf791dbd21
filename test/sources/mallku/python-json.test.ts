import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { hasLoneSurrogate, parsePythonJson, PyNumber, type PyObject } from "../../../src/sources/mallku/python-json.js";
import { dumpsPythonJson, pythonFloatRepr, toCompactJson } from "../../../src/sources/mallku/python-json-dump.js";
import { HushError } from "../../../src/errors.js";
import { MALLKU_FIXTURE, PYTHON } from "../../helpers/fixtures.js";

const manifest = JSON.parse(readFileSync(`${MALLKU_FIXTURE}manifest.json`, "utf8"));
const parse = (text: string) => parsePythonJson(Buffer.from(text, "utf8"));

/** Runs Python's json.dumps(json.loads(text)) for each text; null where Python raises. Texts go by stdin. */
function pythonRoundTrip(texts: string[]): (string | null)[] {
  const script = `
import json, sys
out = []
for t in json.loads(sys.stdin.read()):
    try:
        out.append(json.dumps(json.loads(t.encode("utf-8", "surrogatepass"))))
    except Exception:
        out.append(None)
print(json.dumps(out))
`;
  return JSON.parse(execFileSync(PYTHON, ["-c", script], { input: JSON.stringify(texts), encoding: "utf8" }));
}

function expectHushError(fn: () => unknown, code: string, canaries: string[] = []): HushError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(HushError);
  const e = caught as HushError;
  expect(e.code).toBe(code);
  for (const c of canaries) {
    expect(String(e)).not.toContain(c);
    expect(JSON.stringify(e)).not.toContain(c);
  }
  return e;
}

describe("dumpsPythonJson reproduces Python's json.dumps", () => {
  it("re-serializes the fixture's consolidated dict byte for byte", () => {
    const text: string = manifest.consolidated.plaintext_utf8;
    const dict = parse(text) as PyObject;
    expect(dumpsPythonJson(dict)).toBe(text);
    expect([...dict.keys()]).toEqual(Object.keys(manifest.effective_values_reference_order));
  });

  it("matches real Python on hand-picked texts (floats, big ints, key order, duplicates, escapes)", () => {
    const texts = [
      '{"b": 1, "10": 2, "2": 3, "a": {"z": [], "y": {}}}',
      '{"k": 1, "k": 2, "j": 3}',
      '[18446744073709551617, -0, -0.0, 0.0, 1E400, -1e400, 1e16, 1e15, 0.0001, 0.00001, 5e-324, 1.7976931348623157e308]',
      "[0.1, 0.30000000000000004, 123456789012345678901234567890.5, 1.5e-7, 100.0, 2.5E+3, 1e22]",
      "[NaN, Infinity, -Infinity, true, false, null]",
      '"\\ud800 \\udc00x \\ud83d\\udd11 \\u00e9\\u0301 \\u007f \\u001f \\b\\f\\n\\r\\t \\/ \\" \\\\"',
      ' \t\n\r{"spaced" : [ 1 , 2 ] }\n ',
      '"raw: pässwörd 日本語 🔑 \u007f"',
      "{}",
      "[]",
      '""',
    ];
    const python = pythonRoundTrip(texts);
    texts.forEach((t, i) => expect(dumpsPythonJson(parse(t)), t).toBe(python[i]));
  });

  it("matches real Python on random JSON values, including lone surrogates and control characters", () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    const unit = fc.oneof(codeUnit, fc.constantFrom("a", "é", "🔑", "\u0000", "\ud800"));
    const values = fc.sample(fc.jsonValue({ stringUnit: unit, maxDepth: 4 }), { numRuns: 300, seed: 42 });
    const doubles = fc.sample(fc.double({ noNaN: true, noDefaultInfinity: true }), { numRuns: 300, seed: 7 });
    const texts = [...values.map((v) => JSON.stringify(v)), ...doubles.map((d) => `[${JSON.stringify(d)}, ${d.toExponential()}]`)];
    const python = pythonRoundTrip(texts);
    texts.forEach((t, i) => expect(dumpsPythonJson(parse(t)), t).toBe(python[i]));
  });

  it("writes floats as Python's repr", () => {
    expect(pythonFloatRepr(1e16)).toBe("1e+16");
    expect(pythonFloatRepr(1e15)).toBe("1000000000000000.0");
    expect(pythonFloatRepr(0.00001)).toBe("1e-05");
    expect(pythonFloatRepr(-0)).toBe("-0.0");
    expect(pythonFloatRepr(0.25)).toBe("0.25");
  });
});

describe("parsePythonJson accepts and rejects what Python's json.loads does", () => {
  it("agrees with Python on invalid texts (every one refused, value-free STORE_CORRUPT)", () => {
    const bad = ['{"k": "canary-VALUE-1"', '{"k": "canary-VALUE-1"} x', '{"k": "canary-\u0001"}', '{"k": \'canary\'}', "[01]", "[1.]", "[.5]", '"\\x41"', '"\\u12"', "{1: 2}", "[1,]", "", "   ", "-NaN", "nan", "[+1]", '{"a" 1}'];
    const python = pythonRoundTrip(bad);
    bad.forEach((t, i) => {
      expect(python[i], t).toBeNull();
      const e = expectHushError(() => parse(t), "STORE_CORRUPT", ["canary"]);
      expect(e.message).toMatch(/^The JSON content is not valid JSON: /);
    });
  });

  it("strips a UTF-8 BOM and accepts unescaped UTF-8", () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"k": "päss-🔑"}')]);
    expect((parsePythonJson(withBom) as PyObject).get("k")).toBe("päss-🔑");
  });

  it("refuses bytes that are not UTF-8", () => {
    expectHushError(() => parsePythonJson(Buffer.from([0x22, 0xff, 0x22])), "STORE_CORRUPT");
  });

  it("keeps duplicate keys as Python does: last value, first position", () => {
    const dict = parse('{"k": 1, "j": 2, "k": 3}') as PyObject;
    expect([...dict.keys()]).toEqual(["k", "j"]);
    expect((dict.get("k") as PyNumber).text).toBe("3");
  });

  it("applies depth and size limits before going further (LIMIT_EXCEEDED)", () => {
    expect(() => parse("[".repeat(64) + "]".repeat(64))).not.toThrow();
    expectHushError(() => parse("[".repeat(65) + "]".repeat(65)), "LIMIT_EXCEEDED");
    expectHushError(() => parse("[".repeat(100_000)), "LIMIT_EXCEEDED");
    expectHushError(() => parsePythonJson(Buffer.from('"canary-VALUE-2"'), { maxBytes: 8 }), "LIMIT_EXCEEDED", ["canary"]);
  });
});

describe("toCompactJson and surrogates", () => {
  it("gives compact JSON text with exact numbers", () => {
    const v = parse('{"big": 18446744073709551617, "f": 0.25, "s": "\\ud800", "u": "é", "n": [null, true]}');
    expect(toCompactJson(v)).toBe('{"big":18446744073709551617,"f":0.25,"s":"\\ud800","u":"é","n":[null,true]}');
  });

  it("refuses NaN and Infinity with UNSUPPORTED_CONTENT", () => {
    expectHushError(() => toCompactJson(parse('{"x": NaN}')), "UNSUPPORTED_CONTENT");
    expectHushError(() => toCompactJson(parse("[1e400]")), "UNSUPPORTED_CONTENT");
  });

  it("finds unpaired surrogates only", () => {
    expect(hasLoneSurrogate("a\ud800")).toBe(true);
    expect(hasLoneSurrogate("\udc00a")).toBe(true);
    expect(hasLoneSurrogate("🔑")).toBe(false);
    expect(hasLoneSurrogate("plain")).toBe(false);
  });
});
