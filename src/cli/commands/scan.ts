/**
 * `hush scan [paths...]`: looks for managed values and known secret formats in files,
 * the staged index (`--staged`) or git history (`--git-history [--since <rev>]`).
 * Findings go to stdout (human lines, `--json` or `--format sarif`), progress and the
 * summary to stderr; the exit code is 1 when anything is found.
 */
import type { Command } from "commander";
import { err, out, outJson, type CliContext } from "../context.js";
import { EXIT_FOUND } from "../exit-codes.js";
import { globalOptions, loadCliConfig, openManagerWithConfig } from "../open-manager.js";
import { HushError } from "../../errors.js";
import { canonicalName } from "../../names.js";
import type { LoadedConfig } from "../../config/types.js";
import { tokenShaped } from "../../config/validate-text.js";
import { scan, formatFinding, formatIssue, formatProgress, formatSummary, toSarif, PATTERN_RULES, type ScanAllowOptions, type ScanOptions } from "../../scan/index.js";

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
  listRules?: boolean;
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
    .option("--allow-rule <id...>", "switch off these rule ids (adds to hush.yaml's scan.allow.rules)")
    .option("--allow-path <pattern...>", "gitignore-style paths not to scan (as in .hushignore; adds to scan.allow.paths)")
    .option("--allow-secret <name...>", "managed secrets not to look for (adds to scan.allow.secrets)")
    .option("--list-rules", "print the pattern rules (id and what each finds) and exit")
    .addHelpText("after", SCAN_HELP)
    .action(async (paths: string[], flags: ScanFlags, cmd: Command) => {
      const format = flags.json || globalOptions(cmd).json ? "json" : flags.format ?? "human";
      if (flags.listRules) {
        const rules = PATTERN_RULES.map((r) => ({ id: r.id, description: r.description }));
        if (format === "json") outJson(ctx, rules);
        else for (const r of rules) out(ctx, `${r.id.padEnd(28)} ${r.description}`);
        return;
      }
      if (!["human", "json", "sarif"].includes(format)) throw new HushError("INVALID_ARGUMENT", `unknown --format '${format}'; use human, json or sarif`);
      if (flags.since !== undefined && !flags.gitHistory) throw new HushError("INVALID_ARGUMENT", "--since needs --git-history");
      if (flags.staged && flags.gitHistory) throw new HushError("INVALID_ARGUMENT", "use --staged or --git-history, not both");
      const g = globalOptions(cmd);
      const loaded = await loadCliConfig(cmd, ctx);
      const allow = mergeAllow(loaded, flags);
      const options: ScanOptions = {
        paths,
        cwd: g.cwd,
        staged: flags.staged,
        gitHistory: flags.gitHistory,
        since: flags.since,
        gitignore: flags.gitignore,
        allow,
        managedValues: flags.managed === false ? undefined : await managedValues(cmd, ctx, loaded),
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

const SCAN_HELP = `
Allow-lists, from narrowest to widest:
  a comment on the line (hush:allow, or hush:allow-next-line on the line before)
  .hushignore in the folder the scan runs from (gitignore syntax)
  hush.yaml, shared by the team:
    scan:
      allow:
        paths: [test/fixtures/**]      # gitignore-style, as .hushignore
        rules: [jwt]                   # rule ids: hush scan --list-rules
        secrets: [demo_token]          # managed secrets not to look for
  --allow-path, --allow-rule, --allow-secret for one run (added to hush.yaml's lists)

Exit codes: 0 nothing found, 1 findings, 2 usage error, 3 invalid hush.yaml (others: src/cli/exit-codes.ts).
`;

// --- internal ---

/** hush.yaml's scan.allow plus the flags; an unknown rule id is an error, not a silent no-op. */
function mergeAllow(loaded: LoadedConfig, flags: ScanFlags): ScanAllowOptions {
  const fromConfig = loaded.config.scan?.allow ?? {};
  const known = new Set(PATTERN_RULES.map((r) => r.id));
  const unknownRule = (ids: string[] | undefined) => ids?.find((id) => !known.has(id));
  const badConfigRule = unknownRule(fromConfig.rules);
  if (badConfigRule !== undefined) {
    // hush.yaml is committed: an entry shaped like a key (a value pasted there) is not echoed.
    const shown = tokenShaped(badConfigRule) ? `given (${badConfigRule.length} characters)` : `"${badConfigRule}"`;
    throw new HushError("CONFIG_INVALID", `${loaded.path ?? "hush.yaml"}: scan.allow.rules: no rule has the id ${shown}.`, { hint: "`hush scan --list-rules` prints every rule id." });
  }
  const badFlagRule = unknownRule(flags.allowRule);
  if (badFlagRule !== undefined) throw new HushError("INVALID_ARGUMENT", `--allow-rule: no rule has the id ${JSON.stringify(badFlagRule.slice(0, 64))}.`, { hint: "`hush scan --list-rules` prints every rule id." });
  return {
    paths: [...(fromConfig.paths ?? []), ...(flags.allowPath ?? [])],
    rules: [...(fromConfig.rules ?? []), ...(flags.allowRule ?? [])],
    // Managed values are keyed by canonical name: DB_PASSWORD and db_password are one secret.
    secrets: [...(fromConfig.secrets ?? []), ...(flags.allowSecret ?? [])].map((n) => canonicalName(n)),
  };
}

/**
 * Every value hush can resolve, by name. A project without a store (no key yet) has no
 * managed values: the scan then runs the pattern rules alone, and says so.
 */
async function managedValues(cmd: Command, ctx: CliContext, loaded: LoadedConfig): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  try {
    const { manager: m } = await openManagerWithConfig(cmd, ctx, loaded);
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
