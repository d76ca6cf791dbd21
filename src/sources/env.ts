/**
 * The `env` source: the process environment, first in the default chain so that a variable
 * always overrides a stored value (Kubernetes `secretKeyRef`, CI secrets, a quick override).
 *
 * ```yaml
 * sources:
 *   - type: env
 * ```
 *
 * `get("openai_api_key")` reads `OPENAI_API_KEY`. `list()` is empty unless `listAll` is set:
 * the environment holds PATH, HOME and the like, and hush cannot tell which variables are
 * secrets, so by default this source only answers for names other sources or the config know.
 */
import type { SecretRecord, SecretSource } from "../types.js";
import { envName, isValidName } from "../names.js";
import { option } from "../config/options-schema.js";
import { defineSourceType } from "./descriptor.js";

/** Options of {@link createEnvSource}. */
export interface EnvSourceOptions {
  /** The variables to read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** List every variable with a valid name. @default false */
  listAll?: boolean;
}

/** `- type: env` in hush.yaml (its variables are the project's process environment). */
export const envSourceType = defineSourceType({
  type: "env",
  summary: "the process environment: `openai_api_key` reads `OPENAI_API_KEY`",
  options: {
    listAll: option.boolean({ description: "list every variable with a valid name", docDefault: "false" }),
  },
  create: (options, context) => createEnvSource({ env: context.env, listAll: options.listAll }),
});

const SOURCE_NAME = "env";

/** Creates the `env` source. */
export function createEnvSource(options: EnvSourceOptions = {}): SecretSource {
  const env = options.env ?? process.env;
  function read(name: string): SecretRecord | undefined {
    const variable = envName(name);
    const value = env[variable];
    if (value === undefined) return undefined;
    return { name, value, source: SOURCE_NAME, location: `$${variable}` };
  }
  return {
    name: SOURCE_NAME,
    async get(name: string): Promise<SecretRecord | undefined> {
      return read(name);
    },
    async getMany(names: readonly string[]): Promise<(SecretRecord | undefined)[]> {
      return names.map(read);
    },
    async list(): Promise<string[]> {
      if (!options.listAll) return [];
      return Object.keys(env)
        .filter((k) => env[k] !== undefined && isValidName(k))
        .map((k) => k.toLowerCase());
    },
  };
}
