import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scan } from "../../src/scan/scan.js";
import { FAKE, fakePem } from "./fakes.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-scan-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});
const put = (rel: string, content: string | Buffer) => {
  mkdirSync(join(dir, rel, ".."), { recursive: true });
  writeFileSync(join(dir, rel), content);
};
const where = (r: Awaited<ReturnType<typeof scan>>) => r.findings.map((f) => `${f.path}:${f.line}:${f.column}:${f.ruleId ?? f.secretName}`).sort();

describe("scan: the walk and hostile files (FAULTS 23-24)", () => {
  it("respects nested .gitignore files, .hushignore and config path allow-lists; never enters .git", async () => {
    const key = FAKE["github-token"]!();
    for (const p of ["a.txt", "build/a.txt", "pkg/gen/a.txt", "pkg/keep.txt", "docs/a.txt", "vendor/a.txt", ".git/config"]) put(p, `token ${key}\n`);
    put(".gitignore", "build/\n");
    put("pkg/.gitignore", "gen/\n");
    put(".hushignore", "docs/\n");
    const r = await scan({ cwd: dir, allow: { paths: ["vendor/"] } });
    expect(where(r)).toEqual(["a.txt:1:7:github-token", "pkg/keep.txt:1:7:github-token"]);
    expect(r.stats.skippedIgnored).toBe(4);
    const all = await scan({ cwd: dir, gitignore: false });
    // Without .gitignore: build/ and pkg/gen/ come back, vendor/ too (no config list); docs/ stays out (.hushignore).
    expect(all.findings.length).toBe(5);
  });

  it("skips binary files (control bytes in the first 8 KiB) but reads UTF-16 LE/BE with a BOM", async () => {
    const key = FAKE["stripe-secret-key"]!();
    const elf = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0, 1, 0, 0, 0];
    put("bin.dat", Buffer.concat([Buffer.from(elf), Buffer.from(` ${key} `)]));
    put("le.txt", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`line one\r\nKEY=${key}\r\n`, "utf16le")]));
    put("be.txt", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(`KEY=${key}\n`, "utf16le").swap16()]));
    const r = await scan({ cwd: dir });
    expect(where(r)).toEqual(["be.txt:1:5:stripe-secret-key", "le.txt:2:5:stripe-secret-key"]);
    expect(r.stats.skippedBinary).toBe(1);
  });

  it("handles CRLF, a PEM split over lines, and a 10 MB single-line file", async () => {
    const key = FAKE["anthropic-api-key"]!();
    put("crlf.env", `A=1\r\nANTHROPIC_API_KEY=${key}\r\n`);
    put("key.js", `const k =\r\n  "${fakePem().split("\n").join('\\n" +\r\n  "')}";\r\n`);
    const filler = "var a=function(b){return b.key=b.token+1};".repeat(Math.ceil(10e6 / 44));
    put("bundle.min.js", `${filler}const x="${key}";${filler}`);
    const r = await scan({ cwd: dir });
    expect(where(r)).toEqual([`bundle.min.js:1:${filler.length + 10}:anthropic-api-key`, "crlf.env:2:19:anthropic-api-key", "key.js:2:4:private-key"]);
  });

  it("never follows a symlink loop or a symlinked folder; scans a symlinked file once", async () => {
    const key = FAKE["gitlab-token"]!();
    put("real/a.txt", `t ${key}`);
    symlinkSync(join(dir, "real"), join(dir, "real", "loop"));
    symlinkSync(dir, join(dir, "up"));
    symlinkSync(join(dir, "real", "a.txt"), join(dir, "link.txt"));
    symlinkSync(join(dir, "missing"), join(dir, "dangling"));
    const r = await scan({ cwd: dir });
    expect(r.findings).toHaveLength(1);
    expect(r.stats.skippedSymlinks).toBe(3);
  });

  it("reports unreadable files and keeps going (EACCES injected: tests run as root)", async () => {
    const key = FAKE["groq-api-key"]!();
    put("locked.txt", `k ${key}`);
    put("open.txt", `k ${key}`);
    const r = await scan({
      cwd: dir,
      readFile: (p) => {
        if (p.endsWith("locked.txt")) throw Object.assign(new Error(`EACCES: permission denied, open '${p}' ${key}`), { code: "EACCES" });
        return Buffer.from(`k ${key}`);
      },
    });
    expect(where(r)).toEqual(["open.txt:1:3:groq-api-key"]);
    expect(r.issues).toEqual([{ path: "locked.txt", code: "EACCES", message: "could not be read (EACCES); skipped" }]);
    expect(JSON.stringify(r)).not.toContain(key);
  });

  it("skips FIFOs in a tree (reading one would block) and reports a missing path", async () => {
    put("a.txt", "nothing here");
    execFileSync("mkfifo", [join(dir, "pipe")]);
    const r = await scan({ cwd: dir, paths: [".", "nope"] });
    expect(r.stats.files).toBe(1);
    expect(r.issues.map((i) => `${i.path}:${i.code}`)).toEqual(["nope:ENOENT"]);
  });

  it("honours inline allow comments and config allow-lists", async () => {
    const a = FAKE["github-token"]!();
    const b = FAKE["github-token"]!();
    put("x.ts", [`const t1 = "${a}"; // hush:allow`, "// hush:allow-next-line", `const t2 = "${a}";`, `const t3 = "${a}"; # pragma: allowlist secret`, `const t4 = "${b}";`].join("\n"));
    expect(where(await scan({ cwd: dir }))).toEqual(["x.ts:5:13:github-token"]);
    expect(where(await scan({ cwd: dir, allow: { values: [b] } }))).toEqual([]);
    expect(where(await scan({ cwd: dir, allow: { rules: ["github-token"] } }))).toEqual([]);
  });

  it("reports managed values by name and honours allow.secrets", async () => {
    const pw = "correct-horse-battery-staple-42";
    put("notes.md", `db: ${pw}\nb64: ${Buffer.from(pw).toString("base64")}\n`);
    const r = await scan({ cwd: dir, managedValues: { db_password: pw } });
    expect(where(r)).toEqual(["notes.md:1:5:db_password", "notes.md:2:6:db_password"]);
    expect(JSON.stringify(r)).not.toContain(pw);
    expect((await scan({ cwd: dir, managedValues: { db_password: pw }, allow: { secrets: ["db_password"] } })).findings).toEqual([]);
  });
});
