/**
 * `hush run --mask` gaps found by issue 11: the encoded forms the scanner knows (base64 at every
 * alignment, base64url, hex, URL-encoded) and the JSON-escaped form are masked too; and when
 * hush's own output closes (`| head`), the child dies of SIGPIPE as it would without --mask,
 * not of ECONNRESET (exit 1).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { baseEnv, buildCli, hushSet, NODE, runHushBinary } from "../helpers/run-binary.js";

// Characters that base64, URL and JSON encodings all change.
const CANARY = `c4n/ry+${randomBytes(9).toString("base64")} "q"\\p&x=1`;
let cli: string;
let cleanupCli: () => void;
let project: string;

beforeAll(() => {
  ({ cli, cleanup: cleanupCli } = buildCli());
  project = mkdtempSync(join(tmpdir(), "hush-run-mask-forms-"));
  hushSet(cli, project, "db_password", CANARY);
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
  cleanupCli?.();
});

const FORMS: Record<string, (v: string) => string> = {
  base64: (v) => Buffer.from(v).toString("base64"),
  "base64, one byte in": (v) => Buffer.from(`x${v}`).toString("base64"),
  base64url: (v) => Buffer.from(v).toString("base64url"),
  hex: (v) => Buffer.from(v).toString("hex"),
  HEX: (v) => Buffer.from(v).toString("hex").toUpperCase(),
  url: (v) => encodeURIComponent(v),
  json: (v) => JSON.stringify({ password: v }),
};

describe("hush run --mask: encoded forms", () => {
  for (const [form, encode] of Object.entries(FORMS)) {
    it(`masks the ${form} form`, async () => {
      const script = `const v = process.env.DB_PASSWORD; const f = ${encode.toString()}; process.stdout.write("out " + f(v) + " end\\n"); process.stderr.write("err " + f(v) + "\\n");`;
      const r = await runHushBinary(cli, ["run", "--mask", "--", NODE, "-e", script], { cwd: project });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("[REDACTED:db_password]");
      expect(r.stdout).toMatch(/^out .* end\n$/);
      const plain = encode(CANARY);
      const core = form.startsWith("base64, one") ? plain.slice(4, -4) : plain;
      expect(r.stdout + r.stderr).not.toContain(core);
      expect(r.stdout + r.stderr).not.toContain(CANARY);
    });
  }
});

describe("hush run --mask: a closed output pipe", () => {
  it("the child dies of SIGPIPE (hush exits 141), as without --mask: `hush run --mask -- yes | head -c1`", async () => {
    const line = `"${NODE}" "${cli}" run --mask -- yes | head -c1 >/dev/null; echo "rc=\${PIPESTATUS[0]}"`;
    const proc = spawn("bash", ["-c", line], { cwd: project, env: baseEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    proc.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    await new Promise((resolve) => proc.on("close", resolve));
    expect(stderr).toBe(""); // before: "yes: standard output: Connection reset by peer"
    expect(stdout).toBe("rc=141\n");
  });
});
