/**
 * `hush scan` and gitleaks configs from the command line: auto-detection at the repository's top
 * (said on stderr), --no-config, --config FILE (missing: an error naming it), an invalid file
 * (exit 3, the field named, no value), --list-rules showing where each rule comes from.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush } from "../helpers/cli.js";
import { FAKE, rand } from "../scan/fakes.js";

const HEX = "0123456789abcdef";
const CONFIG = `title = "team"\n[extend]\nuseDefault = true\n[[rules]]\nid = "team-token"\ndescription = "Team service token"\nregex = '''TEAM-(?P<secret>[0-9a-f]{32})'''\nkeywords = ["team-"]\ntags = ["severity:medium"]\n`;

let repo: string;
beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), "hush-cli-gitleaks-"));
  execFileSync("git", ["init", "-q"], { cwd: repo });
  mkdirSync(join(repo, "sub"));
});
afterEach(() => {
  rmSync(repo, { recursive: true, force: true });
});

describe("hush scan with gitleaks configs", () => {
  it("finds .gitleaks.toml at the repository's top from a subfolder and says so on stderr; --no-config ignores it", async () => {
    writeFileSync(join(repo, ".gitleaks.toml"), CONFIG);
    const token = `TEAM-${rand(HEX, 32)}`;
    writeFileSync(join(repo, "sub", "a.env"), `TOKEN=${token}\n`);
    const r = await runHush(["scan", "-C", join(repo, "sub"), "--no-managed"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`using the gitleaks config ${join(repo, ".gitleaks.toml")} with the built-in rules`);
    // The keyword "team-" is matched in any case (as gitleaks does): "TEAM-" lets the regex run.
    expect(r.stdout).toMatch(/^a\.env:1:\d+ {2}team-token .*\[medium\]$/m);
    const off = await runHush(["scan", "-C", join(repo, "sub"), "--no-managed", "--no-config"]);
    expect(off.stderr).not.toContain("gitleaks config");
    expect(off.stdout).not.toContain("team-token");
    for (const o of [r.stdout, r.stderr, off.stdout, off.stderr]) expect(o).not.toContain(token.slice(5));
  });

  it("--config FILE: a missing file is an error naming it (not a clean scan)", async () => {
    writeFileSync(join(repo, "a.txt"), "nothing\n");
    const r = await runHush(["scan", "-C", repo, "--no-managed", "--config", "nope.toml"]);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBe(1);
    expect(r.stderr).toContain("nope.toml");
  });

  it("an invalid file exits 3, naming the field and the rule, never the regex", async () => {
    const secret = rand(HEX, 32);
    writeFileSync(join(repo, ".gitleaks.toml"), `[[rules]]\nid = "team-token"\nregex = '''${secret}(?=x)'''\nrequired = []\n`);
    const r = await runHush(["scan", "-C", repo, "--no-managed"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('rules[0] (id "team-token").required: composite rules');
    expect(r.stderr).toContain('rules[0] (id "team-token").regex: cannot be used as a JavaScript regex: lookarounds');
    expect(r.stderr + r.stdout).not.toContain(secret);
  });

  it("--list-rules shows the file's rules with their source, and the built-ins with useDefault", async () => {
    writeFileSync(join(repo, ".gitleaks.toml"), CONFIG);
    const r = await runHush(["scan", "-C", repo, "--list-rules", "--json"]);
    const rules = JSON.parse(r.stdout) as { id: string; severity: string; from: string }[];
    expect(rules[0]).toEqual({ id: "team-token", severity: "medium", description: "Team service token", from: join(repo, ".gitleaks.toml") });
    expect(rules.find((x) => x.id === "aws-access-key-id")).toMatchObject({ from: "built-in", severity: "high" });
    writeFileSync(join(repo, ".gitleaks.toml"), CONFIG.replace("useDefault = true", "useDefault = false"));
    const only = JSON.parse((await runHush(["scan", "-C", repo, "--list-rules", "--json"])).stdout) as { id: string }[];
    expect(only.map((x) => x.id)).toEqual(["team-token"]);
  });

  it("--only-rules with a built-in id; findings of other rules are not reported", async () => {
    writeFileSync(join(repo, "a.env"), `aws_access_key_id = ${FAKE["aws-access-key-id"]!()}\nTOKEN=${FAKE["github-token"]!()}\n`);
    const r = await runHush(["scan", "-C", repo, "--no-managed", "--only-rules", "github-token", "--json"]);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId)).toEqual(["github-token"]);
    const bad = await runHush(["scan", "-C", repo, "--no-managed", "--only-rules", "github-tokn"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--only-rules: no rule of this scan has the id "github-tokn"');
  });
});
