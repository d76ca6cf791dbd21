import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { createDetector } from "../../src/scan/detect.js";
import { compileLiterals } from "../../src/scan/matcher.js";
import { managedVariants, MIN_MANAGED_LENGTH } from "../../src/scan/managed.js";
import { ALNUM, rand } from "./fakes.js";

const VALUE = "s3cr3t-Value/with+odd=chars&more " + rand(ALNUM, 12);
const detectorFor = (values: [string, string][]) => createDetector({ managed: managedVariants(values), rules: [] });
const found = (text: string, values: [string, string][] = [["db_password", VALUE]]) => detectorFor(values).detect(text);

describe("managed values", () => {
  it("finds the plain value and reports it by name, with no character of the value", () => {
    const f = found(`DB_PASSWORD=${VALUE}\n`);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ kind: "managed", secretName: "db_password", encoding: "plain", offset: 12, length: VALUE.length });
    expect(f[0]!.preview).toBe("db_password");
    expect(JSON.stringify(f)).not.toContain(VALUE.slice(0, 6));
  });

  it("finds base64 and base64url at all three byte alignments, inside larger blobs", () => {
    for (const prefix of ["", "x", "xy", "KEY=", "KEY==", "PASSWORD="]) {
      const payload = Buffer.from(`${prefix}${VALUE}\nOTHER=1\n`);
      for (const [enc, text] of [["base64", payload.toString("base64")], ["base64url", payload.toString("base64url")]] as const) {
        const f = found(`data: ${text}`);
        // Where the two alphabets agree the form is reported once, as "base64".
        expect(f, `${enc} after ${JSON.stringify(prefix)}`).toHaveLength(1);
        expect(["base64", "base64url"]).toContain(f[0]!.encoding);
        expect(f[0]!.secretName).toBe("db_password");
      }
    }
  });

  it("finds URL-encoded (upper and lower hex, + for space) and hex forms", () => {
    const url = encodeURIComponent(VALUE);
    expect(found(`https://x/?p=${url}`)[0]).toMatchObject({ encoding: "url" });
    expect(found(`p=${url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}`)[0]).toMatchObject({ encoding: "url" });
    expect(found(`p=${url.replace(/%20/g, "+")}`)[0]).toMatchObject({ encoding: "url" });
    const hex = Buffer.from(VALUE).toString("hex");
    expect(found(`0x${hex}`)[0]).toMatchObject({ encoding: "hex" });
    expect(found(hex.toUpperCase())[0]).toMatchObject({ encoding: "hex" });
  });

  it("finds each line of a multi-line value on its own (re-indented, CRLF)", () => {
    const body = [rand(ALNUM, 64), rand(ALNUM, 64), rand(ALNUM, 20)];
    const pem = `-----BEGIN PRIVATE KEY-----\n${body.join("\n")}\n-----END PRIVATE KEY-----`;
    const yaml = `key: |\n    ${pem.split("\n").join("\r\n    ")}\r\n`;
    const f = found(yaml, [["tls_key", pem]]);
    expect(f.map((x) => x.secretName)).toEqual(["tls_key", "tls_key", "tls_key"]);
  });

  it(`skips values shorter than ${MIN_MANAGED_LENGTH} characters (they occur by chance)`, () => {
    expect(managedVariants([["port", "5432"], ["user", "admin"]])).toEqual([]);
    expect(found("port 5432 admin", [["port", "5432"]])).toEqual([]);
  });

  it("reports the longer of two overlapping values once", () => {
    const f = found(`x=${VALUE}tail`, [["short", VALUE], ["long", VALUE + "tail"]]);
    expect(f.map((x) => x.secretName)).toEqual(["long"]);
  });

  it("never reports text that does not contain the value in some form (no false positive)", () => {
    const values: [string, string][] = [["a", randomBytes(16).toString("base64url")], ["b", rand(ALNUM, 24)]];
    const d = detectorFor(values);
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const hits = d.detect(text);
        for (const h of hits) expect(managedVariants(values).some((v) => text.slice(h.offset, h.offset + h.length) === v.text)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe("literal matcher (Aho-Corasick)", () => {
  it("finds exactly what indexOf finds, overlaps included", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 4, unit: fc.constantFrom("a", "b", "c", "é") }), { minLength: 1, maxLength: 8 }), fc.string({ maxLength: 60, unit: fc.constantFrom("a", "b", "c", "é", "x") }), (lits, text) => {
        const m = compileLiterals(lits);
        const got: string[] = [];
        m.run(text, (i, end) => got.push(`${i}@${end}`));
        const want: string[] = [];
        lits.forEach((l, i) => {
          for (let p = text.indexOf(l); p !== -1; p = text.indexOf(l, p + 1)) want.push(`${i}@${p + l.length}`);
        });
        expect(got.sort()).toEqual(want.sort());
      }),
      { numRuns: 500 },
    );
  });
});
