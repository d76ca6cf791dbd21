import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush } from "../helpers/cli.js";
import { createAuditor } from "../../src/audit/auditor.js";
import { createSecretsManager } from "../../src/manager.js";
import { createEnvSource } from "../../src/sources/env.js";
import { createLocalSource } from "../../src/sources/local.js";
import { parseSince } from "../../src/cli/parse-since.js";
import { CANARY, makeProject, type TempProject } from "../audit/helpers.js";

let p: TempProject;
const NAMES = ["openai_api_key", "database_url", "stripe_key"];

beforeAll(async () => {
  p = makeProject();
  writeFileSync(join(p.dir, "hush.yaml"), [
    "version: 1",
    "secrets:",
    "  openai_api_key:",
    "    type: llm-api-key",
    "    description: planner agent key",
    "    owner: platform",
    "  database_url:",
    "    type: database-password",
    "",
  ].join("\n"));
  // Two "processes" (two managers with their own auditor and actor) share the log.
  for (const [user, pid] of [["alice", 101], ["bob", 202]] as const) {
    const auditor = createAuditor({ secretsDir: p.secretsDir, environment: "dev" });
    const hush = createSecretsManager({
      cwd: p.dir,
      secretsDir: p.secretsDir,
      sources: [createEnvSource({ env: { OPENAI_API_KEY: `${CANARY}-env` } }), createLocalSource({ secretsDir: p.secretsDir })],
      audit: auditor,
      actor: { user, host: "box", pid, command: "node agent.js" },
    });
    await hush.get("openai_api_key");
    await hush.get("openai_api_key");
    if (user === "alice") await hush.set("database_url", `${CANARY}-db`);
    await hush.get("database_url");
    await hush.get("missing_one");
    await hush.get("gemini_api_key"); // a provider key name looked up (as `hush providers` does), not set
    await hush.dispose();
    await auditor.close();
  }
});
afterAll(() => p.cleanup());

const hush = (...argv: string[]) => runHush(["--cwd", p.dir, "audit", ...argv]);
const noCanary = (r: { stdout: string; stderr: string }) => expect(r.stdout + r.stderr).not.toContain("canary");

describe("hush audit", () => {
  it("log: names for key holders, filters", async () => {
    const all = await hush("log");
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split("\n");
    expect(lines).toHaveLength(11);
    expect(lines[0]).toMatch(/^1 {2}\S+ {2}read served {2}openai_api_key {2}env {2}alice@box pid 101 \(node agent\.js\)$/);
    expect(all.stdout).toMatch(/read missing {2}id:[0-9a-f]{16}/); // never listed anywhere: stays an id
    expect(all.stdout).toMatch(/read missing {2}gemini_api_key /); // a provider key name reads as a name
    const bob = await hush("log", "--actor", "bob", "--secret", "OPENAI_API_KEY");
    expect(bob.stdout.trim().split("\n")).toHaveLength(2);
    const named = await hush("log", "--secret", "missing_one", "--json");
    const recs = named.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(recs.map((r) => [r.name, r.outcome])).toEqual([["missing_one", "missing"], ["missing_one", "missing"]]);
    expect((await hush("log", "--source", "local")).stdout.trim().split("\n")).toHaveLength(3);
    expect((await hush("log", "--since", "2999-01-01")).stdout).toBe("");
    expect((await hush("log", "--since", "yesterday")).code).toBe(2);
    for (const r of [all, bob, named]) noCanary(r);
  });

  it("report: per secret across both processes", async () => {
    const r = await hush("report");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^SECRET\s+SOURCE\s+READS\s+WRITES\s+FAILED\s+FIRST ACCESS\s+LAST ACCESS\s+ACTORS\s+PROCS$/m);
    expect(r.stdout).toMatch(/^openai_api_key\s+env\s+4\s+0\s+0\s+\S+ \S+\s+\S+ \S+\s+alice@box,bob@box\s+2$/m);
    expect(r.stdout).toMatch(/^database_url\s+local\s+2\s+1\s+0\s.*alice@box,bob@box\s+2$/m);
    const json = JSON.parse((await hush("report", "--json")).stdout);
    expect(json.find((x: { name: string }) => x.name === "openai_api_key")).toMatchObject({ reads: 4, served: 4, processes: 2 });
    noCanary(r);
  });

  it("review: config metadata, rotation from versions, unused", async () => {
    const r = await hush("review", "--format", "json");
    expect(r.code).toBe(0);
    const review = JSON.parse(r.stdout);
    expect(review.window.days).toBe(90);
    expect(review.secrets).toEqual(["database_url", "openai_api_key"]);
    expect(review.unused).toEqual([]);
    expect(review.missingMetadata).toEqual([{ name: "database_url", missing: ["owner", "description"] }]);
    expect(review.rotationOverdue).toEqual([]);
    expect(review.rotationUnknown).toEqual([{ name: "openai_api_key", type: "llm-api-key", policyDays: 90 }]); // env: no versions
    const text = await hush("review", "--days", "30");
    expect(text.stdout).toMatch(/^Access review, .* \(30 days\), 2 secrets$/m);
    expect((await hush("review", "--format", "markdown")).stdout).toMatch(/^## Missing owner or description \(1\)$/m);
    expect((await hush("review", "--format", "xml")).code).toBe(2);
    expect((await hush("review", "--days", "0")).code).toBe(2);
    noCanary(text);
  });

  it("verify: exit 0 on an intact log, 1 with the place of an edit", async () => {
    const ok = await hush("verify");
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/11 records, last seq 11; chain intact/);
    const text = readFileSync(p.logPath, "utf8");
    const lines = text.split("\n");
    lines[2] = lines[2]!.replace('"user":"alice"', '"user":"eve"');
    writeFileSync(p.logPath, lines.join("\n"));
    try {
      const bad = await hush("verify");
      expect(bad.code).toBe(1);
      expect(bad.stdout).toBe("edited: line 3 (seq 3): its content does not match its hash (edited)\n");
      expect(bad.stderr).toMatch(/1 problem\(s\): the log does not verify/);
      const json = JSON.parse((await hush("verify", "--json")).stdout);
      expect(json.problems).toEqual([{ kind: "edited", line: 3, seq: 3, message: expect.any(String) }]);
    } finally {
      writeFileSync(p.logPath, text);
    }
  });

  it("parses --since durations and dates", () => {
    const now = Date.parse("2026-06-30T12:00:00Z");
    expect(parseSince("7d", now)).toBe("2026-06-23T12:00:00.000Z");
    expect(parseSince("30m", now)).toBe("2026-06-30T11:30:00.000Z");
    expect(parseSince("2026-01-31")).toBe("2026-01-31T00:00:00.000Z");
    expect(() => parseSince("soon")).toThrow(/--since takes/);
  });

  it("the log files hold no value and no plain name (FAULTS 22)", () => {
    for (const f of [p.logPath, p.logPath.replace(/\.jsonl$/, ".head")]) {
      const t = readFileSync(f, "utf8");
      expect(t).not.toContain("canary");
      for (const n of [...NAMES, "missing_one"]) expect(t.toLowerCase()).not.toContain(n);
    }
  });
});

describe("hush audit review: only a genuinely absent history is 'unknown'", () => {
  const YAML = "version: 1\nsecrets:\n  openai_api_key: { type: llm-api-key, owner: platform, description: key }\n  never_set: { type: database-password }\n";

  async function project(): Promise<{ dir: string; run: (...argv: string[]) => ReturnType<typeof runHush>; cleanup(): void }> {
    const dir = mkdtempSync(join(tmpdir(), "hush-review-"));
    writeFileSync(join(dir, "hush.yaml"), YAML);
    const run = (...argv: string[]) => runHush(["--cwd", dir, ...argv], { env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME } });
    expect((await run("init")).code).toBe(0);
    expect((await runHush(["--cwd", dir, "set", "openai_api_key"], { stdin: `${CANARY}-review` })).code).toBe(0);
    return { dir, run, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }

  it("a stored secret has its date; a declared one never stored is unknown", async () => {
    const t = await project();
    try {
      const r = await t.run("audit", "review", "--json");
      expect(r.code).toBe(0);
      const review = JSON.parse(r.stdout);
      expect(review.rotationUnknown).toEqual([{ name: "never_set", type: "database-password", policyDays: 30 }]);
      expect(review.rotationOverdue).toEqual([]);
      noCanary(r);
    } finally {
      t.cleanup();
    }
  });

  it("a corrupt store is an error (exit 6), not 'rotation date unknown'", async () => {
    const t = await project();
    try {
      writeFileSync(join(t.dir, ".secrets", "dev.store"), "gAAAAABnot-a-token-at-all\n");
      const r = await t.run("audit", "review", "--json");
      expect(r.code).toBe(6);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^hush: .*\n {2}hint: /m);
      noCanary(r);
    } finally {
      t.cleanup();
    }
  });

  it("a wrong key is an error (exit 5), not 'rotation date unknown'", async () => {
    const t = await project();
    try {
      writeFileSync(join(t.dir, ".secrets", ".encryption.key"), "A".repeat(43) + "=");
      const r = await t.run("audit", "review");
      expect(r.code).toBe(5);
      expect(r.stdout).toBe("");
      noCanary(r);
    } finally {
      t.cleanup();
    }
  });
});
