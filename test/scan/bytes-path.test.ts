/**
 * The scanner's passes over bytes (an ASCII file's bytes read instead of its decoded string)
 * find exactly what the passes over the string find; and the generic rule, run at its keyword
 * hits, finds exactly what its regex finds searched over the whole text. Random texts, built
 * from the fragments that make hits, overlaps and rejected matches likely.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compileAnchored, packLowBytes } from "../../src/scan/anchored-matcher.js";
import { createDetector, type TextFinding } from "../../src/scan/detect.js";
import { compileLiterals } from "../../src/scan/matcher.js";
import { PATTERN_RULES, type PatternRule } from "../../src/scan/rules.js";
import { scan } from "../../src/scan/scan.js";
import { decodeText, decodeTextKeepingBytes } from "../../src/scan/text.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALNUM, rand } from "./fakes.js";

const latin1 = (text: string) => Buffer.from(text, "latin1");
const GENERIC = PATTERN_RULES.find((r) => r.id === "generic-secret")!;
/** The generic rule as it was: no keywords, its regex searched over the whole text. */
const GENERIC_WHOLE: PatternRule = { ...GENERIC, keywords: [], anchored: false, nonOverlapping: false, keywordsIgnoreCase: false };

/** Pieces of assignments: names in every case, operators, quotes, values (some holding names, some low-entropy). */
const PIECES = [
  "key", "KEY", "Key", "secret", "SECRET", "token", "Token", "passw", "password", "PASSWD", "pwd", "api_", "_base", "-value",
  "=", ":", " = ", ": ", "=>", ":=", ".=", "?=", "(", ")", ",", "\"", "'", "`", "<", ">", "\n", " ", "\t", "\\",
  "x7Qp2LmZ9vRt", "aaaaaaaa", "Zr4k9Qe1Lp7x", "key=Vd83kLq0Zp2m", "example", "https://", "@", "sk-", "AKIA", "é", "ÿ",
  "\nAPI_KEY=", "\npassword=", "examplekey=\"", "Xsecret: '", "\"x7Qp2LmZ9vRt9\"", "'Zr4k9Qe1Lp7x5'",
];
const textOf = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.constant(rand(ALNUM, 20))), { maxLength: 40 }).map((p) => p.join(""));
const brief = (f: TextFinding[]) => f.map((x) => `${x.ruleId ?? x.secretName}@${x.offset}+${x.length}`);

describe("passes over bytes", () => {
  it("the keyword matcher finds the same hits in the bytes as in the string (case-insensitive literals too)", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES.slice(0, 14), "sk-", "AKIA", "ÿx"), { minLength: 1, maxLength: 6 }), fc.array(fc.boolean(), { maxLength: 6 }), textOf, (lits, ic, text) => {
        const m = compileLiterals(lits, lits.map((_l, i) => ic[i] === true));
        const onString: string[] = [];
        const onBytes: string[] = [];
        m.run(text, (i, end) => onString.push(`${i}@${end}`));
        m.run(text, (i, end) => onBytes.push(`${i}@${end}`), latin1(text));
        expect(onBytes).toEqual(onString);
      }),
      { numRuns: 500 },
    );
  });

  it("the anchored (managed-value) matcher finds the same literals in the bytes as in the string", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 8, maxLength: 14, unit: fc.constantFrom("a", "b", "ÿ", "=", "k") }), { minLength: 1, maxLength: 5 }), fc.array(fc.string({ maxLength: 6, unit: fc.constantFrom("a", "b", "ÿ", "x") }), { maxLength: 10 }), (lits, noise) => {
        const text = noise.map((n, i) => n + lits[i % lits.length]!).join("");
        const m = compileAnchored({ size: lits.length, anchorHead: (i) => packLowBytes(lits[i]!, lits[i]!.length - 8), anchorTail: (i) => packLowBytes(lits[i]!, lits[i]!.length - 4), text: (i) => lits[i]! });
        const onString: string[] = [];
        const onBytes: string[] = [];
        m.run(text, (i, s, e) => onString.push(`${i}:${s}-${e}`));
        m.run(text, (i, s, e) => onBytes.push(`${i}:${s}-${e}`), latin1(text));
        expect(onBytes).toEqual(onString);
      }),
      { numRuns: 500 },
    );
  });

  it("the detector (every rule, managed values) finds the same with and without the bytes", () => {
    const value = "Vd83kLq0Zp2m-value";
    const d = createDetector({ managedValues: [["db_password", value]] });
    fc.assert(
      fc.property(textOf, fc.boolean(), (text, withValue) => {
        const t = withValue ? `${text}${value}${text}` : text;
        expect(brief(d.detect(t, undefined, latin1(t)))).toEqual(brief(d.detect(t)));
      }),
      { numRuns: 500 },
    );
  });

  it("decoding keeping the bytes gives decodeText's text, binary included (control bytes before and after the first 8 KiB)", () => {
    const byte = fc.constantFrom(0x00, 0x01, 0x07, 0x09, 0x0a, 0x1b, 0x1f, 0x20, 0x41, 0x7f, 0xc3, 0xa9, 0xff, 0xfe, 0xef, 0xbb, 0xbf);
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 40 }), fc.nat(9000), fc.array(byte, { maxLength: 4 }), (head, pad, tail) => {
        const buf = Buffer.concat([Buffer.from(head), Buffer.alloc(pad, 0x61), Buffer.from(tail)]);
        const kept = decodeTextKeepingBytes(buf);
        expect(kept?.text).toEqual(decodeText(buf));
        if (kept?.bytes) expect(Buffer.from(kept.bytes).toString("latin1")).toEqual(kept.text);
      }),
      { numRuns: 300 },
    );
  });

  it("the scan gives the bytes only for ASCII text: UTF-8 and UTF-16 files are scanned as strings, offsets in code units", async () => {
    expect(decodeTextKeepingBytes(Buffer.from("a=1\n"))?.bytes).toBeDefined();
    expect(decodeTextKeepingBytes(Buffer.from("é=1\n"))?.bytes).toBeUndefined();
    expect(decodeTextKeepingBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("a=1\n", "utf16le")]))?.bytes).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), "hush-bytes-"));
    try {
      const secret = rand(ALNUM, 24) + "9";
      writeFileSync(join(dir, "ascii.env"), `API_TOKEN=${secret}\n`);
      writeFileSync(join(dir, "utf8.env"), `# café\nAPI_TOKEN=${secret}\n`);
      const r = await scan({ cwd: dir, paths: ["."], gitignore: false });
      expect(r.findings.map((f) => `${f.path}:${f.line}:${f.column} ${f.ruleId}`).sort()).toEqual(["ascii.env:1:11 generic-secret", "utf8.env:2:11 generic-secret"]);
      expect(JSON.stringify(r)).not.toContain(secret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("generic-secret at its keyword hits", () => {
  it("finds exactly what its regex finds over the whole text (matches inside a rejected match included)", () => {
    const atHits = createDetector({ rules: [GENERIC] });
    const whole = createDetector({ rules: [GENERIC_WHOLE] });
    fc.assert(
      fc.property(textOf, (text) => {
        expect(brief(atHits.detect(text))).toEqual(brief(whole.detect(text)));
        expect(brief(atHits.detect(text, undefined, latin1(text)))).toEqual(brief(whole.detect(text)));
      }),
      { numRuns: 2000 },
    );
  });

  it("a match inside an earlier, rejected one is not reported (a whole-text search resumes after it)", () => {
    // The first match (after "password", up to the quote) is a placeholder; the `key="…"` inside it would match alone.
    const inner = `examplekey="${rand(ALNUM, 32)}9"`;
    const text = `password=${inner}`;
    expect(createDetector({ rules: [GENERIC_WHOLE] }).detect(text)).toEqual([]);
    expect(createDetector({ rules: [GENERIC] }).detect(text)).toEqual([]);
    expect(createDetector({ rules: [GENERIC] }).detect(text, undefined, latin1(text))).toEqual([]);
    // Alone, it is found.
    expect(brief(createDetector({ rules: [GENERIC] }).detect(inner))).toHaveLength(1);
  });

  it("a rule whose keyword hits come out of order (a longer keyword starting earlier) still runs as a whole-text search", () => {
    const rule: PatternRule = { id: "t", description: "t", keywords: ["abcde", "cd"], anchored: true, nonOverlapping: true, pattern: "(?:abcde|cd)(?<secret>[a-z0-9]{8,12})" };
    const ref: PatternRule = { ...rule, keywords: [], anchored: false, nonOverlapping: false };
    fc.assert(
      fc.property(fc.array(fc.constantFrom("abcde", "cd", "ab", "x9", "q7r2", " "), { maxLength: 30 }), (p) => {
        const text = p.join("");
        expect(brief(createDetector({ rules: [rule] }).detect(text))).toEqual(brief(createDetector({ rules: [ref] }).detect(text)));
      }),
      { numRuns: 500 },
    );
  });
});
