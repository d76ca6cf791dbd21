/**
 * A gitleaks file hush cannot honour is an error naming the field (and the rule's id), never a
 * silent skip; TOML errors give a line and column, never the input; no message holds a value.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HushError } from "../../src/errors.js";
import { loadGitleaksConfig } from "../../src/scan/gitleaks/load.js";
import { severityOfTags } from "../../src/scan/gitleaks/compile.js";
import { rand, ALNUM } from "./fakes.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-gitleaks-schema-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Loads `toml` and returns the error (a HushError), checking that `secret` is nowhere in it. */
async function failure(toml: string, secret: string): Promise<HushError> {
  writeFileSync(join(dir, "g.toml"), toml);
  const e = await loadGitleaksConfig("g.toml", dir).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HushError);
  const error = e as HushError;
  expect(`${error.message}\n${error.hint}`).not.toContain(secret);
  return error;
}

const RULE = (extra: string, secret: string) => `[[rules]]\nid = "team-key"\nregex = '''team_${secret}_[0-9]{4}'''\n${extra}\n`;

describe("gitleaks files: unsupported and invalid fields", () => {
  it("each unsupported field is an error naming it and the rule's id", async () => {
    const secret = rand(ALNUM, 24);
    const cases: [string, RegExp][] = [
      ["severity = \"high\"", /rules\[0\] \(id "team-key"\)\.severity: not a gitleaks field hush reads/],
      ["skipReport = true", /rules\[0\] \(id "team-key"\)\.skipReport: skipReport \(composite rules\): not supported by hush/],
      ["[[rules.required]]\nid = \"other\"", /rules\[0\] \(id "team-key"\)\.required: composite rules/],
      ["secretGroup = 3", /\(id "team-key"\)\.secretGroup: the regex has 0 group\(s\)/],
      ["secretGroup = -1", /\.secretGroup: expected a whole number from 0/],
      ["entropy = \"high\"", /\.entropy: expected a number from 0, got a string/],
      ["keywords = \"team\"", /\.keywords: expected an array of strings/],
      ["keywords = [\"\"]", /\.keywords: an empty keyword matches everything/],
      ["tags = [1]", /\.tags: expected an array of strings/],
      ["[rules.allowlist]\nregexTarget = \"everything\"\nregexes = ['''x''']", /allowlist\.regexTarget: expected secret, match or line/],
      ["[rules.allowlist]\ncondition = \"XOR\"\npaths = ['''x''']", /allowlist\.condition: expected AND or OR/],
      ["[rules.allowlist]\ndescription = \"empty\"", /allowlist: must contain at least one of commits, paths, regexes or stopwords/],
      ["[rules.allowlist]\npaths = ['''x''']\n[[rules.allowlists]]\npaths = ['''y''']", /\[allowlist\] and \[\[allowlists\]\] cannot both be used/],
      ["[[rules.allowlists]]\nregexes = ['''(?=x)''']", /allowlists\[0\]\.regexes\[0\]: cannot be used as a JavaScript regex: lookarounds/],
      ["[[rules.allowlists]]\ntargetRules = [\"x\"]\npaths = ['''y''']", /allowlists\[0\]\.targetRules: not a gitleaks field hush reads/],
      ["path = '''\\p{L}'''", /\(id "team-key"\)\.path: cannot be used as a JavaScript regex: Unicode classes/],
    ];
    for (const [extra, expected] of cases) {
      const e = await failure(RULE(extra, secret), secret);
      expect(e.code, extra).toBe("CONFIG_INVALID");
      expect(e.message, extra).toMatch(expected);
      expect(e.message).toContain("g.toml");
    }
  });

  it("top-level and [extend] fields: unknown, unsupported, conflicting", async () => {
    const secret = rand(ALNUM, 24);
    const rule = RULE("", secret);
    const cases: [string, RegExp][] = [
      [`unknown = 1\n${rule}`, /^ *- unknown: not a gitleaks field hush reads/m],
      [`[extend]\nurl = "https://example.org/x.toml"\n${rule}`, /extend\.url: extending from a URL/],
      [`[extend]\nuseDefault = true\npath = "b.toml"\n${rule}`, /useDefault and path cannot both be set/],
      [`[extend]\nuseDefault = "yes"\n${rule}`, /extend\.useDefault: expected true or false/],
      [`${rule}[[rules]]\nid = "team-key"\nregex = '''x'''\n`, /rules\[1\] \(id "team-key"\): the id is used by an earlier rule/],
      [`[[rules]]\ndescription = "no id"\nregex = '''x${secret}'''\n`, /rules\[0\]\.id: missing or empty/],
      [`[[rules]]\nid = "nothing"\n`, /\(id "nothing"\): has neither regex nor path/],
      [`[extend]\nuseDefault = true\n[[rules]]\nid = "generic-api-key"\n[[rules.allowlists]]\nregexes = ['''x''']\n`, /hush has no built-in rule with this id to extend/],
      [`[extend]\nuseDefault = true\n[[rules]]\nid = "jwt"\nentropy = 3.0\n`, /\(id "jwt"\)\.entropy: cannot change hush's built-in rule/],
      [`${rule}[[allowlists]]\ntargetRules = ["missing-rule"]\npaths = ['''x''']\n`, /targetRules names "missing-rule", which is not a rule of this run/],
      [`RULES = 1\nrules = 2\n`, /set twice \(gitleaks reads field names in any case\)/],
      [`${rule.replace("id = \"team-key\"", `id = "${secret}"`)}bogus = 1\n`, /rules\[0\] \(id <24 characters>\)\.bogus/],
    ];
    for (const [toml, expected] of cases) {
      const e = await failure(toml, secret);
      expect(e.message, toml).toMatch(expected);
    }
  });

  it("TOML syntax errors give the line and column, never the input", async () => {
    const secret = rand(ALNUM, 24);
    const e = await failure(`title = "x"\n[[rules]]\nid = "a"\nregex = '''${secret}\nkeywords = [\n`, secret);
    expect(e.code).toBe("CONFIG_INVALID");
    expect(e.message).toMatch(/is not valid TOML at line \d+, column \d+\.$/);
  });

  it("keys in any case, as gitleaks (viper) reads them; [extend] path to a missing file is READ_FAILED", async () => {
    writeFileSync(join(dir, "g.toml"), `[[RULES]]\nID = "a"\nREGEX = '''a_([0-9]{4})'''\nSecretGroup = 1\nKeyWords = ["A_"]\n`);
    const g = await loadGitleaksConfig("g.toml", dir);
    expect(g.rules.map((r) => [r.id, r.keywords, r.scope?.gitleaks?.secretGroup])).toEqual([["a", ["a_"], 1]]);
    writeFileSync(join(dir, "h.toml"), `[extend]\npath = "missing.toml"\n`);
    await expect(loadGitleaksConfig("h.toml", dir)).rejects.toMatchObject({ code: "READ_FAILED", message: expect.stringContaining("missing.toml") });
  });

  it("a [[rules]] entry with a built-in id (useDefault) adds allowlists, tags and a description to it", async () => {
    writeFileSync(join(dir, "g.toml"), `[extend]\nuseDefault = true\n[[rules]]\nid = "jwt"\ntags = ["low"]\ndescription = "Session token"\n[[rules.allowlists]]\nstopwords = ["fixture"]\n[[rules]]\nid = "generic-secret"\ntags = ["team"]\n`);
    const g = await loadGitleaksConfig("g.toml", dir);
    const jwt = g.rules.find((r) => r.id === "jwt")!;
    expect(jwt).toMatchObject({ severity: "low", description: "Session token", scope: { allowlists: [{ stopwords: ["fixture"] }] } });
    // A tag that names no severity leaves the built-in's own (generic-secret: medium, by its id).
    expect(g.rules.find((r) => r.id === "generic-secret")!.severity).toBeUndefined();
    expect(g.builtins).toBe(true);
  });

  it("severity from tags: high unless a tag says low or medium", () => {
    expect(severityOfTags([])).toBe("high");
    expect(severityOfTags(["api", "Low"])).toBe("low");
    expect(severityOfTags(["severity:medium"])).toBe("medium");
    expect(severityOfTags(["low", "high"])).toBe("high");
  });
});
