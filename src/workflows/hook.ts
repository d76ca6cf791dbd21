/**
 * The git pre-commit hook that runs `hush scan --staged` (`hush hook install | uninstall`).
 *
 * The hook finds hush as a project-local install leaves it (`node_modules/.bin/hush` at the top
 * of the work tree, which is not on PATH during `git commit`), then the hush that installed it
 * (by absolute path), then `hush` on PATH; or runs exactly `--command`. It fails closed: when
 * hush cannot run, or the scan fails, the commit is blocked, and the message names
 * `git commit --no-verify` as the deliberate way past it. `install` runs the hook it wrote in a
 * check mode and undoes the install when that fails.
 *
 * An existing shell hook keeps working: hush inserts a marked block right after its `#!` line
 * (before any `exit` in it), and updates that block in place on a second install. A hook in
 * another language is chained: it is renamed `pre-commit.pre-hush` and called by hush's hook
 * after the scan. `uninstall` undoes either.
 *
 * @example
 * const { message } = installHook({ cwd: repo });
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { HushError } from "../errors.js";

const BEGIN = "# >>> hush pre-commit: scan staged changes for secrets >>>";
const END = "# <<< hush pre-commit <<<";
const CHAINED = "pre-commit.pre-hush";
const SHELL = /^#!\s*(?:\/usr\/bin\/env\s+)?(?:\/[\w/]*\/)?(?:sh|bash|dash|zsh|ksh)\b/;
const LOCAL_BIN = "./node_modules/.bin/hush";

/** Options of {@link installHook}. */
export interface InstallHookOptions {
  /** A folder inside the git work tree. @default process.cwd() */
  cwd?: string;
  /**
   * Exactly how the hook starts hush, as words separated by spaces (`node /opt/hush/cli.js`),
   * or the path of an existing file that has spaces in it. Each word is quoted in the hook.
   * @default the project's node_modules/.bin/hush, then `self`, then `hush` on PATH
   */
  command?: string;
  /** The hush that runs the install, as argv words (node and its cli.js, absolute): the hook's second choice. */
  self?: string[];
}

/** Options of {@link uninstallHook}. */
export interface UninstallHookOptions {
  /** A folder inside the git work tree. @default process.cwd() */
  cwd?: string;
}

/** What was done, in one line for a person, and the hook's path. */
export interface HookResult {
  path: string;
  message: string;
}

/**
 * Installs (or updates) the pre-commit hook; an existing hook keeps working. Throws
 * SPAWN_FAILED, with nothing changed, when the hook it wrote cannot run hush.
 */
export function installHook(options: InstallHookOptions = {}): HookResult {
  const cwd = options.cwd ?? process.cwd();
  const dir = hooksDir(cwd);
  const runner = runnerOf(options, cwd);
  const path = join(dir, "pre-commit");
  const before = snapshot(dir);
  const message = writeHook(dir, block(runner));
  const check = spawnSync("/bin/sh", [path], { cwd: workTreeTop(cwd), env: { ...process.env, HUSH_HOOK_CHECK: "1" }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
  if (check.status !== 0) {
    restore(dir, before);
    throw new HushError("SPAWN_FAILED", `The pre-commit hook could not run hush (it tried ${runner.tried}); nothing was installed.`, {
      hint: "Install hush in the project (npm install --save-dev hush-secrets) and run `npx hush hook install`, or give --command with the full path of hush.",
    });
  }
  return { path, message };
}

/** Removes hush's block from the pre-commit hook (restoring a chained hook). */
export function uninstallHook(options: UninstallHookOptions = {}): HookResult {
  const dir = hooksDir(options.cwd ?? process.cwd());
  return { path: join(dir, "pre-commit"), message: removeHook(dir) };
}

// --- internal ---

/** How the hook starts hush: a shell function body, and what it tries, for messages. */
interface Runner {
  body: string[];
  tried: string;
}

function runnerOf(options: InstallHookOptions, cwd: string): Runner {
  if (options.command !== undefined) {
    const words = commandWords(options.command, cwd);
    return { body: [`  ${words.map(shellQuote).join(" ")} "$@"`], tried: words.join(" ") };
  }
  const body = [`  if [ -x ${LOCAL_BIN} ]; then ${LOCAL_BIN} "$@"; return; fi`];
  const tried = [LOCAL_BIN];
  const self = options.self;
  if (self !== undefined && self.length > 0 && self.every((w) => isAbsolute(w) && !/[\0\n\r]/.test(w))) {
    body.push(`  if ${self.map((w) => `[ -f ${shellQuote(w)} ]`).join(" && ")}; then ${self.map(shellQuote).join(" ")} "$@"; return; fi`);
    tried.push(self.join(" "));
  }
  body.push('  if command -v hush >/dev/null 2>&1; then hush "$@"; return; fi', "  return 127");
  tried.push("hush on PATH");
  return { body, tried: tried.join(", ") };
}

/**
 * The words of `--command`: the whole string when it names an existing file (a path with
 * spaces), else the string split at spaces. A relative path is made absolute: git runs the
 * hook from the top of the work tree, not from here.
 */
function commandWords(command: string, cwd: string): string[] {
  if (/[\0\n\r]/.test(command) || command.trim() === "") throw new HushError("INVALID_ARGUMENT", "--command must be one line: the program and its arguments, separated by spaces");
  const whole = resolve(cwd, command);
  if (isFile(whole)) return [whole];
  const words = command.trim().split(/\s+/);
  if (words[0]!.includes("/")) words[0] = resolve(cwd, words[0]!);
  if (/[;&|<>`$]/.test(words[0]!) || (words[0]!.includes("/") && !isFile(words[0]!))) {
    throw new HushError("INVALID_ARGUMENT", `--command: ${JSON.stringify(words[0]!.slice(0, 200))} is not a program (a path with spaces must name an existing file; no shell syntax)`);
  }
  return words;
}

/** A word for a POSIX shell, in single quotes. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, "'\\''")}'`;
}

/**
 * The hook's block. It fails closed: if hush cannot run, the commit is blocked. Exit 1 from
 * the scan is findings; any other failure (an unreadable store, a file not scanned) blocks too,
 * with its own message. With HUSH_HOOK_CHECK set it only checks that hush runs (`install` uses it).
 */
function block(runner: Runner): string {
  const bypass = "to commit without the scan, on purpose: git commit --no-verify";
  return [
    BEGIN,
    "hush_run() {",
    ...runner.body,
    "}",
    "if ! hush_run --version >/dev/null 2>&1; then",
    `  echo "hush: the pre-commit hook cannot run hush (it tried ${runner.tried.replace(/["\\$`]/g, "\\$&")}); the staged changes were not scanned, so the commit is blocked." >&2`,
    `  echo "hush: install hush (npm install --save-dev hush-secrets) and run \\\`npx hush hook install\\\` again; ${bypass}" >&2`,
    "  exit 1",
    "fi",
    'if [ -n "${HUSH_HOOK_CHECK:-}" ]; then exit 0; fi',
    "hush_run scan --staged",
    "hush_rc=$?",
    'if [ "$hush_rc" -eq 1 ]; then echo "hush: commit blocked: secrets in the staged changes (above). Remove them, or mark a false positive with a hush:allow comment." >&2; exit 1; fi',
    `if [ "$hush_rc" -ne 0 ]; then echo "hush: the secrets scan failed (exit $hush_rc); commit blocked. Fix the cause above, or ${bypass}" >&2; exit "$hush_rc"; fi`,
    END,
    "",
  ].join("\n");
}

/** What the hooks folder held before an install, to undo it. */
interface Snapshot {
  hook?: string;
  chained?: string;
}

function snapshot(dir: string): Snapshot {
  const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), "utf8") : undefined);
  const hook = read("pre-commit");
  const chained = read(CHAINED);
  return { ...(hook === undefined ? {} : { hook }), ...(chained === undefined ? {} : { chained }) };
}

function restore(dir: string, before: Snapshot): void {
  for (const [name, text] of [["pre-commit", before.hook], [CHAINED, before.chained]] as const) {
    if (text === undefined) rmSync(join(dir, name), { force: true });
    else writeFileSync(join(dir, name), text, { mode: 0o755 });
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch (_e) {
    return false;
  }
}

function writeHook(dir: string, hushBlock: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "pre-commit");
  const existing = existsSync(path) ? readFileSync(path, "utf8") : undefined;
  let text: string;
  let what: string;
  if (existing === undefined) {
    text = `#!/bin/sh\n${hushBlock}`;
    what = "installed";
  } else if (existing.includes(BEGIN)) {
    text = replaceBlock(existing, hushBlock);
    what = "updated";
  } else if (SHELL.test(existing)) {
    const nl = existing.indexOf("\n");
    text = nl === -1 ? `${existing}\n${hushBlock}` : `${existing.slice(0, nl + 1)}${hushBlock}${existing.slice(nl + 1)}`;
    what = "added to the existing hook";
  } else {
    renameSync(path, join(dir, CHAINED));
    text = `#!/bin/sh\n${hushBlock}exec "$(dirname "$0")/${CHAINED}" "$@"\n`;
    what = `installed; the existing hook now runs after it as ${CHAINED}`;
  }
  writeFileSync(path, text, { mode: 0o755 });
  chmodSync(path, 0o755);
  return `hush: pre-commit hook ${what} (${path})`;
}

function removeHook(dir: string): string {
  const path = join(dir, "pre-commit");
  if (!existsSync(path)) return "hush: no pre-commit hook; nothing to remove";
  const text = readFileSync(path, "utf8");
  if (!text.includes(BEGIN)) return "hush: the pre-commit hook has no hush block; nothing to remove";
  const chained = join(dir, CHAINED);
  if (existsSync(chained) && text.includes(CHAINED)) {
    renameSync(chained, path);
    return "hush: pre-commit hook removed; the previous hook is restored";
  }
  const rest = replaceBlock(text, "");
  if (/^#!\/bin\/sh\n*$/.test(rest)) rmSync(path);
  else writeFileSync(path, rest, { mode: 0o755 });
  return "hush: hush's block removed from the pre-commit hook";
}

function replaceBlock(text: string, replacement: string): string {
  const start = text.indexOf(BEGIN);
  const endAt = text.indexOf(END, start);
  if (endAt === -1) throw new HushError("INVALID_ARGUMENT", "the pre-commit hook has a hush start marker without its end marker; fix the hook by hand");
  let end = endAt + END.length;
  if (text[end] === "\n") end++;
  return text.slice(0, start) + replacement + text.slice(end);
}

function workTreeTop(cwd: string): string {
  try {
    return execFileSync("git", ["rev-parse", "--show-toplevel"], { cwd, stdio: ["ignore", "pipe", "pipe"] }).toString("utf8").trim();
  } catch (_e) {
    return cwd; // a bare repository: hooks run where git is
  }
}

function hooksDir(cwd: string): string {
  let out: string;
  try {
    out = execFileSync("git", ["rev-parse", "--git-path", "hooks"], { cwd, stdio: ["ignore", "pipe", "pipe"] }).toString("utf8").trim();
  } catch (e) {
    throw new HushError("INVALID_ARGUMENT", `${cwd} is not inside a git repository`, { cause: e });
  }
  return isAbsolute(out) ? out : join(cwd, out);
}
