/**
 * `hush run` signals and isolation through the real binary (FAULTS 16): SIGINT, SIGTERM and
 * SIGHUP reach the child, hush exits 128 + n, no zombie is left, and a SIGKILLed hush does not
 * leave its child behind (Linux, util-linux setpriv). The value is in the child's environment
 * only: not in its /proc/<pid>/cmdline, not in hush's own /proc/<pid>/environ.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { constants } from "node:os";
import { buildCli, hushSet, isAlive, NODE, processState, readIfThere, RUN_CHILD, startHush, waitFor } from "../helpers/run-binary.js";

const CANARY = `canary-${randomBytes(12).toString("hex")}`;
const HAS_PROC = existsSync("/proc/self/environ");
const HAS_SETPRIV = process.platform === "linux" && ["/usr/bin/setpriv", "/bin/setpriv"].some((p) => readIfThere(p)?.includes("pdeathsig"));
let cli: string;
let cleanupCli: () => void;
let project: string;

beforeAll(() => {
  ({ cli, cleanup: cleanupCli } = buildCli());
  project = mkdtempSync(join(tmpdir(), "hush-run-sig-"));
  hushSet(cli, project, "openai_api_key", CANARY);
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
  cleanupCli?.();
});

/** Starts `hush run -- node run-child wait <file>` and waits for the child to be ready. */
async function startWaitingChild(name: string) {
  const ready = join(project, `${name}.json`);
  const hush = startHush(cli, ["run", "--", NODE, RUN_CHILD, "wait", ready], { cwd: project });
  const info = JSON.parse(await waitFor(() => readIfThere(ready) || undefined, `${name} child ready`)) as { pid: number; ppid: number };
  return { hush, ready, child: info };
}

describe("hush run: signals", () => {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    it(`passes ${signal} on to the child and exits 128 + ${constants.signals[signal]}`, async () => {
      const { hush, ready, child } = await startWaitingChild(signal);
      expect(child.ppid).toBe(hush.child.pid); // the child is hush's own (setpriv execs in place)
      hush.child.kill(signal);
      const r = await hush.done;
      expect(r.code).toBe(128 + constants.signals[signal]);
      expect(r.signal).toBeNull(); // hush itself did not die of the signal
      expect(readFileSync(`${ready}.sig`, "utf8")).toBe(`${signal}\n`);
      // No zombie: the child is gone (reaped), not lingering as <defunct>.
      await waitFor(() => (processState(child.pid) === undefined ? true : undefined), "child reaped");
      expect(r.stderr).not.toContain(CANARY);
    });
  }

  it.skipIf(!HAS_SETPRIV)("a SIGKILLed hush does not leave its child running (setpriv --pdeathsig)", async () => {
    const { hush, ready, child } = await startWaitingChild("pdeathsig");
    hush.child.kill("SIGKILL");
    await hush.done;
    await waitFor(() => (isAlive(child.pid) && processState(child.pid) !== "Z" ? undefined : true), "child ended after hush was killed");
    expect(readFileSync(`${ready}.sig`, "utf8")).toBe("SIGTERM\n");
  });
});

describe.skipIf(!HAS_PROC)("hush run: isolation", () => {
  it("the value is in the child's environment only: not in its argv, not in hush's environment", async () => {
    const { hush, child } = await startWaitingChild("isolation");
    try {
      const childEnviron = readFileSync(`/proc/${child.pid}/environ`);
      expect(childEnviron.includes(`OPENAI_API_KEY=${CANARY}\0`)).toBe(true); // positive control
      expect(readFileSync(`/proc/${child.pid}/cmdline`).includes(CANARY)).toBe(false);
      expect(readFileSync(`/proc/${hush.child.pid}/cmdline`).includes(CANARY)).toBe(false);
      // /proc/<pid>/environ is the environment hush started with; that hush never writes its
      // own process.env is checked on the library (test/run/spawn-with-secrets.test.ts).
      expect(readFileSync(`/proc/${hush.child.pid}/environ`).includes(CANARY)).toBe(false);
    } finally {
      hush.child.kill("SIGTERM");
      await hush.done;
    }
  });
});
