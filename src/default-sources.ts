/**
 * The default chain when no hush.yaml names one: `env` -> `dotenv` -> `local`, and `mallku`
 * after `local` when the folder holds a Python (Mallku) layout, so pointing hush at a
 * Python-made `.secrets/` is enough to read it.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { SecretSource } from "./types.js";
import { createEnvSource } from "./sources/env.js";
import { createDotenvSource } from "./sources/dotenv.js";
import { createLocalSource } from "./sources/local.js";
import { createMallkuSource } from "./sources/mallku.js";

export interface DefaultSourcesOptions {
  cwd: string;
  secretsDir: string;
  environment: string;
  env?: NodeJS.ProcessEnv;
  onWarning: (message: string) => void;
}

/** The consolidated file of the Python layout. */
export const MALLKU_CONSOLIDATED_FILE = "mallku-secrets.json.encrypted";

/** True when `secretsDir` holds a Python (Mallku) layout. */
export function hasMallkuLayout(secretsDir: string): boolean {
  if (existsSync(join(secretsDir, MALLKU_CONSOLIDATED_FILE))) return true;
  try {
    return readdirSync(secretsDir).some((f) => f.endsWith(".secret"));
  } catch (_e) {
    // No folder yet (before `hush init`) means no Python layout either.
    return false;
  }
}

/** Builds the default chain. */
export function createDefaultSources(options: DefaultSourcesOptions): SecretSource[] {
  const { cwd, secretsDir, environment, onWarning } = options;
  const chain: SecretSource[] = [createEnvSource({ env: options.env }), createDotenvSource({ cwd, environment, onWarning })];
  const local = createLocalSource({ secretsDir, environment, onWarning });
  if (!hasMallkuLayout(secretsDir)) return [...chain, local];
  // A Python-made folder: it comes before hush's own store (and takes writes, so the Python
  // app sees them) unless hush already keeps a store for this environment there.
  const mallku = createMallkuSource({ secretsDir, onWarning });
  return existsSync(join(secretsDir, `${environment}.store`)) ? [...chain, local, mallku] : [...chain, mallku, local];
}
