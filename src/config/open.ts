/**
 * Opens a SecretsManager as hush.yaml describes it: the project folder, the environment, the
 * chain (`sources:`) and the secrets folder. The CLI (`openManager`) and `hush-secrets/config` use it,
 * so both read the same file the same way.
 *
 * @example
 * const { manager, loaded } = await openConfiguredManager({ cwd: process.cwd() });
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { keyFilePath } from "../crypto/key-file.js";
import { createSecretsManager, type AuditHook, type SecretsManager, type SecretsManagerOptions } from "../manager.js";
import { buildSources, sourceFolder } from "./build-sources.js";
import { createDefaultSources } from "../default-sources.js";
import { loadConfig } from "./load.js";
import type { LoadedConfig } from "./types.js";

/** Options of {@link openConfiguredManager}. */
export interface OpenConfiguredManagerOptions extends Pick<SecretsManagerOptions, "cache" | "cacheTtlMs" | "actor"> {
  /** Where hush.yaml is searched from; relative paths of the options are resolved here. @default process.cwd() */
  cwd?: string;
  /** `--env`. @default HUSH_ENV, then the config's `environment`, then "dev" */
  environment?: string;
  /** `--secrets-dir`: wins over the config. */
  secretsDir?: string;
  /** What the `env` source reads and where HUSH_ENV is looked up. @default process.env */
  env?: NodeJS.ProcessEnv;
  onWarning?: (message: string) => void;
  /** An already loaded config (skips the search). */
  loaded?: LoadedConfig;
}

/** A manager and the config it was built from. */
export interface ConfiguredManager {
  /** Its `dispose()` also flushes and closes the auditor. */
  manager: SecretsManager;
  loaded: LoadedConfig;
  /** The audit trail in effect, when there is one (see {@link openConfiguredManager}). */
  audit?: AuditHook & { close(): Promise<void> };
}

/**
 * Loads hush.yaml (unless given) and opens the manager it describes. Audit: with
 * `audit: required` every access waits for its record in `<secretsDir>/audit.<env>.jsonl` and is
 * denied when it cannot be written; with `best-effort` (the default) records are written when the
 * environment has a key file (audit ids are keyed by it) and a failure only warns.
 */
export async function openConfiguredManager(options: OpenConfiguredManagerOptions = {}): Promise<ConfiguredManager> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const loaded = options.loaded ?? (await loadConfig({ cwd, environment: options.environment, env }));
  const onWarning = options.onWarning ?? ((m: string) => process.stderr.write(`hush: warning: ${m}\n`));
  const secretsDir = resolveSecretsDir(loaded, cwd, options.secretsDir);
  const sources = loaded.config.sources
    ? await buildSources(loaded.config.sources, { root: loaded.root, secretsDir, secretsDirExplicit: options.secretsDir !== undefined, environment: loaded.environment, env, onWarning })
    : // No hush.yaml at all: a folder holding only `.encryption.key` is a Python app's (hush init writes hush.yaml).
      createDefaultSources({ cwd: loaded.root, secretsDir, environment: loaded.environment, env, onWarning, keyAloneIsPython: loaded.path === undefined });
  const audit = await openAudit(loaded, secretsDir, onWarning);
  const manager = createSecretsManager({
    cwd: loaded.root,
    secretsDir,
    environment: loaded.environment,
    sources,
    env,
    onWarning,
    cache: options.cache,
    cacheTtlMs: options.cacheTtlMs,
    actor: options.actor,
    audit,
  });
  if (!audit) return { manager, loaded };
  const dispose = async () => {
    try {
      await manager.dispose();
    } finally {
      await audit.close();
    }
  };
  return { manager: { ...manager, dispose }, loaded, audit };
}

/**
 * The secrets folder in effect: `--secrets-dir` (relative to the working directory), else the
 * `dir` of the config's `local` source (relative to hush.yaml), else `<project>/.secrets`.
 */
export function resolveSecretsDir(loaded: LoadedConfig, cwd: string, explicit?: string): string {
  if (explicit !== undefined) return resolve(cwd, explicit);
  const local = loaded.config.sources?.find((s) => s.type === "local");
  return local ? sourceFolder(local, { root: loaded.root, secretsDir: resolve(loaded.root, ".secrets") }) : resolve(loaded.root, ".secrets");
}

// --- internal ---

async function openAudit(loaded: LoadedConfig, secretsDir: string, onWarning: (m: string) => void): Promise<ConfiguredManager["audit"]> {
  const mode = loaded.config.audit;
  if (mode === "off") return undefined;
  if (mode !== "required" && !existsSync(keyFilePath(secretsDir, loaded.environment))) return undefined;
  const { createAuditor } = await import("../audit/auditor.js");
  return createAuditor({ environment: loaded.environment, secretsDir, mode, onWarning });
}
