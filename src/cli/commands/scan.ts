/**
 * `hush scan [paths...]`: looks for managed values and known secret formats in files,
 * the staged index (`--staged`) or git history (`--git-history [--since <rev>]`).
 * Findings go to stdout (human lines, `--json` or `--format sarif`), progress and the
 * summary to stderr; the exit code is 1 when anything is found.
 */
import type { Command } from "commander";
import { err, out, outJson, type CliContext } from "../context.js";
import { EXIT_FOUND } from "../exit-codes.js";
import { globalOptions, openManager } from "../open-manager.js";
import { HushError } from "../../errors.js";
import { scan, formatFinding, formatIssue, formatProgress, formatSummary, toSarif, type ScanOptions } from "../../scan/index.js";

interface ScanFlags {
  staged?: boolean;
  gitHistory?: boolean;
  since?: string;
  json?: boolean;
  format?: string;
  managed?: boolean;
  gitignore?: boolean;
  allowRule?: string[];
  allowPath?: string[];
  allowSecret?: string[];
}

/** Above this many files a TTY gets a progress bar. */
const PROGRESS_MIN_FILES = 2000;

export function register(program: Command, ctx: CliContext): void {
  program
    .command("scan")
    .description("find leaked secrets: managed values (plain, base64, URL, hex) and known key formats")
    .argument("[paths...]", "files or folders to scan (default: the current folder)")
    .option("--staged", "scan the staged contents of the git index (what a commit would add)")
    .option("--git-history", "scan the lines added by every commit reachable from HEAD")
    .option("--since <rev>", "with --git-history: only commits after <rev>")
    .option("--json", "print the result as JSON")
    .option("--format <format>", "human | json | sarif", "human")
    .option("--no-managed", "do not look for managed values (pattern rules only)")
    .option("--no-gitignore", "also scan files that .gitignore excludes")
    .option("--allow-rule <id...>", "switch off these rule ids")
    .option("--allow-path <pattern...>", "gitignore-style paths not to scan (as in .hushignore)")
    .option("--allow-secret <name...>", "managed secrets not to look for")
    .action(async (paths: string[], flags: ScanFlags, cmd: Command) => {
      const format = flags.json || globalOptions(cmd).json ? "json" : flags.format ?? "human";
      if (!["human", "json", "sarif"].includes(format)) throw new HushError("INVALID_ARGUMENT", `unknown --format '${format}'; use human, json or sarif`);
      if (flags.since !== undefined && !flags.gitHistory) throw new HushError("INVALID_ARGUMENT", "--since needs --git-history");
      if (flags.staged && flags.gitHistory) throw new HushError("INVALID_ARGUMENT", "use --staged or --git-history, not both");
      const g = globalOptions(cmd);
      const options: ScanOptions = {
        paths,
        cwd: g.cwd,
        staged: flags.staged,
        gitHistory: flags.gitHistory,
        since: flags.since,
        gitignore: flags.gitignore,
        allow: { rules: flags.allowRule, paths: flags.allowPath, secrets: flags.allowSecret },
        managedValues: flags.managed === false ? undefined : await managedValues(cmd, ctx),
      };
      let drewProgress = false;
      if (ctx.stderr.isTTY) {
        options.onProgress = (p) => {
          if (p.filesTotal < PROGRESS_MIN_FILES) return;
          drewProgress = true;
          ctx.stderr.write(`\r${formatProgress(p.filesDone, p.filesTotal)}`);
        };
      }
      const result = await scan(options);
      if (drewProgress) ctx.stderr.write("\r\x1b[K");
      for (const issue of result.issues) err(ctx, formatIssue(issue));
      if (format === "json") outJson(ctx, result);
      else if (format === "sarif") outJson(ctx, toSarif(result));
      else for (const f of result.findings) out(ctx, formatFinding(f));
      err(ctx, formatSummary(result));
      if (result.findings.length > 0) ctx.exitCode = EXIT_FOUND;
    });
}

// --- internal ---

/**
 * Every value hush can resolve, by name. A project without a store (no key yet) has no
 * managed values: the scan then runs the pattern rules alone, and says so.
 */
async function managedValues(cmd: Command, ctx: CliContext): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  try {
    const m = await openManager(cmd, ctx);
    try {
      const { secrets, issues } = await m.resolve();
      for (const [name, record] of Object.entries(secrets)) values.set(name, record.value);
      if (issues.length > 0) err(ctx, `hush: warning: ${issues.length} secret(s) could not be resolved; their values are not looked for`);
    } finally {
      await m.dispose();
    }
  } catch (e) {
    if (!(e instanceof HushError)) throw e;
    err(ctx, `hush: warning: managed values not checked (${e.code}); pattern rules only`);
  }
  return values;
}
