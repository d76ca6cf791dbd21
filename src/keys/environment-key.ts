/**
 * The one place a store asks for its environment's key: the key provider hush.yaml's `keys:`
 * names for the environment (docs/keys.md), made from the key-provider registry.
 *
 * Which provider, when `keys:` has no entry for the environment (the rule that keeps existing
 * projects working): the key file in the secrets folder when there is one (`file`), else `user`
 * when hush.yaml has a `project:` id (what `hush init` writes for new projects), else `file`.
 *
 * Caching: every provider caches what it loaded. Providers whose load is costly or interactive
 * (KMS, passphrase: any type but `file`, `user` and `env`) are also kept per process here, so a
 * KMS unwraps once per process however many stores ask. The local ones are made per store handle
 * and per call: a key file replaced by another process is read again by the next store opened.
 */
import { lstatSync } from "node:fs";
import { dirname } from "node:path";
import { HushError } from "../errors.js";
import { keyFilePath, readKeyFile } from "../crypto/key-file.js";
import type { FernetKey } from "../crypto/fernet.js";
import type { PermissionPolicy } from "../fs/permissions.js";
import { parseOptions } from "../config/options-schema.js";
import type { KeyConfig } from "../config/types.js";
import type { KeyProvider, KeyProviderContext } from "./provider.js";
import { describeUnknownKeyProvider, findKeyProviderType } from "./registry.js";
import { createFileKeyProvider } from "./file.js";

/** hush.yaml's key settings: the `project:` id and the `keys:` entries. */
export interface KeySettings {
  project?: string;
  keys?: Readonly<Record<string, KeyConfig>>;
}

/** What {@link loadEnvironmentKey} needs: the provider context, and hush.yaml's key settings when there is a hush.yaml. */
export interface EnvironmentKeyContext extends Pick<KeyProviderContext, "secretsDir" | "environment" | "onWarning">, KeySettings {
  /** Project folder. @default the secrets folder's parent */
  root?: string;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The `file` provider's permission policy (the local store's `permissions`). @default "strict" */
  permissions?: PermissionPolicy;
  /** A source's context carries hush.yaml's settings here (SourceContext.keySettings); `project`/`keys` given directly win. */
  keySettings?: KeySettings;
}

/**
 * The key context of a source: its folder, environment, variables and hush.yaml's key settings.
 *
 * @example
 * const key = await loadEnvironmentKey(keyContextOf(context)); // in a source's factory or first use
 */
export function keyContextOf(context: { root: string; secretsDir: string; environment: string; env?: NodeJS.ProcessEnv; onWarning: (m: string) => void; keySettings?: KeySettings }): EnvironmentKeyContext {
  return { root: context.root, secretsDir: context.secretsDir, environment: context.environment, env: context.env, onWarning: context.onWarning, project: context.keySettings?.project, keys: context.keySettings?.keys };
}

/** Which provider an environment uses, and whether hush.yaml names it or the default rule chose it. */
export interface KeyProviderChoice {
  provider: string;
  options: Record<string, unknown>;
  /** True when `keys:` has no entry for the environment (the rule of the module comment chose). */
  implicit: boolean;
}

/** The provider of `context.environment` per hush.yaml (or the default rule), without loading anything. */
export function chooseKeyProvider(given: EnvironmentKeyContext): KeyProviderChoice {
  const context = withSettings(given);
  const entry = context.keys?.[context.environment];
  if (entry) return { provider: entry.provider, options: entry.options, implicit: false };
  if (context.project !== undefined && !lstatSync(keyFilePath(context.secretsDir, context.environment), { throwIfNoEntry: false })) {
    return { provider: "user", options: {}, implicit: true };
  }
  return { provider: "file", options: {}, implicit: true };
}

/**
 * Makes the environment's key provider. Throws CONFIG_INVALID for a provider no one registered
 * or options its schema refuses (hush.yaml's validation says so first, with line numbers).
 */
export function resolveKeyProvider(given: EnvironmentKeyContext): KeyProvider {
  const context = withSettings(given);
  const choice = chooseKeyProvider(context);
  const providerContext = toProviderContext(context);
  if (choice.provider === "file") return createFileKeyProvider(providerContext, { policy: context.permissions });
  const descriptor = findKeyProviderType(choice.provider);
  if (!descriptor) throw new HushError("CONFIG_INVALID", `keys.${context.environment}.provider: ${describeUnknownKeyProvider(choice.provider)}`);
  const problems: string[] = [];
  const options = parseOptions(descriptor.options, choice.options, ["keys", context.environment], (path, message) => problems.push(`${path.join(".")}: ${message}`));
  if (problems.length > 0) throw new HushError("CONFIG_INVALID", `hush.yaml is invalid:\n  - ${problems.join("\n  - ")}`);
  if (LOCAL_TYPES.has(choice.provider)) return descriptor.create(options, providerContext);
  const signature = JSON.stringify([choice.provider, options, providerContext.root, context.secretsDir, context.environment, context.project ?? null]);
  const byEnv = shared(providerContext.env ?? process.env);
  let provider = byEnv.get(signature);
  if (!provider) byEnv.set(signature, (provider = descriptor.create(options, providerContext)));
  return provider;
}

/**
 * The environment's key through its provider. Throws KEY_MISSING, MALFORMED_KEY,
 * INSECURE_PERMISSIONS, and the provider's errors (WRONG_KEY, ACCESS_DENIED, SOURCE_UNAVAILABLE,
 * MISSING_DEPENDENCY); never returns a fresh key.
 */
export async function loadEnvironmentKey(context: EnvironmentKeyContext): Promise<FernetKey> {
  const provider = resolveKeyProvider(context);
  const key = await provider.load();
  remember(context, provider.type, key);
  return key;
}

/**
 * The key for callers that cannot wait (the audit's secret ids): a key file (`file`, `user`) is
 * read now; another provider's key must have been loaded in this process already (the store's
 * first read does it; the auditor primes it), else KEY_MISSING.
 */
export function loadEnvironmentKeySync(context: EnvironmentKeyContext): { key: FernetKey; provider: string } {
  const choice = chooseKeyProvider(context);
  if (choice.provider === "file" || choice.provider === "user") {
    const provider = resolveKeyProvider(context);
    return { key: readKeyFile(provider.location().where, context.permissions ?? "strict", context.onWarning), provider: choice.provider };
  }
  const known = loaded.get(rememberKey(context));
  if (known) return known;
  throw new HushError("KEY_MISSING", `The ${choice.provider} key of ${context.environment} is not loaded yet.`, { hint: "It is loaded with the store's first read; run the command again once the store exists." });
}

/** The provider type that last loaded `context.environment`'s key in this process, if any (for the audit). */
export function loadedKeyProvider(context: Pick<EnvironmentKeyContext, "secretsDir" | "environment">): string | undefined {
  return loaded.get(rememberKey(context))?.provider;
}

/** Records that a store loaded `key` through `provider` (the local store loads through its own provider instance). */
export function rememberEnvironmentKey(context: Pick<EnvironmentKeyContext, "secretsDir" | "environment">, provider: string, key: FernetKey): void {
  remember(context, provider, key);
}

/** Forgets every provider and key kept for this process (after a re-key; tests). */
export function forgetEnvironmentKeys(): void {
  loaded.clear();
  sharedProviders = new WeakMap();
}

// --- internal ---

/** Provider types made per store and per call (cheap, local); every other type is kept per process. */
const LOCAL_TYPES = new Set(["file", "user", "env"]);
let sharedProviders = new WeakMap<NodeJS.ProcessEnv, Map<string, KeyProvider>>();
const loaded = new Map<string, { key: FernetKey; provider: string }>();

function shared(env: NodeJS.ProcessEnv): Map<string, KeyProvider> {
  let map = sharedProviders.get(env);
  if (!map) sharedProviders.set(env, (map = new Map()));
  return map;
}

function rememberKey(context: Pick<EnvironmentKeyContext, "secretsDir" | "environment">): string {
  return `${context.secretsDir}\0${context.environment}`;
}

function remember(context: Pick<EnvironmentKeyContext, "secretsDir" | "environment">, provider: string, key: FernetKey): void {
  if (loaded.size >= 64) loaded.clear(); // bounded: a process has a few environments
  loaded.set(rememberKey(context), { key, provider });
}

/** `keySettings` (a source's context) spread into `project` and `keys`, unless those are given. */
function withSettings(context: EnvironmentKeyContext): EnvironmentKeyContext {
  if (!context.keySettings) return context;
  return { ...context, project: context.project ?? context.keySettings.project, keys: context.keys ?? context.keySettings.keys };
}

function toProviderContext(context: EnvironmentKeyContext): KeyProviderContext {
  return {
    root: context.root ?? dirname(context.secretsDir),
    secretsDir: context.secretsDir,
    environment: context.environment,
    project: context.project,
    env: context.env,
    onWarning: context.onWarning,
  };
}
