/**
 * `hush scan` as a library call: the project's hush.yaml `scan.allow` lists plus the caller's,
 * and every value the chain resolves, in the current environment and in every other one whose
 * key is in the secrets folder, as managed values; then {@link scan}. A project without a store
 * (no key yet) has no managed values, and the pattern rules run alone. Values that exist but
 * cannot be read (wrong key, damaged or lax store, audit denial) stop the scan with their error:
 * a scan that could not look for them must not report the files clean.
 *
 * @example
 * const { findings } = await scanProject({ cwd: repo, staged: true });
 */
import { existsSync, readdirSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { ERROR_CODES, HushError, type HushErrorCode } from "../errors.js";
import { canonicalName } from "../names.js";
import { DEFAULT_ENVIRONMENT } from "../environment.js";
import { loadConfig } from "../config/load.js";
import { resolveSecretsDir } from "../config/open.js";
import { resolveKeyProvider } from "../keys/environment-key.js";
import type { LoadedConfig } from "../config/types.js";
import { tokenShaped } from "../config/validate-text.js";
import { withProject, type ProjectOptions } from "../workflows/project.js";
import { ENV_FILE_RULE } from "./env-files.js";
import { applyBaseline, baselineSalt, newFingerprintSalt, readBaseline, writeBaseline } from "./baseline.js";
import { rulesOfRun } from "./run-rules.js";
import { scan } from "./scan.js";
import type { ScanAllowOptions, ScanOptions, ScanResult } from "./types.js";

/** Options of {@link scanProject}: those of {@link scan} but the managed values, plus the project. */
export interface ScanProjectOptions extends ProjectOptions, Omit<ScanOptions, "managedValues" | "managedEnvironments" | "allow" | "rules" | "pathRules"> {
  /**
   * A gitleaks configuration file (relative to `cwd`) whose rules and allowlists the scan uses;
   * false: none, not even `.gitleaks.toml` at the repository's top, which is used otherwise.
   */
  gitleaksConfig?: string | false;
  /** Allow-lists added to hush.yaml's `scan.allow`; an unknown rule id is an error. */
  allow?: ScanAllowOptions;
  /** Look for the values the chain resolves, in every environment whose key is available. @default true */
  managed?: boolean;
  /** A baseline file (relative to `cwd`): the findings it accepts are left out and counted in `baselined`. */
  baseline?: string;
  /**
   * Write the fingerprints of every finding of this scan (before `baseline` filters them) to this
   * file (relative to `cwd`), 0600; it keeps the salt of `baseline`, else of the file it replaces.
   */
  baselineWrite?: string;
  /**
   * Without `baseline`/`baselineWrite`: give findings fingerprints keyed with the salt of
   * `.hush/scan-baseline.json` when the project has one (for SARIF); no file is made. @default false
   */
  fingerprints?: boolean;
}

/** The project's baseline file, whose salt keys fingerprints when none is named. */
export const DEFAULT_BASELINE = ".hush/scan-baseline.json";

/** Scans as `hush scan` does: config allow-lists, managed values, then the files. */
export async function scanProject(options: ScanProjectOptions = {}): Promise<ScanResult> {
  const { baseline, baselineWrite } = options;
  const base = resolve(options.cwd ?? process.cwd());
  if (baseline === undefined && baselineWrite === undefined) {
    const salt = options.fingerprints ? saltOfExisting(resolve(base, DEFAULT_BASELINE)) : undefined;
    return scanWithConfig(salt ? { ...options, fingerprintSalt: salt } : options);
  }
  const accepted = baseline === undefined ? undefined : readBaseline(resolve(base, baseline));
  const salt = accepted ? baselineSalt(accepted) : saltOfExisting(resolve(base, baselineWrite!)) ?? newFingerprintSalt();
  // The baseline files are hush's own output (a salt and fingerprints): never scanned.
  const own = [baseline, baselineWrite].flatMap((p) => (p === undefined ? [] : ownPathPattern(base, resolve(base, p))));
  const allow = own.length === 0 ? options.allow : { ...options.allow, paths: [...(options.allow?.paths ?? []), ...own] };
  const result = await scanWithConfig({ ...options, allow, fingerprintSalt: salt });
  if (baselineWrite !== undefined) await writeBaseline(resolve(base, baselineWrite), salt, result.findings);
  if (!accepted) return { ...result, baselined: 0 };
  const { findings, baselined } = applyBaseline(result.findings, accepted);
  return { ...result, findings, baselined };
}

// --- internal ---

/** An anchored gitignore-style pattern for `path` when it lies under `base`. */
function ownPathPattern(base: string, path: string): string[] {
  const rel = relative(base, path);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return [];
  return ["/" + rel.split(sep).join("/").replace(/[\\*?[\]!#]/g, (c) => "\\" + c)];
}

/** The salt of the baseline at `path` when one is there and valid; undefined when there is no file. */
function saltOfExisting(path: string): Buffer | undefined {
  if (!existsSync(path)) return undefined;
  return baselineSalt(readBaseline(path));
}

async function scanWithConfig(options: ScanProjectOptions): Promise<ScanResult> {
  const { allow: given0, managed, environment, secretsDir, env, onWarning, loaded: given, baseline: _b, baselineWrite: _w, fingerprints: _f, gitleaksConfig, ...rest } = options;
  const loaded = given ?? (await loadConfig({ cwd: options.cwd, environment, env }));
  const cwd = resolve(options.cwd ?? process.cwd());
  const run = await rulesOfRun(loaded, { cwd, ...(gitleaksConfig === undefined ? {} : { gitleaksConfig }), ...(onWarning ? { onWarning } : {}) });
  const known = new Set([...run.rules.map((r) => r.id), ...run.pathRules.map((r) => r.id), ENV_FILE_RULE]);
  checkOnlyRules(rest.onlyRules, known);
  // The gitleaks file itself is never scanned (its regexes would match themselves), as in gitleaks.
  const extra = run.gitleaksConfig ? { ...given0, paths: [...(given0?.paths ?? []), ...ownPathPattern(cwd, run.gitleaksConfig)] } : given0;
  const allow = mergeAllow(loaded, known, extra);
  const project = { cwd: options.cwd, environment, secretsDir, env, onWarning, loaded };
  const scanOptions = { ...rest, rules: run.rules, pathRules: run.pathRules };
  const described = (r: ScanResult): ScanResult => ({ ...r, ...(run.configured.length > 0 ? { configuredRules: run.configured } : {}), ...(run.gitleaksConfig ? { gitleaksConfig: { path: run.gitleaksConfig, builtins: run.builtins } } : {}) });
  if (managed === false) return described(await scan({ ...scanOptions, allow }));
  const managedValues = await managedValuesOf(project, loaded.environment);
  const managedEnvironments = [];
  for (const other of await otherEnvironments(loaded, options)) {
    const more = await loadConfig({ cwd: options.cwd, environment: other, env });
    managedEnvironments.push({ environment: other, values: await managedValuesOf({ ...project, environment: other, loaded: more }, other) });
  }
  return described(await scan({ ...scanOptions, allow, managedEnvironments: [{ environment: loaded.environment, values: managedValues }, ...managedEnvironments] }));
}

/** Every id of `--only-rules` must be a rule of the run: a typo must not make a scan that runs nothing. */
function checkOnlyRules(ids: readonly string[] | undefined, known: ReadonlySet<string>): void {
  const bad = ids?.find((id) => !known.has(id));
  if (bad === undefined) return;
  const shown = tokenShaped(bad) ? `given (${bad.length} characters)` : JSON.stringify(bad.slice(0, 64));
  throw new HushError("INVALID_ARGUMENT", `--only-rules: no rule of this scan has the id ${shown}.`, { hint: "`hush scan --list-rules` prints every rule id." });
}

/** hush.yaml's scan.allow plus the caller's; an unknown rule id is an error, not a silent no-op. */
function mergeAllow(loaded: LoadedConfig, known: ReadonlySet<string>, extra: ScanAllowOptions = {}): ScanAllowOptions {
  const fromConfig = loaded.config.scan?.allow ?? {};
  const unknownRule = (ids: string[] | undefined) => ids?.find((id) => !known.has(id));
  const badConfigRule = unknownRule(fromConfig.rules);
  if (badConfigRule !== undefined) {
    // hush.yaml is committed: an entry shaped like a key (a value pasted there) is not echoed.
    const shown = tokenShaped(badConfigRule) ? `given (${badConfigRule.length} characters)` : `"${badConfigRule}"`;
    throw new HushError("CONFIG_INVALID", `${loaded.path ?? "hush.yaml"}: scan.allow.rules: no rule has the id ${shown}.`, { hint: "`hush scan --list-rules` prints every rule id." });
  }
  const badRule = unknownRule(extra.rules);
  if (badRule !== undefined) {
    // A value pasted after --allow-rule by mistake would go to stderr (often a CI log): not echoed.
    const shown = tokenShaped(badRule) ? `given (${badRule.length} characters)` : JSON.stringify(badRule.slice(0, 64));
    throw new HushError("INVALID_ARGUMENT", `--allow-rule: no rule has the id ${shown}.`, { hint: "`hush scan --list-rules` prints every rule id." });
  }
  return {
    paths: [...(fromConfig.paths ?? []), ...(extra.paths ?? [])],
    rules: [...(fromConfig.rules ?? []), ...(extra.rules ?? [])],
    // Managed values are keyed by canonical name: DB_PASSWORD and db_password are one secret.
    secrets: [...(fromConfig.secrets ?? []), ...(extra.secrets ?? [])].map((n) => canonicalName(n)),
    ...(extra.values ? { values: extra.values } : {}),
  };
}

/**
 * Every value the chain resolves in `environment`, by name. A failure to open the chain, or to
 * read any value (but "not found"), throws: the scan would otherwise pass files it could not check.
 */
async function managedValuesOf(project: ProjectOptions, environment: string): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  try {
    await withProject(project, async ({ manager }) => {
      const { secrets, issues } = await manager.resolve();
      for (const [name, record] of Object.entries(secrets)) values.set(name, record.value);
      const failed = issues.filter((i) => i.code !== "NOT_FOUND");
      if (failed.length > 0) {
        const names = failed.slice(0, 5).map((i) => i.name).join(", ") + (failed.length > 5 ? ", ..." : "");
        const code = (ERROR_CODES as string[]).includes(failed[0]!.code) ? (failed[0]!.code as HushErrorCode) : "READ_FAILED";
        throw new HushError(code, `${failed.length} secret(s) of environment ${environment} could not be read (${names}): ${failed[0]!.message}`);
      }
    });
  } catch (e) {
    if (!(e instanceof HushError)) throw e;
    throw new HushError(e.code, `Managed values of environment ${environment} could not be read, so the scan cannot say that the files are clean. ${e.message}`, {
      hint: `${e.hint} To scan for known key formats only, on purpose: --no-managed.`,
      cause: e,
      ...(e.source ? { source: e.source } : {}),
      ...(e.secret ? { secret: e.secret } : {}),
    });
  }
  return values;
}

/**
 * The other environments whose key is available: a key file in the secrets folder
 * (`.encryption.key` is dev's, `<env>.key` another's), or a store (`<env>.store`) or `keys:`
 * entry whose key provider holds a key (the `user` folder, `HUSH_KEY_<ENV>`, ...); within
 * hush.yaml's `environments` when it lists them.
 */
async function otherEnvironments(loaded: LoadedConfig, options: ScanProjectOptions): Promise<string[]> {
  const dir = resolveSecretsDir(loaded, resolve(options.cwd ?? process.cwd()), options.secretsDir);
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch (_e) {
    // No secrets folder: only keys kept elsewhere (keys:) can be here.
  }
  const listed = loaded.config.environments;
  const found = names.map((n) => (n === ".encryption.key" ? DEFAULT_ENVIRONMENT : /^([a-z0-9][a-z0-9_-]{0,31})\.(key|store)$/.exec(n)?.[1]));
  const candidates = [...new Set([...found, ...Object.keys(loaded.config.keys ?? {})])].filter((e): e is string => e !== undefined && e !== loaded.environment && (!listed || listed.includes(e)));
  const out: string[] = [];
  for (const environment of candidates.sort()) {
    const provider = resolveKeyProvider({ secretsDir: dir, environment, root: loaded.root, env: options.env, project: loaded.config.project, keys: loaded.config.keys, onWarning: () => undefined });
    if (await provider.exists()) out.push(environment);
  }
  return out;
}
