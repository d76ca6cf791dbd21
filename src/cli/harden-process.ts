/**
 * No debug surface in a process that holds secrets (FAULTS 27, docs/security.md), set up by
 * `cli/main` before any command runs, so before any secret is read:
 *
 * - SIGUSR1: Node's default action opens the inspector on 127.0.0.1:9229, where any local user
 *   can take a heap snapshot and read every value `hush run` holds. A listener of our own
 *   replaces that default (checked on Node 20 and 24 by test/cli/run-hardening.test.ts); Node's
 *   `--disable-sigusr1` (22.14+) would need a second start of Node, so it is not used.
 * - Core files: the soft RLIMIT_CORE is lowered to 0, so a crash does not write the heap,
 *   secrets included, to a core file. Node has no setrlimit, so on Linux util-linux's `prlimit`
 *   is applied to our own pid, and only when the limit is not 0 already (the common default).
 *   The hard limit is kept: the child of `hush run` inherits the soft 0 and may raise it.
 *   Not covered: systems without `prlimit` (macOS, busybox), and a `kernel.core_pattern` that
 *   pipes cores to a handler that ignores the limit.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

/** Installs the SIGUSR1 guard and lowers the core limit; never throws. */
export function hardenProcess(): void {
  process.on("SIGUSR1", ignoreInspectorSignal);
  lowerCoreLimit();
}

/** The soft RLIMIT_CORE of this process as /proc shows it ("0", "unlimited", ...), or undefined off Linux. */
export function softCoreLimit(): string | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "latin1").split("\n").find((l) => l.startsWith("Max core file size"));
    return line?.slice("Max core file size".length).trim().split(/\s+/)[0];
  } catch (_e) {
    return undefined; // no /proc: not Linux
  }
}

// --- internal ---

function ignoreInspectorSignal(): void {
  // Deliberately nothing: the listener's presence is what keeps the inspector closed.
}

const PRLIMIT = ["/usr/bin/prlimit", "/bin/prlimit"];

function lowerCoreLimit(): void {
  const soft = softCoreLimit();
  if (soft === undefined || soft === "0") return;
  const prlimit = PRLIMIT.find((p) => existsSync(p));
  if (!prlimit) return;
  // Soft limit only ("0:"): lowering it needs no privilege, and the hard limit stays for the child.
  spawnSync(prlimit, ["--pid", String(process.pid), "--core=0:"], { stdio: "ignore", timeout: 2000 });
}
