/**
 * `hush scan` with a gitleaks config: the example of gitleaks' README ("Configuration": a custom
 * rule with two `[[rules.allowlists]]` and a global `[[allowlists]]`, kept as written but for the
 * rule's regex, which the README leaves as a placeholder), on a fixture tree. Each expected
 * finding is derived by hand from gitleaks' documented semantics (README, config/allowlist.go,
 * detect/detect.go); the comments say which.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { scanProject } from "../../src/scan/scan-project.js";
import { shannonEntropy } from "../../src/scan/validate.js";
import { FAKE, rand } from "./fakes.js";

const LOWER_NUM = "abcdefghijklmnopqrstuvwxyz0123456789";

/** The README's example, with a real regex: `awesome_token = <8 chars>-<24 chars>`, the secret being group 2. */
export const README_EXAMPLE = `
title = "Custom Gitleaks configuration"

[[rules]]
id = "awesome-rule-1"
description = "awesome rule 1"
regex = '''(?i)awesome[_-]?token["']?\\s*[:=]\\s*["']?([a-z0-9]{8})-([a-z0-9]{24})'''
secretGroup = 2
entropy = 3.5
keywords = [
  "auth",
  "password",
  "token",
]
tags = ["tag","another tag"]

    [[rules.allowlists]]
    description = "ignore commit A"
    condition = "OR"
    commits = [ "commit-A", "commit-B"]
    paths = [
      '''go\\.mod''',
      '''go\\.sum'''
    ]
    stopwords = [
      '''client''',
      '''endpoint''',
    ]

    [[rules.allowlists]]
    condition = "AND"
    regexTarget = "match"
    regexes = [ '''(?i)parseur[il]''' ]
    paths = [ '''package-lock\\.json''' ]

[[allowlists]]
description = "global allow list"
commits = [ "commit-A", "commit-B", "commit-C"]
paths = [
  '''gitleaks\\.toml''',
  '''(.*?)(jpg|gif|doc)'''
]
regexTarget = "match"
regexes = [
  '''219-09-9999''',
  '''078-05-1120''',
  '''(9[0-9]{2}|666)-\\d{2}-\\d{4}''',
]
stopwords = [
  '''client''',
  '''endpoint''',
]
`;

/** 24 random characters with more than the rule's 3.5 bits of entropy (random ones almost always have). */
function secret24(prefix = ""): string {
  for (;;) {
    const s = prefix + rand(LOWER_NUM, 24 - prefix.length);
    if (shannonEntropy(s) > 3.6) return s;
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-gitleaks-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function put(path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

describe("hush scan with the gitleaks README's example config", () => {
  it("reports exactly what gitleaks' semantics give", async () => {
    put(".gitleaks.toml", README_EXAMPLE);
    const s = { plain: secret24(), mixed: secret24(), deps: secret24(), client: secret24("client"), lock: secret24(), docs: secret24(), mod: secret24() };
    const aws = FAKE["aws-access-key-id"]!();
    // Reported: keyword "token" (matched case-insensitively), regex (?i), secret = group 2, entropy > 3.5.
    put("src/app.env", `AWESOME_TOKEN=ab12cd34-${s.plain}\n`);
    // Reported: the keyword appears in another case ("TOKEN"); the rule's regex is (?i).
    put("src/Config.java", `String x = "Awesome-Token: wxyz9876-${s.mixed}";\n`);
    // Reported: the AND allowlist needs both its regex (on the match) and its path; only the regex holds here.
    put("src/deps.json", `{"awesome_token": "parseuri-${s.deps}"}\n`);
    // Allowed: the AND allowlist's regex (?i)parseur[il] is in the match and the path is package-lock.json.
    put("package-lock.json", `{"awesome_token": "parseuri-${s.lock}"}\n`);
    // Allowed: the rule's OR allowlist lists stopword "client", found in the secret (group 2).
    put("src/client.txt", `awesome_token=zz11yy22-${s.client}\n`);
    // Allowed: the rule's OR allowlist path go\.mod.
    put("go.mod", `// awesome_token=qq11rr22-${s.mod}\n`);
    // Allowed: the global path regex (.*?)(jpg|gif|doc) is not anchored: "docs/" holds "doc".
    put("docs/setup.md", `awesome_token=mm11nn22-${s.docs}\n`);
    // Not reported: entropy of 24 identical characters is 0, not above 3.5.
    put("src/low.env", `awesome_token=ab12cd34-${"a1".repeat(12)}\n`);
    // Not reported: no keyword (auth, password, token) in the file; the regex never runs.
    put("src/nokey.txt", `awesome=ab12cd34-${s.plain}\n`);
    // Not reported: gitleaks:allow on the line.
    put("src/inline.env", `AWESOME_TOKEN=ab12cd34-${s.plain} # gitleaks:allow\n`);
    // Not reported: without [extend] useDefault the file's rules replace the built-in ones.
    put("src/aws.txt", `aws_access_key_id = ${aws}\n`);

    const r = await scanProject({ cwd: dir, managed: false });
    expect(r.gitleaksConfig).toEqual({ path: join(dir, ".gitleaks.toml"), builtins: false });
    const got = r.findings.map((f) => `${f.path}:${f.line}:${f.column} ${f.ruleId} ${f.severity}`).sort();
    expect(got).toEqual([
      `src/Config.java:1:${'String x = "Awesome-Token: wxyz9876-'.length + 1} awesome-rule-1 high`,
      `src/app.env:1:${"AWESOME_TOKEN=ab12cd34-".length + 1} awesome-rule-1 high`,
      `src/deps.json:1:${'{"awesome_token": "parseuri-'.length + 1} awesome-rule-1 high`,
    ]);
    expect(r.configuredRules).toEqual([{ id: "awesome-rule-1", description: "awesome rule 1", severity: "high", from: join(dir, ".gitleaks.toml") }]);
    const out = JSON.stringify(r);
    for (const v of [...Object.values(s), aws]) expect(out).not.toContain(v);
  });

  it("[extend] useDefault adds hush's built-in rules, minus disabledRules; global allowlists apply to them", async () => {
    put(".gitleaks.toml", `[extend]\nuseDefault = true\ndisabledRules = ["github-token", "generic-api-key"]\n${README_EXAMPLE.replace(/^title.*$/m, "")}`);
    put("src/aws.txt", `aws_access_key_id = ${FAKE["aws-access-key-id"]!()}\n`);
    put("src/gh.txt", `token: ${FAKE["github-token"]!()}\n`);
    put("doc/aws.txt", `aws_access_key_id = ${FAKE["aws-access-key-id"]!()}\n`);
    const warnings: string[] = [];
    const r = await scanProject({ cwd: dir, managed: false, onWarning: (m) => warnings.push(m) });
    // doc/aws.txt: the global path allowlist covers the built-ins too; src/gh.txt: github-token is
    // off, and hush's generic rule still sees a token assigned to a name.
    expect(r.findings.map((f) => `${f.path} ${f.ruleId}`).sort()).toEqual(["src/aws.txt aws-access-key-id", "src/gh.txt generic-secret"]);
    // gitleaks only warns about a disabled rule it does not have; so does hush.
    expect(warnings.join("\n")).toMatch(/disabledRules: hush has no built-in rule "generic-api-key"/);
  });

  it("--no-config (gitleaksConfig: false) ignores an auto-detected file; built-ins run", async () => {
    put(".gitleaks.toml", README_EXAMPLE);
    put("src/aws.txt", `aws_access_key_id = ${FAKE["aws-access-key-id"]!()}\n`);
    const r = await scanProject({ cwd: dir, managed: false, gitleaksConfig: false });
    expect(r.gitleaksConfig).toBeUndefined();
    expect(r.findings.map((f) => f.ruleId)).toEqual(["aws-access-key-id"]);
  });

  it("--config names a file elsewhere; a missing one is READ_FAILED naming it", async () => {
    put("conf/leaks.toml", README_EXAMPLE);
    put("src/app.env", `AWESOME_TOKEN=ab12cd34-${secret24()}\n`);
    const r = await scanProject({ cwd: dir, managed: false, gitleaksConfig: "conf/leaks.toml" });
    expect(r.findings.map((f) => f.ruleId)).toEqual(["awesome-rule-1"]);
    await expect(scanProject({ cwd: dir, managed: false, gitleaksConfig: "nope.toml" })).rejects.toMatchObject({ code: "READ_FAILED", message: expect.stringContaining("nope.toml") });
  });

  it("path-only rules report files by name; [extend] path merges another file's rules", async () => {
    put("base.toml", `[[rules]]\nid = "p12-file"\ndescription = "PKCS#12 file"\npath = '''(?i)\\.p(?:12|fx)$'''\n[[rules]]\nid = "base-rule"\nregex = '''basekey_[0-9a-f]{16}'''\nkeywords = ["BASEKEY"]\n`);
    put(".gitleaks.toml", `[extend]\npath = "base.toml"\n[[rules]]\nid = "base-rule"\ndescription = "from the extending file"\n`);
    put("certs/app.P12", "\u0000binary\u0000");
    put("src/a.txt", `x = basekey_${rand("0123456789abcdef", 16)}\n`);
    const r = await scanProject({ cwd: dir, managed: false });
    expect(r.findings.map((f) => `${f.path} ${f.ruleId} ${f.line}:${f.column}`).sort()).toEqual(["certs/app.P12 p12-file 1:1", "src/a.txt base-rule 1:5"]);
    expect(r.findings.find((f) => f.ruleId === "base-rule")!.description).toBe("from the extending file");
  });

  it("--only-rules runs the named rules; an unknown id is an error", async () => {
    put(".gitleaks.toml", `[extend]\nuseDefault = true\n${README_EXAMPLE.replace(/^title.*$/m, "")}`);
    put("src/app.env", `AWESOME_TOKEN=ab12cd34-${secret24()}\naws_access_key_id = ${FAKE["aws-access-key-id"]!()}\n`);
    const r = await scanProject({ cwd: dir, managed: false, onlyRules: ["awesome-rule-1"] });
    expect(r.findings.map((f) => f.ruleId)).toEqual(["awesome-rule-1"]);
    await expect(scanProject({ cwd: dir, managed: false, onlyRules: ["awesome-rule-2"] })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("commits (case-insensitive, whole ids) allow --git-history findings; regexTarget line tests the whole line", async () => {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] }).toString().trim();
    git("init", "-q");
    git("config", "user.email", "t@example.com");
    git("config", "user.name", "t");
    put("a.env", `AWESOME_TOKEN=ab12cd34-${secret24()}\n`);
    git("add", "a.env");
    git("commit", "-q", "-m", "first");
    const first = git("rev-parse", "HEAD");
    put("b.env", `AWESOME_TOKEN=ab12cd34-${secret24()}  # MY-awesome fixture\n`);
    git("add", "b.env");
    git("commit", "-q", "-m", "second");
    // The README's gitlab-pat example shape: a rule allowlist with regexTarget "line".
    const lineAllow = "\n    [[rules.allowlists]]\n    regexTarget = \"line\"\n    regexes = [ '''MY-awesome''' ]\n";
    const withCommit = (sha: string) => README_EXAMPLE.replace('commits = [ "commit-A", "commit-B", "commit-C"]', `commits = [ "${sha}" ]`).replace("[[allowlists]]", `${lineAllow}\n[[allowlists]]`);
    put(".gitleaks.toml", withCommit(first.toUpperCase()));
    const r = await scanProject({ cwd: dir, managed: false, gitHistory: true });
    // a.env: its commit is in the global allowlist (compared case-insensitively); b.env: the line allowlist.
    expect(r.findings).toEqual([]);
    put(".gitleaks.toml", withCommit(first.slice(0, 12)));
    const short = await scanProject({ cwd: dir, managed: false, gitHistory: true });
    // gitleaks compares whole commit ids: an abbreviated one allows nothing.
    expect(short.findings.map((f) => `${f.path} ${f.commit}`)).toEqual([`a.env ${first}`]);
    put(".gitleaks.toml", README_EXAMPLE);
    const none = await scanProject({ cwd: dir, managed: false, gitHistory: true });
    expect(none.findings.map((f) => f.path).sort()).toEqual(["a.env", "b.env"]);
  });
});
