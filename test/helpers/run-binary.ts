/**
 * Spawns the real built CLI for the `hush run` tests. `buildCli()` copies dist/ (built once by
 * test/global-setup.ts) to a private temp folder. It never rebuilds dist/ itself: other test
 * files run dist/cli.js in place at the same time, and a rebuild would pull it from under them.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const RUN_CHILD = fileURLToPath(new URL("./run-child.mjs", import.meta.url));
export const NODE = process.execPath;

/** Returns the path of a private copy of the built cli.js, plus a cleanup. */
export function buildCli(): { cli: string; cleanup: () => void } {
  if (!existsSync(join(REPO, "dist/cli.js"))) execFileSync(NODE, ["scripts/build.mjs"], { cwd: REPO, stdio: "pipe" });
  const dir = mkdtempSync(join(tmpdir(), "hush-cli-"));
  cpSync(join(REPO, "dist"), join(dir, "dist"), { recursive: true });
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  return { cli: join(dir, "dist/cli.js"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The environment the CLI runs with: PATH and HOME only, unless more is given. */
export function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, ...extra };
}

/** `hush set NAME` with the value on stdin. */
export function hushSet(cli: string, cwd: string, name: string, value: string): void {
  execFileSync(NODE, [cli, "set", name], { cwd, input: value, env: baseEnv(), stdio: ["pipe", "pipe", "pipe"] });
}

export interface HushRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  stderrSoFar: () => string;
}

/** Starts `node cli ...args` in `cwd`. */
export function startHush(cli: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }): HushRun {
  const child = spawn(NODE, [cli, ...args], { cwd: options.cwd, env: options.env ?? baseEnv(), stdio: ["pipe", "pipe", "pipe"] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on("data", (c: Buffer) => out.push(c));
  child.stderr!.on("data", (c: Buffer) => err.push(c));
  if (options.input !== undefined) child.stdin!.end(options.input);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
  return { child, done, stderrSoFar: () => Buffer.concat(err).toString("utf8") };
}

/** Runs `node cli ...args` to the end. */
export function runHushBinary(cli: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }) {
  return startHush(cli, args, { ...options, input: options.input ?? "" }).done;
}

/** Waits until `check()` returns a value other than undefined (polls every 25 ms; fails after `ms`). */
export async function waitFor<T>(check: () => T | undefined, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The text of `path`, or undefined while it does not exist. */
export function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (_e) {
    return undefined; // not written yet
  }
}

/** True while process `pid` exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The state letter of `pid` from /proc (R, S, Z, ...), or undefined when it is gone. */
export function processState(pid: number): string | undefined {
  const stat = readIfThere(`/proc/${pid}/stat`);
  return stat === undefined ? undefined : stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
}
