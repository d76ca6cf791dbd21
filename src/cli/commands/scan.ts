/**
 * `hush scan [paths...]`: looks for managed values and known secret formats in files, stdin
 * (`-`), the staged index (`--staged`) or git history (`--git-history [--since <rev>]`).
 * Findings go to stdout (human lines, `--json` or `--format sarif`), progress and the
 * summary to stderr; the exit code is 1 when anything is found, and SCAN_INCOMPLETE's (10)
 * when nothing was found but some input could not be scanned.
 */
import type { Command } from "commander";
import { HushError, listScanRules, scanProject, SEVERITIES, toSarif, type ScanProjectOptions, type Severity } from "../../index.js";
import { err, out, outJson, type CliContext } from "../context.js";
import { EXIT_FOUND } from "../exit-codes.js";
import type { Mapped } from "../flags.js";
import { globalOptions, projectFrom } from "../open-manager.js";
import { formatFinding, formatIssue, formatProgress, formatSummary } from "../scan-format.js";

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
  baseline?: string;
  baselineWrite?: string;
  failOn?: string;
  config?: string | false;
  onlyRules?: string[];
}

/** Above this many files a TTY gets a progress bar. */
const PROGRESS_MIN_FILES = 2000;

export function register(program: Command, ctx: CliContext): void {
  program
    .command("scan")
    .description("find leaked secrets: managed values (plain, base64, URL, hex) and known key formats")
    .argument("[paths...]", "files or folders to scan (default: the current folder); - reads stdin")
    .option("--staged", "scan the staged contents of the git index (what a commit would add)")
    .option("--git-history", "scan the lines added by every commit reachable from HEAD")
    .option("--since <rev>", "with --git-history: only commits after <rev>")
    .option("--json", "print the result as JSON")
    .option("--format <format>", "human | json | sarif", "human")
    .option("--no-managed", "do not look for managed values (pattern rules only)")
    .option("--no-gitignore", "also scan files that .gitignore excludes")
    // One value each, repeatable: a variadic option would swallow the paths after it.
    .option("--allow-rule <id>", "switch off a rule id; repeatable (adds to hush.yaml's scan.allow.rules)", collect)
    .option("--allow-path <pattern>", "a gitignore-style path not to scan; repeatable (as in .hushignore; adds to scan.allow.paths)", collect)
    .option("--allow-secret <name>", "a managed secret not to look for; repeatable (adds to scan.allow.secrets)", collect)
    .option("--baseline <file>", "report only findings that this baseline file does not accept")
    .option("--baseline-write <file>", "record the fingerprints of this scan's findings (e.g. .hush/scan-baseline.json)")
    .option("--config <file>", "a gitleaks config (.gitleaks.toml): its rules and allowlists (default: .gitleaks.toml at the repository's top, if any)")
    .option("--no-config", "do not use a gitleaks config, not even an auto-detected .gitleaks.toml")
    .option("--only-rules <ids>", "run only these rule ids (comma-separated; repeatable)", collectList)
    .option("--fail-on <severity>", "exit 1 only for findings of this severity or worse: high | medium | low (default: any finding)")
    .option("--list-rules", "print the pattern rules (id and what each finds) and exit")
    .addHelpText("after", SCAN_HELP)
    .action(async (paths: string[], flags: ScanFlags, cmd: Command) => {
      const format = flags.json || globalOptions(cmd).json ? "json" : flags.format ?? "human";
      if (flags.listRules) {
        const project = projectFrom(cmd, ctx);
        const rules = await listScanRules({ cwd: project.cwd, env: project.env, gitleaksConfig: flags.config, onWarning: project.onWarning });
        if (format === "json") outJson(ctx, rules);
        else for (const r of rules) out(ctx, `${r.id.padEnd(28)} ${r.severity.padEnd(7)} ${r.description}${r.from === "built-in" ? "" : `  (${r.from})`}`);
        return;
      }
      if (!["human", "json", "sarif"].includes(format)) throw new HushError("INVALID_ARGUMENT", `unknown --format '${format}'; use human, json or sarif`);
      const failOn = (flags.failOn ?? "low") as Severity;
      if (!SEVERITIES.includes(failOn)) throw new HushError("INVALID_ARGUMENT", `unknown --fail-on ${JSON.stringify(String(flags.failOn).slice(0, 16))}; use high, medium or low`);
      if (flags.since !== undefined && !flags.gitHistory) throw new HushError("INVALID_ARGUMENT", "--since needs --git-history");
      if (flags.staged && flags.gitHistory) throw new HushError("INVALID_ARGUMENT", "use --staged or --git-history, not both");
      let drewProgress = false;
      const onProgress: ScanProjectOptions["onProgress"] = (p) => {
        if (p.filesTotal < PROGRESS_MIN_FILES) return;
        drewProgress = true;
        ctx.stderr.write(`\r${formatProgress(p.filesDone, p.filesTotal)}`);
      };
      const options: Mapped<ScanProjectOptions> = {
        ...projectFrom(cmd, ctx),
        paths,
        staged: flags.staged,
        gitHistory: flags.gitHistory,
        since: flags.since,
        gitignore: flags.gitignore,
        allow: { paths: flags.allowPath, rules: flags.allowRule, secrets: flags.allowSecret, values: undefined },
        managed: flags.managed,
        onProgress: ctx.stderr.isTTY ? onProgress : undefined,
        stdin: paths.includes("-") ? ctx.stdin : undefined,
        maxFileBytes: undefined,
        patterns: undefined,
        readFile: undefined,
        gitleaksConfig: flags.config,
        onlyRules: flags.onlyRules,
        baseline: flags.baseline,
        baselineWrite: flags.baselineWrite,
        fingerprints: format === "sarif",
        fingerprintSalt: undefined,
      };
      const result = await scanProject(options);
      if (drewProgress) ctx.stderr.write("\r\x1b[K");
      const g = result.gitleaksConfig;
      if (g) err(ctx, `hush scan: using the gitleaks config ${g.path}${g.builtins ? " with the built-in rules" : "; its rules replace the built-in ones (no [extend] useDefault)"} (--no-config to ignore it)`);
      for (const issue of result.issues) err(ctx, formatIssue(issue));
      if (format === "json") outJson(ctx, { ...result, baselined: result.baselined ?? 0 });
      else if (format === "sarif") outJson(ctx, toSarif(result));
      else for (const f of result.findings) out(ctx, formatFinding(f));
      err(ctx, formatSummary(result));
      // SEVERITIES runs from the most severe: a finding fails the scan when it is at or before failOn.
      if (result.findings.some((f) => SEVERITIES.indexOf(f.severity ?? "high") <= SEVERITIES.indexOf(failOn))) ctx.exitCode = EXIT_FOUND;
      else if (result.issues.length > 0) throw incomplete(result.issues.length);
    });
}

/** Collects a repeatable option's comma-separated values. */
function collectList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(",").map((v) => v.trim()).filter(Boolean)];
}

/** Collects a repeatable option's values. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function incomplete(n: number): HushError {
  return new HushError("SCAN_INCOMPLETE", `hush scan: ${n} input${n === 1 ? " was" : "s were"} not scanned (listed above); the scan cannot say they are clean.`);
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
  --allow-path, --allow-rule, --allow-secret for one run (each takes one value and can be
  repeated; added to hush.yaml's lists)

--staged also reports a staged .env or .env.<environment> (hush's dotenv source reads them;
rule id plaintext-env-file), whatever it holds; .env.example and other templates are left alone.

Managed values: those of the current environment and of every other environment whose key is
in the secrets folder; a finding names its environment. A value that exists but cannot be read
(wrong key, damaged store, audit denial) stops the scan with that error; --no-managed scans for
key formats only, on purpose.

Baselines: --baseline-write .hush/scan-baseline.json records today's findings by fingerprint (rule,
file and a keyed hash of the matched text under a random salt kept in the file; no line number, so
a finding that moves stays accepted; never the secret). --baseline .hush/scan-baseline.json then
reports only new findings. The file is written 0600: with its salt, guesses of a short secret can
be tested against it, so treat it as sensitive metadata (review changes to it like code).

Severity: each rule is high (private keys, provider API keys, credentials, managed values),
medium (generic assignments, JWTs) or low (keys public by design); --list-rules shows it.
--fail-on high makes only high findings fail the scan (exit 1); the others are still printed.
SARIF results carry partialFingerprints (hushFingerprint/v1) when a baseline's salt is at hand:
--baseline, --baseline-write, or an existing .hush/scan-baseline.json.

gitleaks configs: .gitleaks.toml at the repository's top is used when present (stderr says so;
--no-config ignores it), or --config FILE. Without [extend] useDefault = true its rules replace the
built-in ones, as in gitleaks. A field hush does not support is an error, never skipped. Custom
rules can also live in hush.yaml (scan.rules). --list-rules shows every rule and where it comes
from; --only-rules a,b runs only those. Details: docs/scan.md.

Large files are scanned in overlapping windows; binary files (by their first bytes) are skipped
and counted. Anything else that could not be scanned (a missing path, an unreadable file) is
listed, and the exit code is not 0.

Exit codes: 0 nothing found, 1 findings, 2 usage error, 3 invalid hush.yaml, 5-9 managed values
unreadable (the error says which), 10 some input not scanned (others: src/cli/exit-codes.ts).

Examples:
  hush scan                                  the current folder
  git diff | hush scan -                     stdin
  hush scan --allow-path 'fixtures/**' src test
`;
