import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { compileAnchored, packLowBytes } from "../../src/scan/anchored-matcher.js";
import { createDetector } from "../../src/scan/detect.js";
import { scan } from "../../src/scan/scan.js";

/** Small alphabets make overlaps, repeats and shared prefixes and suffixes likely; unicode included. */
const UNITS = ["a", "b", "é", "😀", "\uD800", "+", "/", "%", " ", "\n"];
const unit = fc.constantFrom(...UNITS);

describe("anchored matcher", () => {
  it("finds exactly what an indexOf loop finds: overlaps, literals that are prefixes or suffixes of each other, unicode", () => {
    // Literals are 8 code units or more (the anchor); a unit may be 2 (a surrogate pair).
    const base = fc.string({ minLength: 8, maxLength: 16, unit });
    // Each literal is a base, or a prefix or a suffix of another one, so they nest.
    const literals = fc.array(base, { minLength: 1, maxLength: 4 }).chain((bases) =>
      fc.array(fc.tuple(fc.constantFrom(...bases), fc.nat(), fc.constantFrom("whole", "prefix", "suffix")), { minLength: 1, maxLength: 8 }).map((picks) =>
        picks.map(([b, n, how]) => (how === "whole" ? b : how === "prefix" ? b.slice(0, 8 + (n % (b.length - 7))) : b.slice(n % (b.length - 7)))),
      ),
    );
    fc.assert(
      fc.property(literals, fc.array(fc.oneof(fc.string({ maxLength: 6, unit }), fc.constantFrom(...UNITS.map((u) => u.repeat(5)))), { maxLength: 12 }), (lits, pieces) => {
        // Texts made of the literals themselves and noise, so hits are the rule, not the exception.
        const text = pieces.map((p, i) => p + (lits[i % lits.length] ?? "")).join("");
        const m = compileAnchored({
          size: lits.length,
          anchorHead: (i) => packLowBytes(lits[i]!, lits[i]!.length - 8),
          anchorTail: (i) => packLowBytes(lits[i]!, lits[i]!.length - 4),
          text: (i) => lits[i]!,
        });
        const got: string[] = [];
        m.run(text, (i, start, end) => got.push(`${i}:${start}-${end}`));
        const want: string[] = [];
        lits.forEach((l, i) => {
          for (let p = text.indexOf(l); p !== -1; p = text.indexOf(l, p + 1)) want.push(`${i}:${p}-${p + l.length}`);
        });
        expect(got.sort()).toEqual(want.sort());
      }),
      { numRuns: 1000 },
    );
  });
});

describe("managed values: the detector against a naive search", () => {
  it("reports exactly what indexOf over every written-out form reports, leftmost-longest, first form on a tie", () => {
    const value = fc.string({ minLength: 8, maxLength: 24, unit: fc.oneof(unit, fc.constantFrom("c", "d", "x")) });
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(fc.nat(), fc.nat(5), fc.string({ maxLength: 5, unit })), { maxLength: 6 }), (values, embeds) => {
        const entries: (readonly [string, string])[] = values.map((v, i) => [`s${i}`, v] as const);
        // Values related to each other: a prefix and a suffix of the first one, when long enough.
        if (values[0]!.length >= 12) entries.push(["head", values[0]!.slice(0, 9)], ["tail", values[0]!.slice(-9)]);
        const forms = referenceForms(entries);
        // Each embed writes one form, or a base64 blob of a value after a prefix (the other alignments).
        const text = embeds
          .map(([n, how, noise]) => {
            const v = entries[n % entries.length]![1];
            const f = forms[n % forms.length]!;
            return noise + (how === 0 ? Buffer.from(`${noise}${v}\n`).toString(n % 2 ? "base64" : "base64url") : f.text);
          })
          .join("~");
        const got = createDetector({ managedValues: entries, rules: [] })
          .detect(text)
          .map((f) => ({ offset: f.offset, length: f.length, secretName: f.secretName, encoding: f.encoding }));
        expect(got).toEqual(naiveFindings(forms, text));
      }),
      { numRuns: 500 },
    );
  });

  it("100,000 values: the detector builds and finds values in every form (no timing here; see bench/scan-managed.bench.mjs)", () => {
    const values: [string, string][] = [];
    for (let i = 0; i < 100_000; i++) values.push([`secret_${i}`, `v${i.toString(36).padStart(6, "0")}-${(i * 2654435761).toString(16)}`]);
    const d = createDetector({ managedValues: values, rules: [] });
    const [a, b, c] = [values[0]!, values[54_321]!, values[99_999]!];
    const text = `A=${a[1]}\nB: ${Buffer.from(b[1]).toString("base64")}\nC=${Buffer.from(c[1]).toString("hex")}\nnothing here\n`;
    expect(d.detect(text).map((f) => [f.secretName, f.encoding])).toEqual([
      [a[0], "plain"],
      [b[0], "base64"],
      [c[0], "hex"],
    ]);
    expect(d.detect("hello\n")).toEqual([]);
  });

  it("values that cannot be URL-encoded (lone surrogates) or are not strings: no error, the rest still found, no value in the output", async () => {
    const lone = "ab\uD800cdefgh-secret";
    const good = "ZGVmaW5pdGVseS1zZWNyZXQ";
    const high = "x".repeat(9) + "\uDBFF";
    const values = { lone, good, high, number: 12345678 as unknown as string };
    // A lone surrogate cannot sit in a UTF-8 file: the detector sees it in a string.
    const found = createDetector({ managedValues: Object.entries(values), rules: [] }).detect(`${lone}\n${good}\n${high}`);
    expect(found.map((f) => f.secretName)).toEqual(["lone", "good", "high"]);
    const dir = mkdtempSync(join(tmpdir(), "hush-scan-"));
    let out = JSON.stringify(found);
    try {
      writeFileSync(join(dir, "a.txt"), `${good}\n`);
      const r = await scan({ cwd: dir, managedValues: values, gitignore: false, patterns: false });
      out += JSON.stringify(r);
      expect(r.findings.map((f) => f.secretName)).toEqual(["good"]);
    } catch (e) {
      out += `${String(e)} ${(e as Error).stack ?? ""}`;
      throw e;
    } finally {
      rmSync(dir, { recursive: true, force: true });
      for (const v of [lone, good, high]) expect(out).not.toContain(v.slice(0, 8));
    }
  });
});

// --- the reference: every form written out, as src/scan/managed.ts did before issue 11 ------

interface Form {
  secretName: string;
  encoding: string;
  text: string;
}

/** Every form of every value, written out, in the order they are added (duplicates kept). */
function referenceForms(entries: readonly (readonly [string, string])[]): Form[] {
  const out: Form[] = [];
  const add = (secretName: string, encoding: string, text: string, min = 8) => {
    if (text.length >= min) out.push({ secretName, encoding, text });
  };
  for (const [name, value] of entries) {
    if (value.length < 8) continue;
    add(name, "plain", value);
    const bytes = Buffer.from(value, "utf8");
    for (let k = 0; k < 3; k++) {
      const std = Buffer.concat([Buffer.alloc(k), bytes]).toString("base64").slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
      add(name, "base64", std);
      add(name, "base64url", std.replace(/\+/g, "-").replace(/\//g, "_"));
    }
    let url: string | undefined;
    try {
      url = encodeURIComponent(value);
    } catch {
      url = undefined; // a lone surrogate: no URL form
    }
    if (url !== undefined && url !== value) {
      add(name, "url", url);
      add(name, "url", url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
      if (value.includes(" ")) add(name, "url", url.replace(/%20/g, "+"));
    }
    add(name, "hex", bytes.toString("hex"));
    add(name, "hex", bytes.toString("hex").toUpperCase());
    if (/[\r\n]/.test(value)) {
      for (const line of value.split(/\r?\n/)) {
        const t = line.trim();
        if (!t.startsWith("-----")) add(name, "plain", t, 16);
      }
    }
  }
  return out;
}

/** indexOf for every form; then leftmost, longest, first form; spans inside a kept one dropped. */
function naiveFindings(forms: Form[], text: string) {
  const spans: { f: number; start: number; end: number }[] = [];
  forms.forEach((form, f) => {
    for (let p = text.indexOf(form.text); p !== -1; p = text.indexOf(form.text, p + 1)) spans.push({ f, start: p, end: p + form.text.length });
  });
  spans.sort((a, b) => a.start - b.start || b.end - a.end || a.f - b.f);
  const out: { offset: number; length: number; secretName: string; encoding: string }[] = [];
  let keptEnd = -1;
  for (const s of spans) {
    if (s.end <= keptEnd) continue;
    keptEnd = s.end;
    out.push({ offset: s.start, length: s.end - s.start, secretName: forms[s.f]!.secretName, encoding: forms[s.f]!.encoding });
  }
  return out;
}
