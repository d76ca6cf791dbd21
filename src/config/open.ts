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
import { createSecretsManager, type AuditHook, type SecretsManager, type SecretsManagerOptions } from "../manager.js";
import { buildSources, sourceFolder } from "./build-sources.js";
import { loadConfig } from "./load.js";
import { createDefaultSources } from "../default-sources.js";
import { createDotenvSource } from "../sources/dotenv.js";
import { HushError } from "../errors.js";
import type { SecretSource } from "../types.js";
import type { HushConfig, LoadedConfig, RemoteRef } from "./types.js";
import { chooseKeyProvider, loadEnvironmentKey, type KeySettings } from "../keys/environment-key.js";

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
  /** `--debug` lines from the sources (remote attempts and retries); never values. @default none */
  onDebug?: (message: string) => void;
  /** An already loaded config (skips the search). */
  loaded?: LoadedConfig;
  /**
   * `.env` files read before the whole chain (`hush run -f`), relative to `cwd`: the first file
   * given wins, as with dotenvx; names they do not hold resolve through the chain. A file that
   * does not exist is an error. @default none
   */
  envFiles?: string[];
}

/** The name of the source that `envFiles` (`hush run -f`) adds before the chain. */
export const ENV_FILE_SOURCE = "env-file";

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
 * denied when it cannot be written; with `best-effort` (the default) a record that cannot be
 * written (no key yet: audit ids are keyed by it; a failing sink) is a warning. `audit: off`: none.
 */
export async function openConfiguredManager(options: OpenConfiguredManagerOptions = {}): Promise<ConfiguredManager> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const loaded = options.loaded ?? (await loadConfig({ cwd, environment: options.environment, env }));
  const onWarning = options.onWarning ?? ((m: string) => process.stderr.write(`hush: warning: ${m}\n`));
  const secretsDir = resolveSecretsDir(loaded, cwd, options.secretsDir);
  const keys = keySettingsOf(loaded.config);
  let sources = loaded.config.sources
    ? await buildSources(loaded.config.sources, { root: loaded.root, secretsDir, secretsDirExplicit: options.secretsDir !== undefined, environment: loaded.environment, env, onWarning, ...(options.onDebug ? { onDebug: options.onDebug } : {}), remoteRefs: remoteRefsOf(loaded.config.secrets), keySettings: keys })
    : // No hush.yaml at all: a folder holding only `.encryption.key` is a Python app's (hush init writes hush.yaml).
      createDefaultSources({ cwd: loaded.root, secretsDir, environment: loaded.environment, env, onWarning, keyAloneIsPython: loaded.path === undefined, keys });
  if (options.envFiles?.length) sources = [envFilesSource(options.envFiles, cwd, onWarning), ...sources];
  const audit = await openAudit(loaded, secretsDir, onWarning, { ...keys, env, root: loaded.root });
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

/** The source of `envFiles`: each must exist; the first given wins (dotenv's list wins last). */
function envFilesSource(files: readonly string[], cwd: string, onWarning: (m: string) => void): SecretSource {
  const paths = files.map((f) => resolve(cwd, f));
  for (const path of paths) {
    // A typo in `-f .env.prod` must not run the command without the production values.
    if (!existsSync(path)) throw new HushError("READ_FAILED", `The env file ${path} (--env-file) does not exist.`, { hint: "Check the path; it is relative to the working folder (or to --cwd)." });
  }
  return createDotenvSource({ cwd, files: [...paths].reverse(), name: ENV_FILE_SOURCE, onWarning });
}

async function openAudit(loaded: LoadedConfig, secretsDir: string, onWarning: (m: string) => void, keys: KeySettings & { env: NodeJS.ProcessEnv; root: string }): Promise<ConfiguredManager["audit"]> {
  const mode = loaded.config.audit;
  if (mode === "off") return undefined;
  // Also before the environment's key exists: the write that creates the key is recorded (ids
  // are computed once it exists), and reads before it are warned about, never silently skipped.
  const { createAuditor } = await import("../audit/auditor.js");
  // A KMS or passphrase key cannot be got synchronously when the first record is written: load
  // it now (once per process; the store shares it). Not there yet: the auditor says so later.
  const context = { ...keys, secretsDir, environment: loaded.environment, onWarning };
  if (!["file", "user", "env"].includes(chooseKeyProvider(context).provider)) await loadEnvironmentKey(context).catch(() => undefined);
  const { configuredAuditSinks } = await import("../audit/configured-sinks.js");
  const settings = loaded.config.auditSettings;
  return createAuditor({ environment: loaded.environment, secretsDir, mode, onWarning, keySettings: keys, rollupWindowMs: settings?.rollupWindowMs, ...(await configuredAuditSinks(loaded, keys.env)) });
}

/** hush.yaml's `project:` and `keys:`, for the stores and the audit. */
export function keySettingsOf(config: HushConfig): KeySettings {
  return { project: config.project, keys: config.keys };
}

/** `secrets.NAME.remote` of every secret that has one, for remote sources. */
function remoteRefsOf(secrets: HushConfig["secrets"]): Record<string, RemoteRef> {
  const refs: Record<string, RemoteRef> = {};
  for (const [name, policy] of Object.entries(secrets)) if (policy.remote) refs[name] = policy.remote;
  return refs;
}
