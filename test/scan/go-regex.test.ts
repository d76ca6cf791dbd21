import { describe, expect, it } from "vitest";
import { GoRegexError, translateGoRegex } from "../../src/scan/gitleaks/go-regex.js";

/** Compiles the translation as the scanner does (no `u`). */
const js = (go: string) => {
  const t = translateGoRegex(go);
  return new RegExp(t.source, t.flags);
};
const matches = (go: string, text: string) => js(go).exec(text)?.[0];

describe("translateGoRegex: each translation", () => {
  it("a leading (?i) is the i flag; nothing else changes", () => {
    expect(translateGoRegex("(?i)key[0-9]{4}")).toEqual({ source: "key[0-9]{4}", flags: "i" });
    expect(matches("(?i)key[0-9]{4}", "KEY1234")).toBe("KEY1234");
    // With other leading flags too: (?is) is the i flag plus (?s) written out.
    expect(translateGoRegex("(?is)a.b")).toEqual({ source: "a[\\s\\S]b", flags: "i" });
    expect(matches("(?si)a.b", "A\nB")).toBe("A\nB");
    expect(() => translateGoRegex("(?is)a(?=b)")).toThrow(/at character 7/);
  });

  it("(?i) elsewhere, (?i:…), (?-i:…): written as classes, no flag, on every Node", () => {
    expect(translateGoRegex("a(?i)b|c")).toEqual({ source: "a[bB]|[cC]", flags: "" });
    // Go: the flag holds to the end of the group, across |.
    expect(matches("a(?i)b|c", "C")).toBe("C");
    expect(matches("a(?i)b|c", "AB")).toBeUndefined();
    expect(matches("x(?i:ab)y", "xABy")).toBe("xABy");
    expect(matches("x(?i:ab)y", "XABy")).toBeUndefined();
    // A leading (?i) turned off inside: the whole pattern is folded by hand.
    const t = translateGoRegex("(?i)pre(?-i:FIX)[a-c]");
    expect(t.flags).toBe("");
    expect(matches("(?i)pre(?-i:FIX)[a-c]", "PREFIXB")).toBe("PREFIXB");
    expect(matches("(?i)pre(?-i:FIX)[a-c]", "PREfixb")).toBeUndefined();
    expect(matches("(?i:[[:lower:]]{2})", "AB")).toBe("AB");
  });

  it("(?s) and (?m) are written into the pattern: . and ^ $", () => {
    expect(translateGoRegex("a.b").source).toBe("a[^\\n]b");
    // Go's . matches \r; JS's does not.
    expect(matches("a.b", "a\rb")).toBe("a\rb");
    expect(matches("a.b", "a\nb")).toBeUndefined();
    expect(matches("(?s:a.b)", "a\nb")).toBe("a\nb");
    expect(matches("(?s)a.b", "a\nb")).toBe("a\nb");
    expect(matches("(?m)^x$", "a\nx\nb")).toBe("x");
    expect(matches("^x$", "a\nx\nb")).toBeUndefined();
  });

  it("(?P<name>…) is (?<name>…); \\A and \\z are the ends of the text", () => {
    expect(translateGoRegex("(?P<secret>[a-f]{4})").source).toBe("(?<secret>[a-f]{4})");
    expect(js("(?P<s>[a-f]{4})").exec("xx beef")?.groups?.s).toBe("beef");
    expect(matches("\\Aab", "ab")).toBe("ab");
    expect(matches("\\Aab", "xab")).toBeUndefined();
    expect(matches("(?m)ab\\z", "ab\nab")).toBe("ab");
    expect(js("(?m)ab\\z").exec("ab\nab")?.index).toBe(3);
  });

  it("POSIX classes, \\s and \\S as Go's (ASCII), \\Q…\\E, \\x{…}, octal, a leading ] in a class", () => {
    expect(translateGoRegex("[[:alnum:]_]").source).toBe("[0-9A-Za-z_]");
    for (const [cls, yes, no] of [["alpha", "q", "1"], ["digit", "7", "a"], ["xdigit", "F", "g"], ["punct", "!", "a"], ["space", "\v", "a"], ["upper", "Q", "q"], ["word", "_", "-"], ["blank", "\t", "\n"]] as const) {
      expect(matches(`[[:${cls}:]]`, yes)).toBe(yes);
      expect(matches(`[[:${cls}:]]`, no)).toBeUndefined();
    }
    expect(matches("a\\sb", "a\u00a0b")).toBeUndefined();
    expect(matches("a\\sb", "a\tb")).toBe("a\tb");
    expect(matches("a\\Sb", "a\u00a0b")).toBe("a\u00a0b");
    expect(matches("[\\S]", "\u2028")).toBe("\u2028");
    expect(matches("\\Qa.b*\\E", "a.b*")).toBe("a.b*");
    expect(matches("\\Qa.b*\\E", "axb")).toBeUndefined();
    expect(matches("\\x{41}\\x42\\103\\0", "ABC\0")).toBe("ABC\0");
    expect(matches("[]a]+", "]a]")).toBe("]a]");
    expect(matches("[^]a]", "]")).toBeUndefined();
    expect(matches("a{2,3}}", "aa}")).toBe("aa}");
    expect(matches("x{y", "x{y")).toBe("x{y");
    expect(matches("\\a\\f\\v", "\x07\f\v")).toBe("\x07\f\v");
  });

  it("refuses what has no JavaScript form, with a reason and a place, never the pattern", () => {
    const refusals: [string, RegExp][] = [
      ["\\p{Greek}+", /Unicode classes/],
      ["\\PL", /Unicode classes/],
      ["a(?=b)", /lookarounds/],
      ["(?<!a)b", /lookarounds/],
      ["(a)\\1", /back-references/],
      ["\\x{1F600}", /above U\+FFFF/],
      ["[[:^alpha:]]", /negated POSIX/],
      ["[[:nope:]]", /unknown POSIX/],
      ["(?U)a+", /ungreedy/],
      ["\\C", /unknown escape/],
      ["\\k", /unknown escape/],
      ["(?P<1x>a)", /starting with a digit/],
      ["(ab", /not closed/],
      ["ab)", /unmatched/],
      ["[ab", /not closed/],
      ["[b-a]", /backwards/],
      ["(?P=x)", /unknown group/],
      ["ab\\", /trailing backslash/],
    ];
    for (const [go, reason] of refusals) {
      let error: unknown;
      try {
        translateGoRegex(go);
      } catch (e) {
        error = e;
      }
      expect(error, go).toBeInstanceOf(GoRegexError);
      expect((error as Error).message, go).toMatch(reason);
      expect((error as Error).message, go).toMatch(/at character \d+/);
    }
  });

  it("the forms of gitleaks' default config translate and compile", async () => {
    // A sample of its forms: (?i) leading, (?-i:…) inside, (?s:…), \z, [[:alnum:]], (?P<…>).
    const forms = [
      String.raw`(?i)[\w.-]{0,50}?(?:adafruit)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([a-z0-9_-]{32})(?:[\x60'"\s;]|\\[nr]|$)`,
      String.raw`(?i)\b((?-i:ABSK)[A-Za-z0-9+/]{109,269}={0,2})(?:[\x60'"\s;]|\\[nr]|$)`,
      String.raw`(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S-]{64,}?KEY(?: BLOCK)?-----`,
      String.raw`(?s:.){0,3}\z`,
      String.raw`[[:alnum:]]{20}(?P<tail>x)`,
    ];
    for (const f of forms) expect(() => js(f), f).not.toThrow();
    expect(matches(forms[1]!, "key: ABSK" + "Q".repeat(120) + "\n")).toBeDefined();
    expect(matches(forms[1]!, "key: absk" + "Q".repeat(120) + "\n")).toBeUndefined();
  });
});
