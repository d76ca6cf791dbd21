/**
 * Environment names (`dev`, `staging`, `prod`, ...): the rules a name follows, the default, and
 * how the manager picks one. Each environment has its own store and key (src/crypto/key-file.ts).
 */
import { HushError } from "./errors.js";

/** The environment used when none is named; its key is `.secrets/.encryption.key`. */
export const DEFAULT_ENVIRONMENT = "dev";

/** Lower-case letters, digits, `_` and `-`, starting with a letter or digit, at most 32 characters. */
const ENVIRONMENT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** Throws INVALID_ARGUMENT unless `environment` is a safe environment name. Returns it unchanged. */
export function assertValidEnvironment(environment: string): string {
  if (!ENVIRONMENT_PATTERN.test(environment)) {
    throw new HushError("INVALID_ARGUMENT", `Invalid environment name ${JSON.stringify(environment.slice(0, 40))}: use lower-case letters, digits, '_' or '-', at most 32 characters.`);
  }
  return environment;
}

/**
 * The environment in effect: the one given, else `$HUSH_ENV` (when not empty), else "dev";
 * validated.
 * @example pickEnvironment(undefined, { HUSH_ENV: "prod" }) // "prod"
 */
export function pickEnvironment(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return assertValidEnvironment(explicit ?? (env.HUSH_ENV || DEFAULT_ENVIRONMENT));
}
