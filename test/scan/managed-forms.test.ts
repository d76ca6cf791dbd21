import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { packLowBytes } from "../../src/scan/anchored-matcher.js";
import { ANCHOR_LENGTH, managedForms } from "../../src/scan/managed.js";

/** Values of every kind: ASCII, symbols that URL-encoding changes, spaces, non-BMP and lone surrogates, lines. */
const anyValue = fc.oneof(
  fc.string({ minLength: 8, maxLength: 40 }),
  fc.string({ minLength: 8, maxLength: 40, unit: "binary" }),
  fc.string({ minLength: 8, maxLength: 40, unit: fc.constantFrom("a", "Z", "9", " ", "+", "/", "%", "é", "😀", "\n", "\r\n", "\uD800", "\uDC00") }),
);

describe("managedForms", () => {
  it("indexes each form by its own last 8 characters (their low bytes), written out or not", () => {
    fc.assert(
      fc.property(fc.array(anyValue, { minLength: 1, maxLength: 5 }), (values) => {
        const forms = managedForms(values.map((v, i) => [`s${i}`, v] as const));
        for (let i = 0; i < forms.size; i++) {
          const text = forms.text(i);
          expect(text.length).toBeGreaterThanOrEqual(ANCHOR_LENGTH);
          expect([forms.anchorHead(i), forms.anchorTail(i)], `${forms.encoding(i)} form`).toEqual([packLowBytes(text, text.length - 8), packLowBytes(text, text.length - 4)]);
        }
      }),
      { numRuns: 500 },
    );
  });
});
