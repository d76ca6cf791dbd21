// `hush incident` end to end: a value leaked in a git history (base64, in a commit later undone)
// and in the working tree (hex), read by two separate `hush get` processes; the record names both
// processes and the leaked commit, and no form of the value appears in any output or file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush } from "../helpers/cli.js";
import { REPO_ROOT } from "../helpers/bundle.js";
import { listIncidents, openIncident, type IncidentRecord } from "../../src/index.js";

const NAME = "openai_api_key";
const VALUE = `sk-proj-CANARY${randomBytes(24).toString("hex")}`;
const FORMS = [VALUE, Buffer.from(VALUE).toString("base64").slice(4, 40), Buffer.from(VALUE).toString("hex").slice(8, 60), "CANARY"];
const env = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME });
let dir: string;
let leakedCommit: string;
const pids: number[] = [];

const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, env: { ...env(), GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@x", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@x" } }).toString().trim();
const hush = (args: string[], stdin?: string) => runHush(["--cwd", dir, ...args], { stdin, env: env() });
const noValue = (text: string) => {
  for (const f of FORMS) expect(text).not.toContain(f);
};

/** `hush get` in its own node process (its own pid in the audit trail); returns that pid. */
function readInChild(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "dist/cli.js"), "--cwd", dir, "get", NAME], { env: env(), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdout.resume();
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(child.pid!) : reject(new Error(`hush get exited ${code}: ${stderr.slice(0, 300)}`))));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hush-incident-"));
  git("init", "-q", "-b", "main");
  writeFileSync(join(dir, ".gitignore"), ".secrets/\n");
  writeFileSync(join(dir, "hush.yaml"), ["version: 1", "secrets:", `  ${NAME}:`, "    type: llm-api-key", "    owner: alice@example.com", ""].join("\n"));
  git("add", ".");
  git("commit", "-q", "-m", "init");
  expect((await hush(["set", NAME], VALUE)).code).toBe(0);
  // The leak: a config file with the key base64-encoded, committed, then removed from the tree.
  writeFileSync(join(dir, "config.js"), `// setup\nexport const auth = "Basic ${Buffer.from(VALUE).toString("base64")}";\n`);
  git("add", "config.js");
  git("commit", "-q", "-m", "add config");
  leakedCommit = git("rev-parse", "HEAD");
  unlinkSync(join(dir, "config.js"));
  git("commit", "-q", "-am", "remove config");
  // And a hex dump left in the working tree, never committed.
  writeFileSync(join(dir, "debug.log"), `line one\nkey bytes: ${Buffer.from(VALUE).toString("hex")}\n`);
  pids.push(await readInChild(), await readInChild());
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("hush incident NAME", () => {
  it("refuses without a terminal or --yes, and writes nothing", async () => {
    const r = await hush(["incident", NAME]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--yes/);
    expect(() => readdirSync(join(dir, ".hush", "incidents"))).toThrow();
  });

  it("lists the leaked commit and file, both reader processes, and writes a record without the value", async () => {
    const r = await hush(["incident", NAME, "--yes"]);
    expect(r.code).toBe(0);
    noValue(r.stdout + r.stderr);
    expect(r.stdout).toContain(`commit ${leakedCommit.slice(0, 12)} config.js:2`);
    expect(r.stdout).toMatch(/debug\.log:2:\d+ \(hex\)/);
    for (const pid of pids) expect(r.stdout).toMatch(new RegExp(`pid ${pid} \\(hush get\\): 1 read`));
    expect(r.stdout).toContain("Notify the owner named in hush.yaml: alice@example.com");
    expect(r.stdout).toContain("https://platform.openai.com/usage");

    const dirPath = join(dir, ".hush", "incidents");
    const files = readdirSync(dirPath).sort();
    expect(files).toHaveLength(2);
    for (const f of files) {
      noValue(readFileSync(join(dirPath, f), "utf8"));
      expect(statSync(join(dirPath, f)).mode & 0o777).toBe(0o644);
    }
    const record = JSON.parse(readFileSync(join(dirPath, files.find((f) => f.endsWith(".json"))!), "utf8")) as IncidentRecord;
    expect(record).toMatchObject({ name: NAME, status: "open", environment: "dev", secret: { source: "local", version: 1, owner: "alice@example.com", provider: { id: "openai" } } });
    expect(record.secret.since).toMatch(/^\d{4}-/);
    expect(record.leaks.gitHistorySearched).toBe(true);
    expect(record.leaks.leaks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ origin: "history", path: "config.js", line: 2, encoding: "base64", commit: leakedCommit }),
        expect.objectContaining({ origin: "file", path: "debug.log", line: 2, encoding: "hex" }),
      ]),
    );
    // The incident's own read of the value is not counted as an exposure.
    expect(record.impact.readers.map((p) => p.pid).sort()).toEqual([...pids].sort());
    expect(record.impact.readers.every((p) => p.command === "hush get" && p.reads === 1)).toBe(true);
    expect(record.impact).toMatchObject({ status: "known", trail: join(".secrets", "audit.dev.jsonl"), error: null });
    expect(record.impact.reads).toBe(2);
    const md = readFileSync(join(dirPath, files.find((f) => f.endsWith(".md"))!), "utf8");
    expect(md).toContain(leakedCommit);
    for (const pid of pids) expect(md).toContain(`| ${pid} |`);
    expect(md).toMatch(/- \[ \] Close the incident/);
  });

  it("`hush incident list` shows the record; the library call agrees", async () => {
    const r = await hush(["incident", "list", "--json"]);
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as IncidentRecord[];
    expect(listed.map((x) => x.name)).toEqual([NAME]);
    const text = await hush(["incident", "list"]);
    expect(text.stdout).toMatch(new RegExp(`${NAME} \\(dev\\)\\s+2 leak\\(s\\)\\s+2 reader process\\(es\\)`));
    expect((await listIncidents({ cwd: dir })).length).toBe(1);
  });

  it("a second incident gets its own files; --no-git-history leaves the commit out", async () => {
    const r = await openIncident({ cwd: dir, name: "OPENAI_API_KEY", gitHistory: false, env: env() });
    expect(r.rotation).toMatchObject({ status: "skipped", markedCompromised: true });
    expect(r.rotation.byHand[0]).toMatch(/^Not rotated \(hush.yaml names no rotator for openai_api_key\)/);
    expect(r.leaks.gitHistorySearched).toBe(false);
    expect(r.leaks.leaks.map((l) => l.origin)).toEqual(["file"]);
    // The first incident's own read now counts: it happened before this one.
    expect(r.impact.readers.length).toBe(3);
    expect(readdirSync(join(dir, ".hush", "incidents"))).toHaveLength(4);
    noValue(JSON.stringify(r));
  });

  it("rotates through hush rotate's workflow, marks the old version compromised in the audit trail, says what to revoke by hand", async () => {
    writeFileSync(join(dir, "hush.yaml"), ["version: 1", "secrets:", `  ${NAME}:`, "    type: llm-api-key", "    owner: alice@example.com", "    rotator: { type: random, length: 48 }", ""].join("\n"));
    const r = await hush(["incident", NAME, "--yes", "--grace", "0", "--json"]);
    expect(r.code).toBe(0);
    noValue(r.stdout + r.stderr);
    const rec = JSON.parse(r.stdout) as IncidentRecord & { files: { json: string } };
    expect(rec.rotation).toMatchObject({ status: "rotated", rotator: "random", compromisedVersion: 1, newVersion: 2, revoke: "none", markedCompromised: true });
    expect(rec.rotation.byHand.join("\n")).toMatch(/cannot revoke: revoke version 1 of openai_api_key at its issuer \(https:\/\/platform\.openai\.com\/api-keys\) now/);
    expect(rec.checklist.slice(0, 2)).toEqual([expect.objectContaining({ done: true }), expect.objectContaining({ done: false })]);
    // The leaks and readers are those of the compromised version 1, found before it was rotated away.
    expect(rec.leaks.leaks.some((l) => l.commit === leakedCommit)).toBe(true);
    const audit = readFileSync(join(dir, ".secrets", "audit.dev.jsonl"), "utf8");
    expect(audit).toMatch(/"action":"mark-compromised","outcome":"served","source":"local","version":1/);
    expect(audit).toContain('"action":"rotate-finish"');
    noValue(audit + readFileSync(rec.files.json, "utf8"));
    const now = await hush(["get", NAME]);
    expect(now.stdout.trim()).toMatch(/^[A-Za-z0-9]{48}$/);
  });

  it("an unknown secret is NOT_FOUND and writes no record", async () => {
    const r = await hush(["incident", "no_such_key", "--yes"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/NOT_FOUND|not found/i);
    expect(readdirSync(join(dir, ".hush", "incidents"))).toHaveLength(6);
  });
});
