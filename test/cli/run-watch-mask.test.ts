/**
 * `hush run --mask` and `--watch` through the real binary.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { buildCli, hushSet, NODE, readIfThere, RUN_CHILD, runHushBinary, startHush, waitFor } from "../helpers/run-binary.js";

const CANARY = `canary-${randomBytes(12).toString("hex")}`;
const PEM = ["-----BEGIN TEST KEY-----", `MIIB${randomBytes(18).toString("hex")}`, `QUAC${randomBytes(18).toString("hex")}`, "-----END TEST KEY-----"].join("\n");
let cli: string;
let cleanupCli: () => void;
let project: string;

beforeAll(() => {
  ({ cli, cleanup: cleanupCli } = buildCli());
  project = mkdtempSync(join(tmpdir(), "hush-run-mask-"));
  hushSet(cli, project, "openai_api_key", CANARY);
  hushSet(cli, project, "tls_key", PEM);
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
  cleanupCli?.();
});

describe("hush run --mask", () => {
  it("redacts a value the child writes in two pieces, on stdout and stderr", async () => {
    const r = await runHushBinary(cli, ["run", "--mask", "--", NODE, RUN_CHILD, "split", "OPENAI_API_KEY"], { cwd: project });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("before [REDACTED:openai_api_key] after\n");
    expect(r.stderr).toBe("line: [REDACTED:openai_api_key]\n");
    expect(r.stdout + r.stderr).not.toContain(CANARY.slice(0, 12));
  });

  it("redacts a multi-line value whole, and each of its lines on its own", async () => {
    const r = await runHushBinary(cli, ["run", "--mask", "--", NODE, RUN_CHILD, "split", "TLS_KEY"], { cwd: project });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("before [REDACTED:tls_key] after\n");
    expect(r.stderr).toBe("line: [REDACTED:tls_key]\n".repeat(4));
    for (const line of PEM.split("\n").slice(1, 3)) expect(r.stdout + r.stderr).not.toContain(line);
  });

  it("is off by default (the child's output is passed through untouched)", async () => {
    const r = await runHushBinary(cli, ["run", "--", NODE, RUN_CHILD, "split", "OPENAI_API_KEY"], { cwd: project });
    expect(r.stdout).toBe(`before ${CANARY} after\n`);
  });

  it("keeps the child's exit code", async () => {
    const r = await runHushBinary(cli, ["run", "--mask", "--", NODE, "-e", "console.log(process.env.OPENAI_API_KEY); process.exit(5)"], { cwd: project });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe("[REDACTED:openai_api_key]\n");
  });
});

describe("hush run --watch", () => {
  it("restarts the child with the new value when `hush set` changes a secret (local store notifies)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hush-run-watch-"));
    try {
      const first = `first-${randomBytes(8).toString("hex")}`;
      const second = `second-${randomBytes(8).toString("hex")}`;
      hushSet(cli, dir, "api_token", first);
      const out = join(dir, "seen.txt");
      const hush = startHush(cli, ["run", "--watch", "--grace-ms", "3000", "--", NODE, RUN_CHILD, "record", "API_TOKEN", out], { cwd: dir });
      await waitFor(() => (readIfThere(out) === `${first}\n` ? true : undefined), "first child");
      hushSet(cli, dir, "api_token", second);
      await waitFor(() => (readIfThere(out) === `${first}\n${second}\n` ? true : undefined), "restarted child with the new value");
      hush.child.kill("SIGTERM");
      const r = await hush.done;
      expect(r.code).toBe(0); // the child exits 0 on SIGTERM
      expect(r.stderr).toMatch(/secrets changed; restarting the child/);
      expect(r.stderr).not.toContain(first);
      expect(r.stderr).not.toContain(second);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("restarts the child when a polled source changes (.env, read every 2 s)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hush-run-poll-"));
    try {
      writeFileSync(join(dir, ".env"), "SERVICE_URL=https://one.example\n");
      const out = join(dir, "seen.txt");
      const hush = startHush(cli, ["run", "--watch", "--", NODE, RUN_CHILD, "record", "SERVICE_URL", out], { cwd: dir });
      await waitFor(() => (readIfThere(out) === "https://one.example\n" ? true : undefined), "first child");
      writeFileSync(join(dir, ".env"), "SERVICE_URL=https://two.example\n");
      await waitFor(() => (readIfThere(out) === "https://one.example\nhttps://two.example\n" ? true : undefined), "restarted child");
      hush.child.kill("SIGINT");
      const r = await hush.done;
      expect(r.code).toBe(130); // the record child does not catch SIGINT
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a change that leaves the values as they were does not restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hush-run-same-"));
    try {
      hushSet(cli, dir, "api_token", "same-value-123");
      const out = join(dir, "seen.txt");
      const hush = startHush(cli, ["run", "--watch", "--", NODE, RUN_CHILD, "record", "API_TOKEN", out], { cwd: dir });
      await waitFor(() => readIfThere(out), "first child");
      hushSet(cli, dir, "other_name", "another-value-456"); // a new name is a change too (no --only)
      await waitFor(() => (readIfThere(out)?.split("\n").length === 3 ? true : undefined), "restart for the new name");
      hushSet(cli, dir, "api_token", "same-value-123"); // new version, same value
      await new Promise((r) => setTimeout(r, 1000)); // let the watcher handle it on its own
      // Then a real change, so the test knows the watcher has seen the no-op write by now.
      hushSet(cli, dir, "api_token", "changed-value-789");
      await waitFor(() => (readIfThere(out)?.includes("changed-value-789") ? true : undefined), "restart for the real change");
      hush.child.kill("SIGTERM");
      await hush.done;
      expect(readIfThere(out)).toBe("same-value-123\nsame-value-123\nchanged-value-789\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
