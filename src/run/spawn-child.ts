/**
 * Starts one child for `hush run` and waits for its end.
 *
 * Before spawning, the command is looked up on the child's PATH, so "not found" (exit 127)
 * and "not executable" (exit 126) are clear SPAWN_FAILED errors rather than a raw errno.
 *
 * Parent death: on Linux, when util-linux `setpriv` with `--pdeathsig` is installed, the child
 * is started through it (`setpriv --pdeathsig TERM -- cmd args`, which then execs the command
 * in the same process), so the kernel sends the child SIGTERM if hush dies without being able
 * to forward anything (SIGKILL, OOM kill). Elsewhere a SIGKILLed hush leaves the child running,
 * re-parented to init: Node has no way to set PR_SET_PDEATHSIG itself.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { HushError } from "../errors.js";

/** Options of {@link spawnChild}. */
export interface SpawnChildOptions {
  /** The child's complete environment. */
  env: Record<string, string>;
  /** The child's working folder. */
  cwd: string;
  /** `inherit` passes stdin, stdout, stderr and the TTY through. */
  stdio: StdioOptions;
  /** Signal the child gets when hush dies (Linux with `setpriv`); false: none. @default "SIGTERM" */
  parentDeathSignal?: NodeJS.Signals | false;
}

/** How a child ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A started child and the promise of its end. */
export interface StartedChild {
  child: ChildProcess;
  exited: Promise<ChildExit>;
}

/**
 * Looks `command` up on the child's PATH and starts it. Throws SPAWN_FAILED (cause ENOENT or
 * EACCES, see {@link spawnFailureExitCode}) when it cannot be started.
 */
export function spawnChild(command: string, args: readonly string[], options: SpawnChildOptions): StartedChild {
  resolveCommand(command, options.env.PATH, options.cwd);
  const deathSignal = options.parentDeathSignal ?? "SIGTERM";
  const setpriv = deathSignal ? setprivPath() : undefined;
  const [file, argv] = setpriv && deathSignal ? [setpriv, ["--pdeathsig", deathSignal.slice(3), "--", command, ...args]] : [command, [...args]];
  let child: ChildProcess;
  try {
    child = spawn(file, argv, { env: options.env, cwd: options.cwd, stdio: options.stdio, argv0: setpriv ? undefined : command });
  } catch (e) {
    // Node's own message may quote the environment (values); keep the code only.
    throw spawnFailed(command, (e as NodeJS.ErrnoException).code ?? "EINVAL", e);
  }
  const exited = new Promise<ChildExit>((resolveExit, rejectExit) => {
    child.once("error", (e: NodeJS.ErrnoException) => {
      if (child.pid === undefined) rejectExit(spawnFailed(command, e.code ?? "EINVAL", e));
    });
    child.once("exit", (code, signal) => resolveExit({ code, signal }));
  });
  // Awaited later (maybe after other awaits): mark it handled now so a spawn error is not "unhandled".
  exited.catch(() => undefined);
  return { child, exited };
}

/** The exit code a shell uses for a command that could not start: 126 (not executable) or 127. */
export function spawnFailureExitCode(error: HushError): number {
  return error.causeCode === "EACCES" || error.causeCode === "EISDIR" || error.causeCode === "ENOEXEC" ? 126 : 127;
}

/**
 * Finds `command` as `execvp` would, on `pathVariable`. Returns its path or throws
 * SPAWN_FAILED with cause ENOENT (nothing found) or EACCES (found, but not executable).
 */
export function resolveCommand(command: string, pathVariable: string | undefined, cwd: string): string {
  if (command.length === 0) throw spawnFailed(command, "ENOENT");
  if (command.includes("/")) {
    const path = isAbsolute(command) ? command : resolve(cwd, command);
    const problem = executableProblem(path);
    if (problem) throw spawnFailed(command, problem);
    return path;
  }
  let denied = false;
  for (const dir of (pathVariable ?? "/usr/local/bin:/usr/bin:/bin").split(":")) {
    const path = resolve(cwd, join(dir || ".", command));
    const problem = executableProblem(path);
    if (!problem) return path;
    if (problem !== "ENOENT") denied = true;
  }
  throw spawnFailed(command, denied ? "EACCES" : "ENOENT");
}

// --- internal ---

let setprivCache: string | null | undefined;

/** `setpriv` when it exists and knows `--pdeathsig` (util-linux >= 2.33); read once per process. */
function setprivPath(): string | undefined {
  if (setprivCache === undefined) {
    setprivCache = null;
    if (process.platform === "linux") {
      for (const path of ["/usr/bin/setpriv", "/bin/setpriv"]) {
        try {
          // The option table is in the binary: finding the word is a check of the feature, not the version.
          if (readFileSync(path).includes("pdeathsig")) setprivCache = path;
          break;
        } catch (_e) {
          // Not installed here: try the next place, then run without a parent-death signal.
        }
      }
    }
  }
  return setprivCache ?? undefined;
}

function executableProblem(path: string): string | undefined {
  try {
    if (statSync(path).isDirectory()) return "EISDIR";
    accessSync(path, constants.X_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? "ENOENT" : (code ?? "EACCES");
  }
}

function spawnFailed(command: string, code: string, cause?: unknown): HushError {
  const shown = JSON.stringify(command.slice(0, 200));
  const why =
    code === "ENOENT" ? "command not found" : code === "EACCES" ? "permission denied (not executable)" : code === "EISDIR" ? "it is a folder" : code === "E2BIG" ? "the environment or arguments are too large" : `error ${code}`;
  return new HushError("SPAWN_FAILED", `Cannot run ${shown}: ${why}.`, { cause: cause ?? { code } });
}
