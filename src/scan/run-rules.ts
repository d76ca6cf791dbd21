/**
 * The rules of one `hush scan`: hush.yaml's `scan.rules`, then a gitleaks file's rules (`--config`,
 * or `.gitleaks.toml` found at the repository's top), then hush's built-in rules, unless the
 * gitleaks file replaces them (no `[extend] useDefault`, as in gitleaks). The gitleaks code and
 * its TOML parser are loaded only when there is such a file.
 */
import { resolve } from "node:path";
import { loadConfig } from "../config/load.js";
import type { CustomRuleConfig, LoadedConfig } from "../config/types.js";
import { HushError } from "../errors.js";
import type { PathRule } from "./path-rules.js";
import { PATTERN_RULES, type PatternRule } from "./rules.js";
import type { RuleAllowlist } from "./rule-scope.js";
import { ruleSeverity } from "./severity.js";
import { showId } from "./gitleaks/schema.js";
import { hasNestedRepetition, nestedRepetitionWarning } from "./regex-risk.js";
import type { ConfiguredRuleInfo, Severity } from "./types.js";

/** Options of {@link rulesOfRun}. */
export interface RunRulesOptions {
  cwd: string;
  /** A gitleaks file (relative to `cwd`); false: none, not even an auto-detected one. @default auto-detect */
  gitleaksConfig?: string | false;
  onWarning?: (message: string) => void;
}

/** The rules of a run. */
export interface RunRules {
  rules: PatternRule[];
  pathRules: PathRule[];
  /** The rules not built in, for reports. */
  configured: ConfiguredRuleInfo[];
  /** The gitleaks file used (absolute), if any. */
  gitleaksConfig?: string;
  /** Whether hush's built-in rules run. */
  builtins: boolean;
}

/** Puts the run's rules together; a gitleaks file that cannot be used is an error, never skipped. */
export async function rulesOfRun(loaded: LoadedConfig, options: RunRulesOptions): Promise<RunRules> {
  const from = loaded.path ?? "hush.yaml";
  const own = (loaded.config.scan?.rules ?? []).map(customRule);
  const warn = options.onWarning ?? (() => undefined);
  for (const r of own) if (hasNestedRepetition(r.pattern)) warn(nestedRepetitionWarning(showId(r.id), from));
  const configured: ConfiguredRuleInfo[] = own.map((r) => ({ id: r.id, description: r.description, severity: ruleSeverity(r), from }));
  if (options.gitleaksConfig === false) return { rules: [...own, ...PATTERN_RULES], pathRules: [], configured, builtins: true };
  const gitleaks = await import("./gitleaks/load.js");
  const file = options.gitleaksConfig ?? gitleaks.findGitleaksConfig(options.cwd);
  if (file === undefined) return { rules: [...own, ...PATTERN_RULES], pathRules: [], configured, builtins: true };
  const g = await gitleaks.loadGitleaksConfig(file, options.cwd, warn);
  for (const r of g.rules) if (r.scope?.gitleaks && hasNestedRepetition(r.pattern)) warn(nestedRepetitionWarning(showId(r.id), g.path));
  const builtinIds = new Set(PATTERN_RULES.map((r) => r.id));
  const clash = own.find((r) => g.rules.some((x) => x.id === r.id && !builtinIds.has(x.id)) || g.pathRules.some((x) => x.id === r.id));
  if (clash) throw new HushError("CONFIG_INVALID", `${from}: scan.rules: the id ${showId(clash.id)} is also a rule of the gitleaks config ${g.path}; give each rule its own id.`);
  for (const r of [...g.rules.filter((x) => !builtinIds.has(x.id)), ...g.pathRules]) configured.push({ id: r.id, description: r.description, severity: r.severity ?? ruleSeverity(r), from: g.path });
  return { rules: [...withAllowlists(own, g.globalAllowlists), ...g.rules], pathRules: g.pathRules, configured, gitleaksConfig: g.path, builtins: g.builtins };
}

// --- internal ---

function customRule(c: CustomRuleConfig): PatternRule {
  return { ...c, keywords: [...c.keywords] };
}

/** hush.yaml's rules under a gitleaks file's global allowlists, as every rule of the run. */
function withAllowlists(rules: PatternRule[], allowlists: RuleAllowlist[]): PatternRule[] {
  return allowlists.length === 0 ? rules : rules.map((r) => ({ ...r, scope: { allowlists } }));
}

/** One rule as `hush scan --list-rules` shows it. */
export interface ScanRuleListing {
  id: string;
  severity: Severity;
  description: string;
  /** `built-in`, `hush.yaml` (its path) or the gitleaks file's path. */
  from: string;
}

/** Options of {@link listScanRules}. */
export interface ListScanRulesOptions {
  cwd?: string;
  /** As {@link RunRulesOptions.gitleaksConfig}. */
  gitleaksConfig?: string | false;
  env?: NodeJS.ProcessEnv;
  onWarning?: (message: string) => void;
}

/**
 * The rules a `hush scan` in `cwd` runs: hush.yaml's, the gitleaks file's, the built-in ones (when
 * they run), each with its severity and where it is defined.
 *
 * @example
 * for (const r of await listScanRules({ cwd: repo })) console.log(r.id, r.severity, r.from);
 */
export async function listScanRules(options: ListScanRulesOptions = {}): Promise<ScanRuleListing[]> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const loaded = await loadConfig({ cwd, ...(options.env ? { env: options.env } : {}) });
  const run = await rulesOfRun(loaded, { cwd, ...(options.gitleaksConfig === undefined ? {} : { gitleaksConfig: options.gitleaksConfig }), ...(options.onWarning ? { onWarning: options.onWarning } : {}) });
  const configured = new Map(run.configured.map((r) => [r.id, r]));
  return [...run.rules, ...run.pathRules].map((r) => configured.get(r.id) ?? { id: r.id, severity: r.severity ?? ruleSeverity(r as PatternRule), description: r.description, from: "built-in" });
}
