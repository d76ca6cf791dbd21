// hush export's formats read back exactly: dotenv through the dotenv package's parser, shell
// through sh, YAML through the yaml package, JSON through JSON.parse; what a format cannot carry
// is refused by name, never written altered.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { parse as parseDotenv } from "dotenv";
import { parse as parseYaml } from "yaml";
import { HushError } from "../../src/errors.js";
import { formatExport, type ExportFormat } from "../../src/export/format.js";
import type { SecretRecord } from "../../src/types.js";

const record = (name: string, value: string): SecretRecord => ({ name, value, source: "local" });

/** Hard values: CR, LF, CRLF, quotes, `#`, `$`, backslashes, unicode, controls. */
const HARD: Record<string, string> = {
  cr_only: "a\rb",
  crlf: "line1\r\nline2\r\n",
  lf: "x\ny\n",
  single: "it's",
  double: 'say "hi"',
  both: `it's "both"`,
  hash: "value # not a comment",
  dollar: "$HOME ${PATH} $(echo no)",
  backslashes: "C:\\path\\new\\rest\\",
  backslash_n_text: "literal \\n text",
  unicode: "pässwörd-日本語-🔑-é\u0301",
  controls: "\t\u0001\u001b[31m\u007f\u0085\u2028\u2029\ufeff",
  spaces: "  padded  ",
  empty: "",
  backtick: "a`b",
  yaml_words: "yes",
  yaml_null: "null",
  number: "0123",
};

function refusal(fn: () => unknown): HushError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HushError);
    return e as HushError;
  }
  return expect.unreachable("no error");
}

describe("export formats round-trip", () => {
  it("dotenv: every hard value, CR included, reads back through dotenv's parser", () => {
    const records = Object.entries(HARD).map(([n, v]) => record(n, v));
    const parsed = parseDotenv(formatExport(records, "dotenv"));
    for (const [name, value] of Object.entries(HARD)) expect(parsed[name.toUpperCase()], name).toBe(value);
  });

  it("dotenv: any value it writes reads back (property), and what it refuses is refused by name", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-composite", maxLength: 40 }).map((s) => s.replace(/[\ud800-\udfff]/g, "")), fc.constantFrom("\r", "\n", "'", '"', "`", "\\n", "\\r", "#", "$", "\\", ""), (base, extra) => {
        const value = base + extra + base;
        let text: string;
        try {
          text = formatExport([record("k", value)], "dotenv");
        } catch (e) {
          expect((e as HushError).code).toBe("INVALID_VALUE");
          expect((e as HushError).message).toContain('"k"');
          return;
        }
        expect(parseDotenv(text).K).toBe(value);
      }),
      { numRuns: 500 },
    );
  });

  it("shell: every hard value reads back through sh; a NUL is refused by name", () => {
    const records = Object.entries(HARD).map(([n, v]) => record(n, v));
    const text = formatExport(records, "shell");
    const names = Object.keys(HARD).map((n) => n.toUpperCase());
    const script = `${text}\nfor n in ${names.join(" ")}; do eval "printf '%s\\0' \\"\\$$n\\""; done`;
    const out = execFileSync("sh", ["-c", script], { encoding: "utf8" }).split("\0").slice(0, -1);
    expect(out).toEqual(Object.values(HARD));
    const err = refusal(() => formatExport([record("nul_key", "a\0CANARY")], "shell"));
    expect(err.code).toBe("INVALID_VALUE");
    expect(err.message).toContain('"nul_key"');
    expect(`${err.message} ${err.hint}`).not.toContain("CANARY");
  });

  it("yaml: every value reads back through the yaml package (property over all of Unicode), keys stay strings", () => {
    const records = Object.entries(HARD).map(([n, v]) => record(n, v));
    const parsed = parseYaml(formatExport([...records, record("true", "x"), record("null", "y"), record("e3", "z"), record("y", "w")], "yaml"));
    for (const [name, value] of Object.entries(HARD)) expect(parsed[name.toUpperCase()], name).toBe(value);
    expect(Object.keys(parsed)).toContain("TRUE");
    expect(parsed.NULL).toBe("y");
    expect(parsed.E3).toBe("z");
    expect(parsed.Y).toBe("w");
    expect(parseYaml(formatExport([], "yaml"))).toEqual({});
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }).filter((s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()), (value) => {
        expect(parseYaml(formatExport([record("k", value)], "yaml")).K).toBe(value);
      }),
      { numRuns: 400 },
    );
  });

  it("json round-trips; an unpaired surrogate is refused by name in dotenv, shell and yaml", () => {
    expect(JSON.parse(formatExport([record("k", "a\ud800b")], "json")).K).toBe("a\ud800b");
    for (const format of ["dotenv", "shell", "yaml"] as ExportFormat[]) {
      const err = refusal(() => formatExport([record("lone", "CANARY\ud800")], format));
      expect(err.code).toBe("INVALID_VALUE");
      expect(err.message).toContain('"lone"');
      expect(err.message).not.toContain("CANARY");
    }
  });
});
