// `hush rotate NAME`, `hush rotate --due [--dry-run]` and `hush audit review --strict`: exit codes,
// JSON output, and no value in any output.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createLocalSource } from "../../src/sources/local.js";
import { CANARY, expectNoCanary, hushIn, tempProject } from "../config/temp-project.js";

const LONG_AGO = () => new Date(Date.now() - 200 * 86_400_000);

async function project(yaml: string, names: string[]): Promise<string> {
  const dir = tempProject({ "hush.yaml": yaml });
  const local = createLocalSource({ secretsDir: join(dir, ".secrets"), now: LONG_AGO });
  for (const n of names) await local.set(n, CANARY);
  return dir;
}

describe("hush rotate NAME", () => {
  it("asks for confirmation: without a terminal and without --yes, nothing changes", async () => {
    const dir = await project("version: 1\n", ["session_secret"]);
    const run = await hushIn(dir, ["rotate", "session_secret", "--rotator", "random"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--yes");
    expect((await createLocalSource({ secretsDir: join(dir, ".secrets") }).get("session_secret"))?.value).toBe(CANARY);
  });

  it("--yes --json rotates and prints the result without values", async () => {
    const dir = await project("version: 1\n", ["session_secret"]);
    const run = await hushIn(dir, ["rotate", "session_secret", "--rotator", "random", "--grace", "0", "--yes", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ name: "session_secret", version: 2, previousVersion: 1, revoke: "none" });
    const now = await createLocalSource({ secretsDir: join(dir, ".secrets") }).get("session_secret");
    expect(now?.value).not.toBe(CANARY);
    expectNoCanary(run);
    expect(run.stdout + run.stderr).not.toContain(now!.value);
  });

  it("a failing step exits with ROTATION_FAILED's code (11) and names the step", async () => {
    const dir = await project("version: 1\nsecrets:\n  api_token:\n    rotator: { type: command, set: 'exit 4' }\n", ["api_token"]);
    const run = await hushIn(dir, ["rotate", "api_token", "--yes"]);
    expect(run.code).toBe(11);
    expect(run.stderr).toContain('step "set"');
    expectNoCanary(run);
  });
});

describe("hush rotate --due and hush audit review --strict", () => {
  const yaml = ["version: 1", "secrets:", "  db_password:", "    type: database-password", "    rotator: { type: random }", "  openai_api_key:", "    type: llm-api-key", ""].join("\n");

  it("--dry-run lists what is due and exits 1 (still due); nothing changes", async () => {
    const dir = await project(yaml, ["db_password", "openai_api_key"]);
    const run = await hushIn(dir, ["rotate", "--due", "--dry-run", "--json"]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).stillDue.map((d: { name: string }) => d.name).sort()).toEqual(["db_password", "openai_api_key"]);
    expect((await createLocalSource({ secretsDir: join(dir, ".secrets") }).get("db_password"))?.version).toBe(1);
  });

  it("rotates what has a rotator; one without stays due (exit 1); review --strict exits 1 until none is overdue", async () => {
    const dir = await project(yaml, ["db_password", "openai_api_key"]);
    const run = await hushIn(dir, ["rotate", "--due", "--json"]);
    expect(run.code).toBe(1);
    const r = JSON.parse(run.stdout);
    expect(r.rotated).toEqual([{ name: "db_password", version: 2 }]);
    expect(r.stillDue).toEqual([expect.objectContaining({ name: "openai_api_key" })]);
    expectNoCanary(run);
    const review = await hushIn(dir, ["audit", "review", "--strict", "--json"]);
    expect(review.code).toBe(1);
    expect(JSON.parse(review.stdout).rotationOverdue.map((o: { name: string }) => o.name)).toEqual(["openai_api_key"]);
  });

  it("all done exits 0; a failed rotation exits 11; a recorded revoke is performed once due", async () => {
    const ok = await project(["version: 1", "secrets:", "  db_password:", "    type: database-password", "    rotator: { type: command, revoke: 'cat > revoked.txt' }", ""].join("\n"), ["db_password"]);
    const first = await hushIn(ok, ["rotate", "--due", "--grace", "0"]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(readFileSync(join(ok, "revoked.txt"), "utf8"), "the old value reached the revoke script").toBe(CANARY);
    expect((await hushIn(ok, ["rotate", "--due"])).code).toBe(0);
    expect((await hushIn(ok, ["audit", "review", "--strict"])).code).toBe(0);

    const bad = await project(["version: 1", "secrets:", "  db_password:", "    type: database-password", "    rotator: { type: command, test: 'exit 1' }", ""].join("\n"), ["db_password"]);
    const failed = await hushIn(bad, ["rotate", "--due", "--json"]);
    expect(failed.code).toBe(11);
    expect(JSON.parse(failed.stdout).failed[0]).toMatchObject({ name: "db_password", step: "rotate", code: "ROTATION_FAILED" });
    expectNoCanary(failed);
  });

  it("a revoke within its grace period stays due; --due performs it once the period is over", async () => {
    const dir = await project(["version: 1", "secrets:", "  api_token:", "    rotator: { type: command, revoke: 'cat > revoked.txt' }", ""].join("\n"), ["api_token"]);
    // A grace of an hour, then its end moved into the past in the due-revokes file (names and
    // times only): a grace of 1 s on the wall clock could end before the next CLI had started on
    // a loaded machine, and the "early" run then revoked.
    expect((await hushIn(dir, ["rotate", "api_token", "--grace", "1h", "--yes"])).code).toBe(0);
    const early = await hushIn(dir, ["rotate", "--due", "--json"]);
    expect(early.code).toBe(1);
    expect(JSON.parse(early.stdout).stillDue[0].reason).toContain("grace period");
    expect(existsSync(join(dir, "revoked.txt")), "nothing revoked early").toBe(false);
    const duePath = join(dir, ".secrets/rotation.dev.json");
    const due = JSON.parse(readFileSync(duePath, "utf8")) as { revokes: { dueAt: string }[] };
    expect(due.revokes).toHaveLength(1);
    due.revokes[0]!.dueAt = new Date(Date.now() - 1000).toISOString();
    writeFileSync(duePath, JSON.stringify(due), { mode: 0o600 });
    const later = await hushIn(dir, ["rotate", "--due", "--json"]);
    expect(later.code, later.stdout).toBe(0);
    expect(JSON.parse(later.stdout).revoked).toEqual([{ name: "api_token", version: 1 }]);
    expect(readFileSync(join(dir, "revoked.txt"), "utf8")).toBe(CANARY);
    expectNoCanary(later);
  });
});
