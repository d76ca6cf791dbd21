/**
 * The git inputs of the scanner: the staged contents of the index (`--staged`, what a
 * pre-commit hook must check) and the lines added by each commit (`--git-history`).
 * git is run with an argument vector, never through a shell.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { HushError } from "../errors.js";

/** A text taken from git, with the real line number of each of its lines when they differ. */
export interface GitText {
  /** Path relative to the repository top, `/`-separated. */
  repoPath: string;
  absolute: string;
  content: Buffer;
  /** History only: line i (0-based) of `content` is line `lineNumbers[i]` of the file. */
  lineNumbers?: number[];
  commit?: string;
}

const MAX_GIT_OUTPUT = 1024 * 1024 * 1024;

/** The top folder of the repository that holds `cwd`. */
export function gitTop(cwd: string): string {
  return git(cwd, ["rev-parse", "--show-toplevel"]).toString("utf8").trim();
}

/** The staged (index) contents of every file added, copied, modified or renamed in the index. */
export function stagedTexts(cwd: string): GitText[] {
  const top = gitTop(cwd);
  const names = git(top, ["diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR"]).toString("utf8").split("\0").filter(Boolean);
  // One `git cat-file --batch` for all blobs; a path with a newline cannot go through it.
  const simple = names.filter((n) => !/[\r\n]/.test(n));
  const blobs = readIndexBlobs(top, simple);
  return names.map((repoPath) => ({ repoPath, absolute: join(top, repoPath), content: blobs.get(repoPath) ?? git(top, ["show", `:${repoPath}`]) }));
}

/** The added lines of every commit reachable from HEAD (after `since`, when given), per commit and file. */
export function historyTexts(cwd: string, since?: string): GitText[] {
  const top = gitTop(cwd);
  if (since !== undefined && since.startsWith("-")) throw new HushError("INVALID_ARGUMENT", "--since takes a revision, not an option");
  const range = since === undefined ? "HEAD" : `${since}..HEAD`;
  const log = git(top, ["log", "-p", "--no-color", "--no-ext-diff", "--no-renames", "-U0", "--format=commit %H", range, "--"]).toString("utf8");
  return parseLog(log, top);
}

// --- internal ---

function parseLog(log: string, top: string): GitText[] {
  const out: GitText[] = [];
  let commit = "";
  let path: string | undefined;
  let inHeader = false;
  let next = 0;
  let lines: string[] = [];
  let numbers: number[] = [];
  const flush = () => {
    if (path !== undefined && lines.length > 0) {
      out.push({ repoPath: path, absolute: join(top, path), content: Buffer.from(lines.join("\n")), lineNumbers: numbers, commit });
    }
    lines = [];
    numbers = [];
  };
  for (const raw of log.split("\n")) {
    if (raw.startsWith("commit ") && raw.length === 47) {
      flush();
      commit = raw.slice(7);
      path = undefined;
    } else if (raw.startsWith("diff --git ")) {
      flush();
      inHeader = true;
      path = undefined;
    } else if (inHeader && raw.startsWith("+++ ")) {
      path = raw === "+++ /dev/null" ? undefined : unquote(raw.slice(4)).replace(/^b\//, "");
    } else if (raw.startsWith("@@ ")) {
      inHeader = false;
      const m = /^@@ -\d+(?:,\d+)? \+(\d+)/.exec(raw);
      next = m ? Number(m[1]) : 0;
    } else if (!inHeader && raw.startsWith("+")) {
      lines.push(raw.slice(1));
      numbers.push(next++);
    }
  }
  flush();
  return out;
}

/** git quotes paths with unusual characters in C style; undo the common escapes. */
function unquote(p: string): string {
  if (!p.startsWith('"')) return p;
  const bytes = p.slice(1, -1).replace(/\\([0-7]{3}|.)/g, (_m, e: string) => (e.length === 3 ? String.fromCharCode(parseInt(e, 8)) : e === "t" ? "\t" : e === "n" ? "\n" : e));
  return Buffer.from(bytes, "latin1").toString("utf8");
}

/** The staged blob of each path, through one `git cat-file --batch` (`:path` names the index entry). */
function readIndexBlobs(top: string, paths: string[]): Map<string, Buffer> {
  const blobs = new Map<string, Buffer>();
  if (paths.length === 0) return blobs;
  const out = git(top, ["cat-file", "--batch"], paths.map((p) => `:${p}\n`).join(""));
  let at = 0;
  for (const path of paths) {
    const nl = out.indexOf(10, at);
    if (nl === -1) break;
    const header = out.toString("utf8", at, nl);
    const m = /^[0-9a-f]+ blob (\d+)$/.exec(header);
    if (!m) {
      at = nl + 1; // "<name> missing": left to `git show`, which reports it
      continue;
    }
    const size = Number(m[1]);
    blobs.set(path, out.subarray(nl + 1, nl + 1 + size));
    at = nl + 1 + size + 1;
  }
  return blobs;
}

function git(cwd: string, args: string[], input?: string): Buffer {
  try {
    return execFileSync("git", args, { cwd, maxBuffer: MAX_GIT_OUTPUT, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"], input });
  } catch (e) {
    throw new HushError("INVALID_ARGUMENT", `git ${args[0]} failed in ${cwd}; --staged and --git-history need a git repository (with commits, for history)`, { cause: e });
  }
}
