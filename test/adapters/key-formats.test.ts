/**
 * The one table of provider key formats (`src/adapters/key-formats.ts`): keys drawn at random
 * from each variant are accepted by the adapter registry's format check and reported by the
 * scanner under the same provider, and only that one; a key one character short or long is
 * neither (where the provider's keys have one length).
 */
import { describe, expect, it } from "vitest";
import { KEY_FORMATS, type KeyVariant } from "../../src/adapters/key-formats.js";
import { checkKeyFormat } from "../../src/adapters/format-check.js";
import { PROVIDERS } from "../../src/adapters/registry.js";
import { createDetector } from "../../src/scan/detect.js";
import { PATTERN_RULES } from "../../src/scan/rules.js";
import { rand } from "../scan/fakes.js";

const CHARS = { alnum: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", base64url: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", "hex-lower": "0123456789abcdef", "bech32-upper": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L" };
const DRAWS = Number(process.env.HUSH_RULE_DRAWS ?? 25);
const detector = createDetector();
const reported = (key: string) => detector.detect(`API_KEY=${key}\n`).map((f) => f.ruleId);

/** A random key of `variant`, of body length `length`. */
function draw(variant: KeyVariant, length = bodyLengths(variant)[0]!): string {
  return variant.prefix + rand(CHARS[variant.alphabet], length) + (variant.suffix ?? "");
}

function bodyLengths(v: KeyVariant): number[] {
  if (typeof v.length === "number") return [v.length];
  const [min, max] = v.length;
  return [min, max, min + Math.floor((max - min) / 2)];
}

describe("the key-format table", () => {
  it("gives every LLM provider with a format in the registry exactly its table entry", () => {
    const fromTable = KEY_FORMATS.filter((f) => f.provider).map((f) => f.provider).sort();
    expect(PROVIDERS.filter((p) => p.keyFormat).map((p) => p.id).sort()).toEqual(fromTable);
  });

  it("is the source of the scanner's provider rules", () => {
    for (const f of KEY_FORMATS) expect(PATTERN_RULES.map((r) => r.id), f.ruleId).toContain(f.ruleId);
  });

  for (const format of KEY_FORMATS) {
    for (const variant of format.variants) {
      it(`${format.ruleId} ${variant.prefix}…: drawn keys pass the format check and are reported by this rule alone`, () => {
        for (const length of bodyLengths(variant)) {
          for (let i = 0; i < DRAWS; i++) {
            const key = draw(variant, length);
            if (format.provider) expect(checkKeyFormat(format.provider, key).status, key.slice(0, 12)).toBe("ok");
            expect(reported(key), `${format.ruleId}, body ${length}`).toEqual([format.ruleId]);
          }
        }
      });

      it(`${format.ruleId} ${variant.prefix}…: a body one character short or long is not a key`, () => {
        const [min, max] = typeof variant.length === "number" ? [variant.length, variant.length] : variant.length;
        for (const length of [min - 1, max + 1]) {
          const key = draw(variant, length);
          if (format.provider) expect(checkKeyFormat(format.provider, key).status).not.toBe("ok");
          expect(reported(key)).not.toContain(format.ruleId);
        }
      });
    }
  }
});
