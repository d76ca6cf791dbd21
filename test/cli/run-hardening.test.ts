/**
 * The `hush run` parent holds every injected value in its heap, so it offers no debug surface
 * (FAULTS 27, issue 11): SIGUSR1 from any local user must not open Node's inspector (a heap
 * snapshot on 127.0.0.1:9229 reads every secret), and a crash must not write a core file.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { baseEnv, buildCli, hushSet, isAlive, NODE, readIfThere, RUN_CHILD, waitFor } from "../helpers/run-binary.js";

const CANARY = `canary-${randomBytes(12).toString("hex")}`;
const PRLIMIT = ["/usr/bin/prlimit", "/bin/prlimit"].find((p) => existsSync(p));
const HAS_PROC = existsSync("/proc/self/net/tcp");
let cli: string;
let cleanupCli: () => void;
let project: string;

beforeAll(() => {
  ({ cli, cleanup: cleanupCli } = buildCli());
  project = mkdtempSync(join(tmpdir(), "hush-run-harden-"));
  hushSet(cli, project, "openai_api_key", CANARY);
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
  cleanupCli?.();
});

/** `hush run -- node run-child wait`, started under `prlimit --core=unlimited` so a lowered limit is hush's doing. */
async function startHush(name: string) {
  const ready = join(project, `${name}.json`);
  const argv = [NODE, cli, "run", "--", NODE, RUN_CHILD, "wait", ready];
  const proc = PRLIMIT ? spawn(PRLIMIT, ["--core=unlimited:unlimited", ...argv], { cwd: project, env: baseEnv() }) : spawn(argv[0]!, argv.slice(1), { cwd: project, env: baseEnv() });
  let stderr = "";
  proc.stderr!.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  proc.stdout!.resume();
  const done = new Promise<number | null>((resolve) => proc.on("close", (code) => resolve(code)));
  await waitFor(() => readIfThere(ready) || undefined, `${name} child ready`);
  return { pid: proc.pid!, stderr: () => stderr, done, stop: () => proc.kill("SIGTERM") };
}

/** TCP ports `pid` listens on, from its socket descriptors and /proc/<pid>/net/tcp{,6}. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const m = /^socket:\[(\d+)\]$/.exec(readIfThereLink(`/proc/${pid}/fd/${fd}`));
    if (m) inodes.add(m[1]!);
  }
  const ports: number[] = [];
  for (const table of ["tcp", "tcp6"]) {
    for (const line of (readIfThere(`/proc/${pid}/net/${table}`) ?? "").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === "0A" && inodes.has(f[9]!)) ports.push(parseInt(f[1]!.split(":")[1]!, 16));
    }
  }
  return ports;
}

function readIfThereLink(path: string): string {
  try {
    return readlinkSync(path);
  } catch (_e) {
    return ""; // the descriptor closed meanwhile
  }
}

describe.skipIf(!HAS_PROC)("hush run: no debug surface in the parent", () => {
  it("SIGUSR1 opens no inspector, and hush and its child survive it", async () => {
    const hush = await startHush("usr1");
    expect(listeningPorts(hush.pid)).toEqual([]);
    process.kill(hush.pid, "SIGUSR1");
    await new Promise((r) => setTimeout(r, 500)); // the inspector, if it opened, would be listening by now
    expect(isAlive(hush.pid)).toBe(true);
    expect(listeningPorts(hush.pid)).toEqual([]);
    expect(hush.stderr()).not.toContain("Debugger listening");
    hush.stop();
    expect(await hush.done).toBe(128 + 15);
    expect(hush.stderr()).not.toContain(CANARY);
  });

  it.skipIf(!PRLIMIT)("the parent's soft RLIMIT_CORE is 0 (started with unlimited)", async () => {
    const hush = await startHush("core");
    const line = readFileSync(`/proc/${hush.pid}/limits`, "utf8").split("\n").find((l) => l.startsWith("Max core file size"));
    expect(line?.split(/\s{2,}/)[1]).toBe("0");
    hush.stop();
    await hush.done;
  });
});
