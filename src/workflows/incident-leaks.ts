/**
 * Step 3 of `hush incident`: where a compromised value leaked. The working tree and every commit
 * of the git history are scanned for that one value, in every form the scanner knows (plain,
 * base64 and base64url at each alignment, URL-encoded, hex; see scan/managed-forms.ts). Findings
 * carry a path, a line and a commit, never the value.
 */
import { execFileSync } from "node:child_process";
import { scan } from "../scan/scan.js";
import type { ManagedEncoding, ScanIssue } from "../scan/types.js";

/** One place where the value was found. */
export interface IncidentLeak {
  /** `file`: the working tree as it is now; `history`: a line added by `commit`. */
  origin: "file" | "history";
  /** Path relative to the project folder (`/`-separated). */
  path: string;
  line: number;
  column: number;
  /** The form it was written in. */
  encoding: ManagedEncoding;
  /** The full commit id, for `history`. */
  commit?: string;
}

/** What the leak search did and found. */
export interface IncidentLeakReport {
  leaks: IncidentLeak[];
  /** Files that could not be scanned: the search is then incomplete, and the record says so. */
  issues: ScanIssue[];
  /** False when the project is not in a git repository (history not searched). */
  gitHistorySearched: boolean;
  filesScanned: number;
}

/** Options of {@link findLeaks}. */
export interface FindLeaksOptions {
  /** The project folder: scanned, and where git is asked for history. */
  cwd: string;
  /** The secret's canonical name (findings are keyed by it). */
  name: string;
  /** The compromised value; used to look for it only. */
  value: string;
  /** Search the git history too. @default true */
  gitHistory?: boolean;
}

/**
 * Scans the working tree, then the history, for `value` alone (no pattern rules: every finding is
 * the compromised value itself). `.gitignore`d files are skipped in the tree, as `hush scan` does.
 */
export async function findLeaks(options: FindLeaksOptions): Promise<IncidentLeakReport> {
  const managedValues = new Map([[options.name, options.value]]);
  const base = { cwd: options.cwd, managedValues, patterns: false } as const;
  const tree = await scan(base);
  const inGit = options.gitHistory !== false && isGitRepository(options.cwd);
  const history = inGit ? await scan({ ...base, gitHistory: true }) : undefined;
  const leaks: IncidentLeak[] = [];
  for (const f of [...tree.findings, ...(history?.findings ?? [])]) {
    if (f.kind !== "managed") continue;
    const origin = f.origin === "history" ? "history" : "file";
    leaks.push({ origin, path: f.path, line: f.line, column: f.column, encoding: f.encoding ?? "plain", ...(f.commit ? { commit: f.commit } : {}) });
  }
  return { leaks, issues: [...tree.issues, ...(history?.issues ?? [])], gitHistorySearched: inGit, filesScanned: tree.stats.files + (history?.stats.files ?? 0) };
}

// --- internal ---

/** True when `cwd` is inside a git work tree that has at least one commit. */
function isGitRepository(cwd: string): boolean {
  try {
    execFileSync("git", ["rev-parse", "--verify", "--quiet", "HEAD"], { cwd, stdio: "ignore" });
    return true;
  } catch (_e) {
    return false;
  }
}
