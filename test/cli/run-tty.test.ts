/**
 * `hush run` under a real pseudo-terminal (util-linux `script`): one Ctrl-C reaches the child
 * exactly once. The terminal delivers SIGINT to the whole foreground process group, hush and
 * its child alike; hush must not forward a second one, which would cut the child's own
 * graceful shutdown short (issue 10: a Python agent lost its state in 3 of 3 runs).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { buildCli, hushSet, NODE } from "../helpers/run-binary.js";
import { deliveredByTerminal } from "../../src/run/signals.js";

const CANARY = `canary-${randomBytes(12).toString("hex")}`;
const HAS_SCRIPT = process.platform === "linux" && existsSync("/usr/bin/script") && existsSync("/proc/self/stat");
// A child with a graceful shutdown: it counts SIGINTs, and after the first one takes 400 ms to
// "save its state" before it reports the count and exits 0.
const CHILD = `
let count = 0;
process.on("SIGINT", () => {
  count += 1;
  if (count === 1) setTimeout(() => { process.stdout.write("COUNT " + count + "\\n"); process.exit(0); }, 400);
});
process.stdout.write("READY " + (process.env.OPENAI_API_KEY ? "with-key" : "no-key") + "\\n");
setInterval(() => {}, 1000);
`;

let cli: string;
let cleanupCli: () => void;
let project: string;

beforeAll(() => {
  ({ cli, cleanup: cleanupCli } = buildCli());
  project = mkdtempSync(join(tmpdir(), "hush-run-tty-"));
  writeFileSync(join(project, "child.cjs"), CHILD);
  hushSet(cli, project, "openai_api_key", CANARY);
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
  cleanupCli?.();
});

describe("hush run under a terminal", () => {
  it.skipIf(!HAS_SCRIPT)("one Ctrl-C reaches the child exactly once, and hush exits with the child's code", async () => {
    const command = `exec ${NODE} ${cli} run -- ${NODE} child.cjs`;
    const term = spawn("/usr/bin/script", ["-qfec", command, "/dev/null"], { cwd: project, env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, TERM: "dumb" }, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    term.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    term.stderr.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => term.once("exit", (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (!out.includes("READY") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(out).toContain("READY with-key");
    term.stdin.write("\x03"); // Ctrl-C, typed at the terminal: the line discipline sends SIGINT to the foreground group
    const code = await Promise.race([exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 15_000))]);
    if (code === "timeout") term.kill("SIGKILL");
    term.stdin.end();
    expect(out).toContain("COUNT 1");
    expect(code).toBe(0);
    expect(out).not.toContain(CANARY);
  });
});

describe("deliveredByTerminal", () => {
  it("is false without a terminal, and for an unknown pid (so the signal is forwarded)", () => {
    // The test runner has no controlling terminal in CI; whatever it has, a pid that does not
    // exist cannot have been reached.
    expect(deliveredByTerminal(undefined)).toBe(false);
    expect(deliveredByTerminal(2 ** 22 + 7)).toBe(false);
    expect(deliveredByTerminal(process.pid, join(project, "no-proc"))).toBe(false);
  });

  it("reads pgrp, session and tpgid from stat lines whose command name holds spaces and parentheses", () => {
    const proc = join(project, "proc");
    const line = (pid: number, pgrp: number, tpgid: number) => `${pid} (a (b) c) S 1 ${pgrp} 77 34816 ${tpgid} 4194304 0 0\n`;
    for (const [dir, text] of [["self", line(10, 10, 10)], ["11", line(11, 10, 10)], ["12", line(12, 12, 10)], ["13", line(13, 10, -1)]] as const) {
      rmSync(join(proc, dir), { recursive: true, force: true });
      mkdirSync(join(proc, dir), { recursive: true });
      writeFileSync(join(proc, dir, "stat"), text);
    }
    expect(deliveredByTerminal(11, proc)).toBe(true); // same foreground group as hush
    expect(deliveredByTerminal(12, proc)).toBe(false); // the child left the group
    expect(readFileSync(join(proc, "13", "stat"), "utf8")).toContain("-1");
  });
});
