/**
 * The git pre-commit hook that runs `hush scan --staged` (`hush hook install | uninstall`).
 *
 * An existing shell hook keeps working: hush inserts a marked block right after its
 * `#!` line (before any `exit` in it), and updates that block in place on a second
 * install. A hook in another language is chained: it is renamed `pre-commit.pre-hush`
 * and called by hush's hook after the scan. `uninstall` undoes either.
 *
 * @example
 * const { message } = installHook({ cwd: repo });
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { HushError } from "../errors.js";

const BEGIN = "# >>> hush pre-commit: scan staged changes for secrets >>>";
const END = "# <<< hush pre-commit <<<";
const CHAINED = "pre-commit.pre-hush";
const SHELL = /^#!\s*(?:\/usr\/bin\/env\s+)?(?:\/[\w/]*\/)?(?:sh|bash|dash|zsh|ksh)\b/;

/** Options of {@link installHook}. */
export interface InstallHookOptions {
  /** A folder inside the git work tree. @default process.cwd() */
  cwd?: string;
  /** How the hook starts hush: a plain command line (no quotes, `$`, `;`, `|`, `&`, newlines). @default "hush" */
  command?: string;
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

/** Installs (or updates) the pre-commit hook; an existing hook keeps working. */
export function installHook(options: InstallHookOptions = {}): HookResult {
  const command = options.command ?? "hush";
  if (/[\n\r'`$\\;|&<>]/.test(command)) throw new HushError("INVALID_ARGUMENT", "--command must be a plain command line (no quotes, $, ;, |, & or newlines)");
  const dir = hooksDir(options.cwd ?? process.cwd());
  return { path: join(dir, "pre-commit"), message: writeHook(dir, command) };
}

/** Removes hush's block from the pre-commit hook (restoring a chained hook). */
export function uninstallHook(options: UninstallHookOptions = {}): HookResult {
  const dir = hooksDir(options.cwd ?? process.cwd());
  return { path: join(dir, "pre-commit"), message: removeHook(dir) };
}

// --- internal ---

/**
 * The hook's block. Exit 1 from the scan (findings) blocks the commit; another failure of
 * hush blocks it too, with its own message (a broken hush that also exits 1 is told apart by
 * `--version`); hush missing from PATH only warns, so a clone without hush installed can still commit.
 */
function block(command: string): string {
  const program = command.split(/\s+/)[0]!;
  return [
    BEGIN,
    `if command -v ${program} >/dev/null 2>&1; then`,
    `  ${command} scan --staged`,
    "  hush_rc=$?",
    // Exit 1 is "secrets found" only if hush itself works: a broken install (node exits 1 on a
    // missing module) must not be reported as findings.
    `  if [ "$hush_rc" -eq 1 ] && ! ${command} --version >/dev/null 2>&1; then hush_rc=70; fi`,
    '  if [ "$hush_rc" -eq 1 ]; then echo "hush: commit blocked: secrets in the staged changes (above). Remove them, or mark a false positive with a hush:allow comment." >&2; exit 1; fi',
    '  if [ "$hush_rc" -ne 0 ]; then echo "hush: the secrets scan failed (exit $hush_rc); commit blocked." >&2; exit "$hush_rc"; fi',
    "else",
    `  echo "hush: ${program} not found; staged changes were not scanned for secrets." >&2`,
    "fi",
    END,
    "",
  ].join("\n");
}

function writeHook(dir: string, command: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "pre-commit");
  const existing = existsSync(path) ? readFileSync(path, "utf8") : undefined;
  let text: string;
  let what: string;
  if (existing === undefined) {
    text = `#!/bin/sh\n${block(command)}`;
    what = "installed";
  } else if (existing.includes(BEGIN)) {
    text = replaceBlock(existing, block(command));
    what = "updated";
  } else if (SHELL.test(existing)) {
    const nl = existing.indexOf("\n");
    text = nl === -1 ? `${existing}\n${block(command)}` : `${existing.slice(0, nl + 1)}${block(command)}${existing.slice(nl + 1)}`;
    what = "added to the existing hook";
  } else {
    renameSync(path, join(dir, CHAINED));
    text = `#!/bin/sh\n${block(command)}exec "$(dirname "$0")/${CHAINED}" "$@"\n`;
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

function hooksDir(cwd: string): string {
  let out: string;
  try {
    out = execFileSync("git", ["rev-parse", "--git-path", "hooks"], { cwd, stdio: ["ignore", "pipe", "pipe"] }).toString("utf8").trim();
  } catch (e) {
    throw new HushError("INVALID_ARGUMENT", `${cwd} is not inside a git repository`, { cause: e });
  }
  return isAbsolute(out) ? out : join(cwd, out);
}
