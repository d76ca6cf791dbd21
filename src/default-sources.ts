/**
 * The default chain when no hush.yaml names one: `env` -> `dotenv` -> `local`, and `mallku`
 * after `local` when the folder holds a Python (Mallku) layout, so pointing hush at a
 * Python-made `.secrets/` is enough to read it.
 *
 * The Python layout has no environments: its one file, under the default environment's key,
 * would be shared by all of them (a "prod" value showing up in dev). So it joins the chain of
 * the default environment only; another environment keeps its own store and key, and is told so.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { SecretSource } from "./types.js";
import { DEFAULT_ENVIRONMENT } from "./environment.js";
import { HushError } from "./errors.js";
import { keyFilePath } from "./crypto/key-file.js";
import { createEnvSource } from "./sources/env.js";
import { createDotenvSource } from "./sources/dotenv.js";
import { createLocalSource } from "./sources/local.js";
import { createMallkuSource } from "./sources/mallku.js";
import type { KeySettings } from "./keys/environment-key.js";

export interface DefaultSourcesOptions {
  cwd: string;
  secretsDir: string;
  environment: string;
  env?: NodeJS.ProcessEnv;
  onWarning: (message: string) => void;
  /**
   * Take a folder that holds nothing but `.encryption.key` for a Python (Mallku) app's that has
   * stored nothing yet, rather than for a hush project after `hush init`. The CLI and
   * `getSecret` set it when the project has no hush.yaml (`hush init` always writes one).
   * @default false
   */
  keyAloneIsPython?: boolean;
  /** hush.yaml's `project:` and `keys:` (which key provider the local store uses), or a function that looks them up. @default the key file */
  keys?: KeySettings | (() => Promise<KeySettings>);
}

/** The default environment's key file, which the Python layout shares. */
const DEFAULT_KEY_FILE = ".encryption.key";

/** The consolidated file of the Python layout. */
export const MALLKU_CONSOLIDATED_FILE = "mallku-secrets.json.encrypted";

/**
 * True when `secretsDir` holds a Python (Mallku) layout: its consolidated file or a `<name>.secret`;
 * with `keyAloneIsPython`, also the default key and nothing else of either layout (hush's own
 * audit files aside: hush writes them on a read once a key exists).
 */
export function hasMallkuLayout(secretsDir: string, keyAloneIsPython = false): boolean {
  let entries: string[];
  try {
    entries = readdirSync(secretsDir);
  } catch (_e) {
    // No folder yet (before `hush init`) means no Python layout either.
    return false;
  }
  if (entries.includes(MALLKU_CONSOLIDATED_FILE) || entries.some((f) => f.endsWith(".secret"))) return true;
  if (!keyAloneIsPython || !entries.includes(DEFAULT_KEY_FILE)) return false;
  return entries.every((f) => f === DEFAULT_KEY_FILE || /^audit\.[a-z0-9_-]+\.(jsonl|head|start)$/.test(f));
}

/** Builds the default chain. */
export function createDefaultSources(options: DefaultSourcesOptions): SecretSource[] {
  const { cwd, secretsDir, environment, onWarning } = options;
  const chain: SecretSource[] = [createEnvSource({ env: options.env }), createDotenvSource({ cwd, environment, onWarning })];
  const local = createLocalSource({ secretsDir, environment, onWarning, keys: options.keys, root: cwd, env: options.env });
  if (!hasMallkuLayout(secretsDir, options.keyAloneIsPython)) return [...chain, local];
  if (!hasMallkuLayout(secretsDir)) {
    onWarning(`${secretsDir} holds only .encryption.key and the project has no hush.yaml: hush takes it for the folder of a Python (Mallku) app that has stored nothing yet, and writes the Python layout (${MALLKU_CONSOLIDATED_FILE}) there. For a hush store instead, run \`hush init\` first (it writes hush.yaml and keeps the key).`);
  }
  const ownStore = existsSync(join(secretsDir, `${environment}.store`));
  if (environment !== DEFAULT_ENVIRONMENT) {
    if (ownStore) return [...chain, local];
    onWarning(pythonLayoutHasNoEnvironments(secretsDir, environment));
    // No key of its own yet: the first write waits for an explicit `hush init --env <name>`.
    return [...chain, existsSync(keyFilePath(secretsDir, environment)) ? local : refuseWrites(local, secretsDir, environment)];
  }
  // A Python-made folder: it comes before hush's own store (and takes writes, so the Python
  // app sees them) unless hush already keeps a store for this environment there.
  const mallku = createMallkuSource({ secretsDir, onWarning });
  return ownStore ? [...chain, local, mallku] : [...chain, mallku, local];
}

/** `local` whose writes are refused until the environment has its own key (see the module comment). */
function refuseWrites(local: SecretSource, secretsDir: string, environment: string): SecretSource {
  const refuse = async (): Promise<never> => {
    throw new HushError("KEY_MISSING", `Environment "${environment}" has no key of its own in ${secretsDir}, which holds a Python (Mallku) layout without environments; hush does not write a "${environment}" value into the file the Python app shares, nor make a key there unasked.`, {
      source: local.name,
      hint: `To give "${environment}" its own store beside the Python file, run \`hush init --env ${environment}\`; to write the Python file, leave out --env (or HUSH_ENV).`,
    });
  };
  return { ...local, set: refuse, delete: refuse, rollback: refuse };
}

/** Why `environment` does not read or write the Python layout, and what it uses instead. */
export function pythonLayoutHasNoEnvironments(secretsDir: string, environment: string): string {
  return (
    `${secretsDir} holds a Python (Mallku) layout, which has no environments: hush reads and writes it for the default environment "${DEFAULT_ENVIRONMENT}" only, ` +
    `so that a "${environment}" value never lands in the file the Python app shares with "${DEFAULT_ENVIRONMENT}". Environment "${environment}" uses its own store ` +
    `(${environment}.store, under its own key: \`hush init --env ${environment}\`); to use the Python file for it anyway, name it in hush.yaml (\`sources: [{ type: mallku }]\`).`
  );
}
