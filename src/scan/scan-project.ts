/**
 * `hush scan` as a library call: the project's hush.yaml `scan.allow` lists plus the caller's,
 * and every value the chain resolves as a managed value, then {@link scan}. A project without a
 * store (no key yet) has no managed values: the pattern rules run alone, and a warning says so.
 *
 * @example
 * const { findings } = await scanProject({ cwd: repo, staged: true });
 */
import { HushError } from "../errors.js";
import { canonicalName } from "../names.js";
import { loadConfig } from "../config/load.js";
import type { LoadedConfig } from "../config/types.js";
import { tokenShaped } from "../config/validate-text.js";
import { withProject, type ProjectOptions } from "../workflows/project.js";
import { PATTERN_RULES } from "./rules.js";
import { scan } from "./scan.js";
import type { ScanAllowOptions, ScanOptions, ScanResult } from "./types.js";

/** Options of {@link scanProject}: those of {@link scan} but the managed values, plus the project. */
export interface ScanProjectOptions extends ProjectOptions, Omit<ScanOptions, "managedValues" | "allow"> {
  /** Allow-lists added to hush.yaml's `scan.allow`; an unknown rule id is an error. */
  allow?: ScanAllowOptions;
  /** Look for the values the chain resolves. @default true */
  managed?: boolean;
}

/** Scans as `hush scan` does: config allow-lists, managed values, then the files. */
export async function scanProject(options: ScanProjectOptions = {}): Promise<ScanResult> {
  const { allow: extra, managed, environment, secretsDir, env, onWarning, loaded: given, ...scanOptions } = options;
  const loaded = given ?? (await loadConfig({ cwd: options.cwd, environment, env }));
  const allow = mergeAllow(loaded, extra);
  const managedValues = managed === false ? undefined : await managedValuesOf({ cwd: options.cwd, environment, secretsDir, env, onWarning, loaded });
  return scan({ ...scanOptions, allow, managedValues });
}

// --- internal ---

/** hush.yaml's scan.allow plus the caller's; an unknown rule id is an error, not a silent no-op. */
function mergeAllow(loaded: LoadedConfig, extra: ScanAllowOptions = {}): ScanAllowOptions {
  const fromConfig = loaded.config.scan?.allow ?? {};
  const known = new Set(PATTERN_RULES.map((r) => r.id));
  const unknownRule = (ids: string[] | undefined) => ids?.find((id) => !known.has(id));
  const badConfigRule = unknownRule(fromConfig.rules);
  if (badConfigRule !== undefined) {
    // hush.yaml is committed: an entry shaped like a key (a value pasted there) is not echoed.
    const shown = tokenShaped(badConfigRule) ? `given (${badConfigRule.length} characters)` : `"${badConfigRule}"`;
    throw new HushError("CONFIG_INVALID", `${loaded.path ?? "hush.yaml"}: scan.allow.rules: no rule has the id ${shown}.`, { hint: "`hush scan --list-rules` prints every rule id." });
  }
  const badRule = unknownRule(extra.rules);
  if (badRule !== undefined) throw new HushError("INVALID_ARGUMENT", `--allow-rule: no rule has the id ${JSON.stringify(badRule.slice(0, 64))}.`, { hint: "`hush scan --list-rules` prints every rule id." });
  return {
    paths: [...(fromConfig.paths ?? []), ...(extra.paths ?? [])],
    rules: [...(fromConfig.rules ?? []), ...(extra.rules ?? [])],
    // Managed values are keyed by canonical name: DB_PASSWORD and db_password are one secret.
    secrets: [...(fromConfig.secrets ?? []), ...(extra.secrets ?? [])].map((n) => canonicalName(n)),
    ...(extra.values ? { values: extra.values } : {}),
  };
}

/** Every value hush can resolve, by name; none (with a warning) when the chain cannot open. */
async function managedValuesOf(project: ProjectOptions): Promise<Map<string, string>> {
  const warn = project.onWarning ?? ((m: string) => process.stderr.write(`hush: warning: ${m}\n`));
  const values = new Map<string, string>();
  try {
    await withProject(project, async ({ manager }) => {
      const { secrets, issues } = await manager.resolve();
      for (const [name, record] of Object.entries(secrets)) values.set(name, record.value);
      if (issues.length > 0) warn(`${issues.length} secret(s) could not be resolved; their values are not looked for`);
    });
  } catch (e) {
    if (!(e instanceof HushError)) throw e;
    warn(`managed values not checked (${e.code}); pattern rules only`);
  }
  return values;
}
