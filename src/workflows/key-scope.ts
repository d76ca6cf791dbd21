/**
 * The project, environment and key settings a key workflow (`hush member ...`, `hush key
 * export|import`) acts on: hush.yaml found as every command finds it, the secrets folder in
 * effect, and hush.yaml's `project:` and `keys:`, in the shape `loadEnvironmentKey` takes.
 */
import { loadConfig } from "../config/load.js";
import { resolveSecretsDir } from "../config/open.js";
import type { KeyConfig } from "../config/types.js";
import type { ProjectOptions } from "./project.js";

/** Where an environment's key is looked for. */
export interface KeyScope {
  root: string;
  secretsDir: string;
  environment: string;
  env: NodeJS.ProcessEnv;
  onWarning: (message: string) => void;
  project?: string;
  keys?: Record<string, KeyConfig>;
}

/** Resolves the key scope of a project (hush.yaml searched upward from `cwd`). */
export async function resolveKeyScope(options: ProjectOptions): Promise<KeyScope> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const loaded = options.loaded ?? (await loadConfig({ cwd, environment: options.environment, env }));
  return {
    root: loaded.root,
    secretsDir: resolveSecretsDir(loaded, cwd, options.secretsDir),
    environment: loaded.environment,
    env,
    onWarning: options.onWarning ?? (() => undefined),
    project: loaded.config.project,
    keys: loaded.config.keys,
  };
}
