/**
 * The keyword matcher with case-insensitive literals (gitleaks rules' keywords) beside
 * case-sensitive ones (hush's): each kind keeps its own semantics, checked against a naive search
 * on random texts.
 */
import { randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { compileLiterals } from "../../src/scan/matcher.js";

/** Every (literal, end) pair, found naively. */
function naive(literals: string[], ignoreCase: boolean[], text: string): string[] {
  const out: string[] = [];
  literals.forEach((lit, i) => {
    const hay = ignoreCase[i] ? text.toLowerCase() : text;
    const needle = ignoreCase[i] ? lit.toLowerCase() : lit;
    for (let at = hay.indexOf(needle); at !== -1; at = hay.indexOf(needle, at + 1)) out.push(`${i}@${at + lit.length}`);
  });
  return out.sort();
}

function run(literals: string[], ignoreCase: boolean[], text: string): string[] {
  const out: string[] = [];
  compileLiterals(literals, ignoreCase).run(text, (i, end) => out.push(`${i}@${end}`));
  return out.sort();
}

describe("compileLiterals with case-insensitive literals", () => {
  it("matches them in any case, and the others exactly", () => {
    const lits = ["token", "AKIA", "Key", "sk-"];
    const ic = [true, false, true, false];
    expect(run(lits, ic, "TOKEN akia AKIA kEY SK- sk- Token")).toEqual(naive(lits, ic, "TOKEN akia AKIA kEY SK- sk- Token"));
    expect(run(lits, ic, "akia SK-")).toEqual([]);
  });

  it("agrees with a naive search on random texts (same literal in both kinds too)", () => {
    const alphabet = "aAbBkK-_ ";
    const pick = (n: number) => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join("");
    for (let round = 0; round < 200; round++) {
      const literals = Array.from({ length: 1 + randomInt(6) }, () => pick(1 + randomInt(4)));
      const ignoreCase = literals.map(() => randomInt(2) === 1);
      const text = pick(200);
      expect(run(literals, ignoreCase, text), JSON.stringify({ literals, ignoreCase, text })).toEqual(naive(literals, ignoreCase, text));
    }
  });

  it("without case-insensitive literals, nothing changes", () => {
    expect(run(["Key"], [false], "key KEY Key")).toEqual(["0@11"]);
    expect(run(["Key"], [], "key KEY Key")).toEqual(["0@11"]);
  });
});
