import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scan } from "../../src/scan/scan.js";
import { toSarif } from "../../src/scan/sarif.js";
import { HushError } from "../../src/errors.js";
import { FAKE } from "./fakes.js";

let repo: string;
const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: ["ignore", "pipe", "pipe"] }).toString().trim();
const commit = (file: string, content: string) => {
  writeFileSync(join(repo, file), content);
  git("add", file);
  git("commit", "-q", "-m", `edit ${file}`);
  return git("rev-parse", "HEAD");
};

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), "hush-git-"));
  git("init", "-q");
  git("config", "user.email", "t@example.com");
  git("config", "user.name", "t");
});
afterEach(() => {
  rmSync(repo, { recursive: true, force: true });
});

describe("scan: git inputs", () => {
  it("--staged reports a staged plaintext env file the chain would read (.env, .env.<env>), not .env.example", async () => {
    for (const f of [".env.prod", ".env.example", "svc/.env", "notes.env.txt"]) writeFileSync(join(repo, f.replace("svc/", "")), "DEBUG=1\n");
    execFileSync("mkdir", ["-p", join(repo, "svc")]);
    writeFileSync(join(repo, "svc", ".env"), "PORT=1\n");
    git("add", "-f", ".env.prod", ".env.example", "svc/.env", "notes.env.txt");
    const r = await scan({ cwd: repo, staged: true });
    expect(r.findings.map((f) => `${f.path}:${f.ruleId}`).sort()).toEqual([".env.prod:plaintext-env-file", "svc/.env:plaintext-env-file"]);
    const sarif = toSarif(r).runs[0]!;
    expect(sarif.results.map((x) => sarif.tool.driver.rules[x.ruleIndex]!.id)).toEqual(["plaintext-env-file", "plaintext-env-file"]);
    const off = await scan({ cwd: repo, staged: true, allow: { rules: ["plaintext-env-file"] } });
    expect(off.findings).toEqual([]);
  });

  it("--staged scans the index contents, not the working tree", async () => {
    const key = FAKE["github-token"]!();
    commit("clean.txt", "nothing\n");
    writeFileSync(join(repo, "a.ts"), `const t = "${key}";\n`);
    git("add", "a.ts");
    writeFileSync(join(repo, "a.ts"), "const t = process.env.T;\n"); // fixed in the tree, but not staged
    writeFileSync(join(repo, "untracked.ts"), `const t = "${key}";\n`);
    writeFileSync(join(repo, "with space é.ts"), `\nconst t = "${key}";\n`);
    writeFileSync(join(repo, "empty.txt"), "");
    git("add", "with space é.ts", "empty.txt");
    const r = await scan({ cwd: repo, staged: true });
    expect(r.findings.map((f) => `${f.path}:${f.line}:${f.ruleId}:${f.origin}`)).toEqual(["a.ts:1:github-token:staged", "with space é.ts:2:github-token:staged"]);
  });

  it("--git-history reports commit, path and line of added lines; --since limits the range", async () => {
    const key = FAKE["stripe-secret-key"]!();
    const first = commit("app.env", "A=1\nB=2\n");
    const leak = commit("app.env", `A=1\nSTRIPE_KEY=${key}\nB=2\n`);
    commit("app.env", "A=1\nB=2\n"); // removed again: still in history
    const r = await scan({ cwd: repo, gitHistory: true });
    expect(r.findings).toEqual([expect.objectContaining({ path: "app.env", line: 2, column: 12, ruleId: "stripe-secret-key", commit: leak, origin: "history" })]);
    expect((await scan({ cwd: repo, gitHistory: true, since: leak })).findings).toEqual([]);
    expect((await scan({ cwd: repo, gitHistory: true, since: first })).findings).toHaveLength(1);
  });

  it("outside a repository: a clear error", async () => {
    const plain = mkdtempSync(join(tmpdir(), "hush-nogit-"));
    try {
      await expect(scan({ cwd: plain, staged: true })).rejects.toBeInstanceOf(HushError);
      await expect(scan({ cwd: repo, gitHistory: true, since: "--output=/tmp/x" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });
});
