/**
 * The child's environment for `hush run`: the parent's variables (or, with `cleanEnv`, only
 * the few a program needs to start) plus each secret under its environment-variable name.
 * The result is a new object: the parent's own `process.env` is never touched. Key carriers
 * (`HUSH_KEY_*`, `HUSH_PASSPHRASE*`) never reach the child.
 */
import { HushError } from "../errors.js";
import { assertNoCollisions, envName } from "../names.js";
import type { ResolveResult, SecretRecord } from "../types.js";

/** Variables kept by `--clean-env` (plus every `LC_*`). */
export const CLEAN_ENV_VARIABLES: readonly string[] = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "TZ", "TMPDIR"];

/**
 * Variables that carry a key or what opens one (`HUSH_KEY_<ENV>` of the `env` key provider,
 * `HUSH_PASSPHRASE` of the `passphrase` one): never passed to the child, neither from the parent's
 * environment nor as a secret of that name (docs/keys.md).
 */
export const KEY_CARRIER_VARIABLE = /^HUSH_(KEY_|PASSPHRASE)/;

/** Options of {@link buildChildEnv}. */
export interface ChildEnvOptions {
  /** Keep only {@link CLEAN_ENV_VARIABLES} and `LC_*` from `base`. @default false */
  cleanEnv?: boolean;
}

/**
 * Builds the child's environment from `base` and `secrets` (canonical name -> record).
 * Throws NAME_COLLISION when two names map to one variable and INVALID_VALUE, naming the
 * secret, when a value holds a NUL byte (`execve` cannot carry it; FAULTS 15).
 *
 * @example
 * buildChildEnv(process.env, { openai_api_key: record }) // { ...process.env, OPENAI_API_KEY: "..." }
 */
export function buildChildEnv(base: NodeJS.ProcessEnv, secrets: Record<string, SecretRecord>, options: ChildEnvOptions = {}): Record<string, string> {
  assertNoCollisions(Object.keys(secrets), "the secrets to inject");
  assertInjectable(secrets);
  const env: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(base)) {
    if (value === undefined || KEY_CARRIER_VARIABLE.test(key)) continue;
    if (options.cleanEnv && !keptByCleanEnv(key)) continue;
    env[key] = value;
  }
  for (const [name, record] of Object.entries(secrets)) {
    const variable = envName(name);
    if (!KEY_CARRIER_VARIABLE.test(variable)) env[variable] = record.value;
  }
  return env;
}

/** Throws INVALID_VALUE (naming the secret, never the value) for a value `execve` cannot carry. */
export function assertInjectable(secrets: Record<string, SecretRecord>): void {
  for (const [name, record] of Object.entries(secrets)) {
    if (record.value.includes("\0")) {
      throw new HushError("INVALID_VALUE", nulMessage(name, record, "nothing was started"), {
        secret: name,
        source: record.source,
        hint: `Store the value without NUL bytes (e.g. base64-encode binary data), or leave it out with --only.`,
      });
    }
  }
}

/**
 * Moves each secret whose value `execve` cannot carry (a NUL byte) from `secrets` to `issues`,
 * as an INVALID_VALUE issue naming it (never the value): one such value fails only its own name,
 * and `--strict` decides, as for a missing one.
 */
export function withoutUninjectable(result: ResolveResult): ResolveResult {
  const bad = Object.entries(result.secrets).filter(([, record]) => record.value.includes("\0"));
  if (bad.length === 0) return result;
  const secrets = { ...result.secrets };
  const issues = [...result.issues];
  for (const [name, record] of bad) {
    delete secrets[name];
    issues.push({ name, code: "INVALID_VALUE", message: nulMessage(name, record, "it is left out") });
  }
  return { secrets, issues };
}

// --- internal ---

function nulMessage(name: string, record: SecretRecord, outcome: string): string {
  return `The value of "${name}" (from ${record.source}) contains a NUL byte, which an environment variable cannot carry; ${outcome}.`;
}

function keptByCleanEnv(key: string): boolean {
  return CLEAN_ENV_VARIABLES.includes(key) || key.startsWith("LC_");
}
