/**
 * Types of the leak scanner: options, findings and results. A finding never carries the
 * matched value, only a masked preview (for managed values: the secret's name alone).
 */

import type { PatternRule } from "./rules.js";
import type { PathRule } from "./path-rules.js";

/** How a managed value was written where it was found. */
export type ManagedEncoding = "plain" | "base64" | "base64url" | "url" | "hex";

/** How bad a finding is (see `severity.ts`). */
export type Severity = "high" | "medium" | "low";

/** One thing the scanner found. */
export interface ScanFinding {
  /** `managed`: a value hush resolves; `pattern`: a rule matched a known secret format. */
  kind: "managed" | "pattern";
  /** Path relative to the scan's cwd, with `/` separators. */
  path: string;
  /** 1-based line of the first character of the match. */
  line: number;
  /** 1-based column (UTF-16 code units) of the first character of the match. */
  column: number;
  /** Rule id, for `pattern` findings. */
  ruleId?: string;
  /** Secret name, for `managed` findings. */
  secretName?: string;
  /** The environment whose value it is, for `managed` findings from {@link ScanOptions.managedEnvironments}. */
  environment?: string;
  /** The form in which a managed value was found. */
  encoding?: ManagedEncoding;
  /** One line saying what was found. */
  description: string;
  /** Its rule's severity (`high` for managed values). */
  severity?: Severity;
  /**
   * Masked preview: for patterns the first 4 characters, "…" and the length; for managed
   * values no character of the value at all.
   */
  preview: string;
  /** Where the text came from. */
  origin: "file" | "staged" | "history";
  /** Commit that added the line, for `origin: "history"`. */
  commit?: string;
  /**
   * With {@link ScanOptions.fingerprintSalt}: a keyed hash of the rule (or managed secret), the
   * path and the matched text (no line number, never the text); see `baseline.ts`.
   */
  fingerprint?: string;
}

/** A file that could not be scanned; reported, and the CLI's exit is non-zero. */
export interface ScanIssue {
  path: string;
  /** The system error code (`EACCES`, `ENOENT`, ...) or a hush reason (`TOO_LARGE`, `NOT_A_FILE`, `NO_INPUT`). */
  code: string;
  /** One line; never file content. */
  message: string;
}

/** Counters of one scan. */
export interface ScanStats {
  files: number;
  bytes: number;
  skippedBinary: number;
  skippedIgnored: number;
  skippedSymlinks: number;
  durationMs: number;
}

/** What {@link ScanOptions.onProgress} receives. */
export interface ScanProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
}

/** Allow-lists passed in, typically from hush.yaml (`scan.allow`). */
export interface ScanAllowOptions {
  /** gitignore-style patterns of paths never scanned (in addition to `.hushignore`). */
  paths?: string[];
  /** Rule ids that are switched off. */
  rules?: string[];
  /** Managed secret names that are not looked for. */
  secrets?: string[];
  /** Exact strings that are never reported (e.g. a published test key). */
  values?: string[];
}

/** Managed values by secret name, in any of the shapes the scanner accepts. */
export type ManagedValues = Map<string, string> | Iterable<readonly [string, string]> | Record<string, string>;

/** Reads a file; injectable so tests can simulate EACCES and friends. */
export type ScanReadFile = (absolutePath: string) => Buffer | Promise<Buffer>;

/** Options of {@link scan}. */
export interface ScanOptions {
  /** Files or directories to scan, relative to `cwd`. @default [cwd] */
  paths?: string[];
  /** Directory paths are reported relative to; also where `.hushignore` is read. @default process.cwd() */
  cwd?: string;
  /** Scan the staged contents of the git index instead of the working tree. @default false */
  staged?: boolean;
  /** Scan the lines added by every commit (`git log -p`). @default false */
  gitHistory?: boolean;
  /** With `gitHistory`: only commits after this revision (`<since>..HEAD`). */
  since?: string;
  /** Values hush manages, by secret name; each is found in plain, base64, URL and hex forms. */
  managedValues?: ManagedValues;
  /**
   * The managed values of each environment, looked for after `managedValues`; a finding names
   * its environment. A value shared by two environments is reported under the first.
   */
  managedEnvironments?: { environment: string; values: ManagedValues }[];
  /** Scanned as the path `-` when `paths` holds `-` (the CLI passes stdin). */
  stdin?: AsyncIterable<Buffer | string>;
  /** Allow-lists (config). */
  allow?: ScanAllowOptions;
  /** Honour `.gitignore` files inside the scanned tree. @default true */
  gitignore?: boolean;
  /**
   * Files larger than this are reported as `TOO_LARGE` and skipped. Below it, a large file is
   * scanned in overlapping windows, so its size does not bound the scan. @default no limit
   */
  maxFileBytes?: number;
  /** Run the pattern rules. @default true */
  patterns?: boolean;
  /** The pattern rules to run (custom and gitleaks rules, with or without the built-ins). @default PATTERN_RULES */
  rules?: readonly PatternRule[];
  /** Rules that report a file by its path alone (gitleaks rules with `path` and no `regex`). */
  pathRules?: readonly PathRule[];
  /** Run only these rule ids (of `rules` and `pathRules`); the others are off; an unknown id selects nothing (`scanProject` refuses it). @default all */
  onlyRules?: readonly string[];
  /** Called now and then while files are scanned. */
  onProgress?: (progress: ScanProgress) => void;
  /** Replaces the file reader (tests). @default fs.readFileSync */
  readFile?: ScanReadFile;
  /** Give each finding a `fingerprint` keyed with this salt (a baseline's). @default none */
  fingerprintSalt?: Buffer;
}

/** What {@link scan} returns. */
export interface ScanResult {
  findings: ScanFinding[];
  issues: ScanIssue[];
  stats: ScanStats;
  /** With a baseline: how many findings it accepted (they are not in `findings`). */
  baselined?: number;
  /** The run's rules that are not built in (hush.yaml `scan.rules`, a gitleaks file), for SARIF and `--list-rules`. */
  configuredRules?: ConfiguredRuleInfo[];
  /** The gitleaks file the run used, when it used one, and whether hush's built-in rules ran beside it (`[extend] useDefault`). */
  gitleaksConfig?: { path: string; builtins: boolean };
}

/** A configured rule, as reports describe it. */
export interface ConfiguredRuleInfo {
  id: string;
  description: string;
  severity: Severity;
  /** Where it is defined: `hush.yaml` or the gitleaks file's path. */
  from: string;
}
