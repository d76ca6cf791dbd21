/**
 * The `env` key provider: the key comes from a variable, `HUSH_KEY_<ENV>` (`HUSH_KEY_PROD`,
 * `HUSH_KEY_DEV`; `-` in the environment name becomes `_`), for CI and containers, as dotenvx
 * reads `DOTENV_PRIVATE_KEY_PRODUCTION`. `hush run` and `hush-secrets/config` remove every
 * `HUSH_KEY_*` variable from the child's environment (src/run/child-env.ts).
 *
 * ```yaml
 * keys:
 *   prod: { provider: env }            # reads HUSH_KEY_PROD
 * ```
 *
 * Read-only: hush cannot store into your CI's settings, so `save` says where to put the key.
 * It protects the key from the repository; anything that can read the process's environment
 * (`/proc/<pid>/environ` as the same user, a crash reporter that dumps env) can read it.
 */
import { HushError } from "../errors.js";
import { parseFernetKey, type FernetKey } from "../crypto/fernet.js";
import { kindOf, type OptionField } from "../config/options-schema.js";
import { defineKeyProviderType, type KeyProvider, type KeyProviderContext } from "./provider.js";

/** Options of the `env` provider. */
export interface EnvKeyProviderOptions {
  /** The variable holding the key. @default HUSH_KEY_<ENV> */
  variable?: string;
}

/** Variables the key providers read; `hush run` removes them from the child's environment. */
export const KEY_VARIABLE_PATTERN = /^HUSH_KEY_/;

/** The `variable` option: a HUSH_KEY_* name. */
const variableField: OptionField<string, false> = {
  docType: "HUSH_KEY_*",
  description: "the variable holding the key (a HUSH_KEY_* name, so `hush run` keeps it from the child)",
  docDefault: "HUSH_KEY_<ENV>",
  check(value, path, add) {
    if (typeof value === "string" && isKeyVariable(value)) return value;
    add(path, `expected a variable name HUSH_KEY_<WORD> (upper-case letters, digits and '_'), got ${typeof value === "string" ? "another string" : kindOf(value)}.`);
    return undefined;
  },
};

/** `provider: env` in hush.yaml. */
export const envKeyProviderType = defineKeyProviderType({
  type: "env",
  summary: "the key from a variable, HUSH_KEY_<ENV> (CI, containers); removed from `hush run`'s child",
  options: {
    variable: variableField,
  },
  create: (options, context) => createEnvKeyProvider(options, context),
});

const PROVIDER_TYPE = "env";

/** True for a `HUSH_KEY_*` variable name of upper-case letters, digits and `_`. */
export function isKeyVariable(name: string): boolean {
  return /^HUSH_KEY_[A-Z0-9_]{1,118}$/.test(name);
}

/** `HUSH_KEY_PROD` for `prod`, `HUSH_KEY_EU_WEST` for `eu-west`. */
export function keyVariableName(environment: string): string {
  return `HUSH_KEY_${environment.toUpperCase().replace(/-/g, "_")}`;
}

/** Creates the `env` provider of `context.environment`. */
export function createEnvKeyProvider(options: EnvKeyProviderOptions, context: KeyProviderContext): KeyProvider {
  const variable = options.variable ?? keyVariableName(context.environment);
  if (!isKeyVariable(variable)) {
    throw new HushError("CONFIG_INVALID", `The env key provider of ${context.environment} must read a variable named HUSH_KEY_*, so that \`hush run\` keeps it from the child.`);
  }
  const env = context.env ?? process.env;
  let cached: FernetKey | undefined;
  return {
    type: PROVIDER_TYPE,
    location: () => ({ provider: PROVIDER_TYPE, where: `$${variable}`, insideProject: false }),
    async exists() {
      return (env[variable] ?? "") !== "";
    },
    async load() {
      if (cached) return cached;
      const text = env[variable];
      if (text === undefined || text === "") {
        throw new HushError("KEY_MISSING", `No key in $${variable} for ${context.environment}.`, { hint: `Set ${variable} to the environment's key (from your CI's secret settings).` });
      }
      try {
        cached = parseFernetKey(text);
      } catch (_e) {
        throw new HushError("MALFORMED_KEY", `$${variable} does not hold a key: expected 44 characters of url-safe base64 (32 bytes).`, { hint: `Set ${variable} to the key exactly as \`hush key export\` or the key file holds it.` });
      }
      return cached;
    },
    async save() {
      throw new HushError("READ_ONLY", `The env key provider reads $${variable}; hush cannot store a key there.`, {
        hint: `Put the key into ${variable} in your CI or container settings, or use the user or file provider on this machine.`,
      });
    },
    async check() {
      const set = (env[variable] ?? "") !== "";
      if (!set) return { ok: false, detail: `env: $${variable} is not set`, problems: [{ message: `$${variable} is not set.`, fix: `Set ${variable} to the environment's key.` }] };
      try {
        parseFernetKey(env[variable]!);
        return { ok: true, detail: `env: $${variable}` };
      } catch (_e) {
        return { ok: false, detail: `env: $${variable} is malformed`, problems: [{ message: `$${variable} does not hold a 44-character key.`, fix: `Set ${variable} to the key exactly.` }] };
      }
    },
  };
}
