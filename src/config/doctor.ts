/**
 * `hush doctor`: the config layers (which hush.yaml, which environment and why), each source's
 * live check (its `check()`, else a `list()` probe), permission problems with their chmod, name
 * collisions and missing required secrets. Every problem carries its fix; nothing shows a value.
 */
import { readdirSync, type Dirent } from "node:fs";
import { join } from "node:path";
import { HushError } from "../errors.js";
import { canonicalName, findCollisions } from "../names.js";
import { checkPrivate } from "../fs/permissions.js";
import { diagnoseKeys, type DoctorKey } from "./doctor-keys.js";
import type { SecretsManager } from "../manager.js";
import type { SecretSource } from "../types.js";
import { findConfigFile, loadConfig, readConfigFile, type LoadConfigOptions } from "./load.js";
import { findMissingRequired } from "./required.js";
import { findSourceType } from "../sources/registry.js";
import type { ConfigProblem, LoadedConfig } from "./types.js";

/** A problem and the command or edit that fixes it. */
export interface DoctorProblem {
  message: string;
  fix: string;
}

/** One source's live check. */
export interface DoctorSource {
  name: string;
  /** The source type's one-line summary, from the source registry, when the name is a known type. */
  summary?: string;
  ok: boolean;
  detail: string;
  problems: DoctorProblem[];
}

/** Everything `hush doctor` found. `ok` is false when any problem was found. */
export interface DoctorReport {
  ok: boolean;
  config: { path?: string; root?: string; environment?: string; environmentOrigin?: string; audit?: string; problems: ConfigProblem[] };
  sources: DoctorSource[];
  permissions: DoctorProblem[];
  collisions: string[][];
  required: { declared: number; missing: string[] };
  /** LLM provider keys found (or failing): where from, masked preview, format check. Never a value. */
  providers: { provider: string; name?: string; source?: string; preview?: string; format: string; formatReason?: string }[];
  /** Each environment's key: its provider, where it lives, its check, and warnings (inside the project folder). */
  keys: DoctorKey[];
  /** Other problems (required secrets missing, a check that could not run). */
  problems: DoctorProblem[];
}

/** Loads hush.yaml without throwing: an invalid file yields its problems. */
export async function diagnoseConfig(options: LoadConfigOptions): Promise<{ loaded?: LoadedConfig; report: DoctorReport["config"] }> {
  try {
    const loaded = await loadConfig(options);
    const { path, root, environment, environmentOrigin, config } = loaded;
    return { loaded, report: { path, root, environment, environmentOrigin, audit: config.audit, problems: [] } };
  } catch (e) {
    if (!(e instanceof HushError)) throw e;
    const path = findConfigFile(options.cwd ?? process.cwd());
    if (e.code === "CONFIG_INVALID" && path) return { report: { path, problems: (await readConfigFile(path)).problems } };
    return { report: { path, problems: [{ path: "environment", message: `${e.message} ${e.hint}` }] } };
  }
}

/** Runs the checks on an opened manager (built from `loaded`). */
export async function diagnose(manager: SecretsManager, loaded: LoadedConfig, config: DoctorReport["config"], env?: NodeJS.ProcessEnv): Promise<DoctorReport> {
  const names = new Set<string>();
  const sources: DoctorSource[] = [];
  for (const source of manager.sources) sources.push(await checkSource(source, names));
  const collisions = findCollisions(names);
  const permissions = checkPermissions(manager, loaded);
  const keys = await diagnoseKeys(loaded, manager.secretsDir, env, manager.sources.some((s) => s.name === "local") && permissions.length === 0);
  const problems: DoctorProblem[] = [];
  let required: DoctorReport["required"] = { declared: 0, missing: [] };
  if (collisions.length === 0 && sources.every((s) => s.ok)) {
    const r = await findMissingRequired(manager, loaded);
    required = { declared: r.required.length, missing: r.missing.map((m) => m.envName) };
    for (const m of r.missing) problems.push({ message: `required secret ${m.envName} (${m.name}) is not provided by any source (required by ${m.from.join(" and ")}).`, fix: `hush set ${m.name}` });
    for (const e of r.errors) problems.push({ message: `${e.name}: ${e.code}: ${e.message}`, fix: "see the source's check above" });
  }
  const providers: DoctorReport["providers"] = [];
  if (collisions.length === 0 && sources.every((s) => s.ok)) {
    const { providerChecks } = await import("../adapters/checks.js");
    for (const row of await providerChecks(manager)) {
      if (row.error) problems.push({ message: `${row.displayName} key: ${row.error.code}: ${row.error.message}`, fix: "see the source's check above" });
      if (!row.found) continue;
      providers.push({ provider: row.provider, name: row.name, source: row.source, preview: row.preview, format: row.format, formatReason: row.formatReason });
      if (row.format === "mismatch") problems.push({ message: `${row.displayName} key ${row.name} (from ${row.source}) does not look like a ${row.displayName} key: ${row.formatReason ?? "unexpected format"}.`, fix: `check the key, then \`hush set ${row.name}\`` });
      for (const w of row.warnings) problems.push({ message: `${row.displayName}: ${w}`, fix: `keep one of the names (hush rm NAME)` });
    }
  }
  for (const group of collisions) problems.push({ message: `${group.map((n) => `"${n}"`).join(" and ")} map to the same environment variable.`, fix: `rename or delete all but one of them (hush rm NAME)` });
  const ok = config.problems.length === 0 && sources.every((s) => s.ok && s.problems.length === 0) && permissions.length === 0 && keys.every((k) => k.ok) && problems.length === 0;
  return { ok, config, sources, permissions, collisions, required, providers, keys, problems };
}

// --- internal ---

async function checkSource(source: SecretSource, names: Set<string>): Promise<DoctorSource> {
  const result: DoctorSource = { name: source.name, summary: findSourceType(source.name)?.summary, ok: true, detail: "", problems: [] };
  try {
    if (source.check) {
      const c = await source.check();
      Object.assign(result, { ok: c.ok, detail: c.detail, problems: c.problems ?? [] });
    }
    const listed = await source.list();
    for (const n of listed) names.add(canonicalName(n));
    if (!source.check) result.detail = `reachable; lists ${listed.length} name${listed.length === 1 ? "" : "s"}`;
  } catch (e) {
    result.ok = false;
    if (e instanceof HushError) {
      result.detail = `${e.code}: ${e.message}`;
      result.problems.push({ message: e.message, fix: e.hint.replace(/^Run: /, "") });
    } else {
      const code = (e as { code?: unknown })?.code;
      result.detail = `unexpected ${e instanceof Error ? e.name : typeof e}${typeof code === "string" ? ` (${code})` : ""}`;
      result.problems.push({ message: result.detail, fix: "run with --debug and report it" });
    }
  }
  return result;
}

function checkPermissions(manager: SecretsManager, loaded: LoadedConfig): DoctorProblem[] {
  const problems: DoctorProblem[] = [];
  const dir = manager.secretsDir;
  const usesLocal = manager.sources.some((s) => s.name === "local");
  const probe = (path: string, kind: "file" | "dir"): boolean => {
    try {
      return checkPrivate(path, kind, "strict");
    } catch (e) {
      if (!(e instanceof HushError)) throw e;
      problems.push({ message: e.message, fix: e.hint.replace(/^Run: /, "") });
      return true;
    }
  };
  if (!probe(dir, "dir")) {
    if (usesLocal) problems.push({ message: `${dir} does not exist: the local source has no key for ${loaded.environment}.`, fix: `hush init${envFlag(loaded)}` });
    return problems;
  }
  let entries: Dirent[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    problems.push({ message: `Cannot list ${dir} (${(e as NodeJS.ErrnoException).code ?? "error"}).`, fix: `check the owner and mode of ${dir}` });
  }
  for (const entry of entries) probe(join(dir, entry.name), entry.isDirectory() ? "dir" : "file");
  // A missing key (and the store that needs it) is the keys section's: src/config/doctor-keys.ts.
  return problems;
}

function envFlag(loaded: LoadedConfig): string {
  return loaded.environmentOrigin === "flag" || loaded.environmentOrigin === "HUSH_ENV" ? ` --env ${loaded.environment}` : "";
}
