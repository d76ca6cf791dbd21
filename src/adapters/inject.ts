/**
 * Adapter injection: a provider's key and settings, resolved through the manager and shaped
 * for the provider's official SDK constructor, so no `apiKey` is written in code.
 *
 * @example
 * import OpenAI from "openai";
 * import { adapterConfig } from "hush-secrets";
 * const openai = new OpenAI({ ...(await adapterConfig("openai")), maxRetries: 2 });
 */
import { HushError, isHushError } from "../errors.js";
import type { SecretsManager } from "../manager.js";
import {
  findProvider,
  missingKeyError,
  missingSettingError,
  resolveProviderKey,
  resolveSetting,
  type KeyResolution,
  type SecretReader,
  type SettingResolution,
} from "./lookup.js";
import type { ProviderEntry } from "./registry.js";
import type { SecretRecord } from "../types.js";
import type { Gateway } from "../gateway/types.js";

/**
 * Fields to spread into an SDK constructor (`{ apiKey, baseURL, organization }`): every field
 * the registry fills, all optional, since each provider uses a few of them. No index
 * signature, so `AdapterConfig & { timeout: number }` keeps both types intact.
 */
export interface AdapterConfig {
  apiKey?: string;
  /** Cohere's SDK calls the key `token`. */
  token?: string;
  baseURL?: string;
  /** Mistral's SDK calls the base URL `serverURL`. */
  serverURL?: string;
  organization?: string;
  project?: string;
  endpoint?: string;
  apiVersion?: string;
  deployment?: string;
  awsRegion?: string;
}

/** Options for {@link adapterConfig} and {@link resolveAdapter}. */
export interface AdapterConfigOptions<O extends Record<string, unknown> = Record<string, unknown>> {
  /** Where to look. @default a manager with the default chain (env -> dotenv -> local), disposed after the call */
  manager?: SecretReader;
  /** SDK fields that win over everything looked up (an explicit `apiKey` skips the key lookup). */
  overrides?: O;
  /** Receives collision warnings (names and sources, never values). @default writes "hush: warning: ..." to stderr */
  onWarning?: (message: string) => void;
  /**
   * A running gateway (`startGateway`): the config then holds the route's handle in place of the
   * key and the gateway's URL as the base URL, so the SDK never holds the key. Throws NOT_FOUND
   * when the gateway has no active route for the provider. @default none: the key itself
   */
  gateway?: Pick<Gateway, "clientSettings">;
}

/**
 * Everything {@link resolveAdapter} found, for callers that want the provenance too. The key
 * is in `config` alone (that is what the SDK needs); the provenance in `key` says which name,
 * source and version supplied it, without the value, so it is safe to log or serialise.
 */
export interface AdapterResolution {
  provider: ProviderEntry;
  config: AdapterConfig;
  key: KeyProvenance;
  settings: SettingResolution[];
}

/** {@link KeyResolution} without the value: the winning record's name, source, version and age. */
export interface KeyProvenance extends Omit<KeyResolution, "record"> {
  record: Omit<SecretRecord, "value"> | undefined;
}

/** Options for {@link injectAdapterSecrets}. */
export interface InjectAdapterSecretsOptions {
  /** @default a manager with the default chain, disposed after the call */
  manager?: SecretReader;
  /** Receives one line per adapter without a key and per collision. @default stderr */
  onWarning?: (message: string) => void;
}

/**
 * The config to spread into the provider's SDK constructor. Throws HushError NOT_FOUND, naming
 * every name and source it looked in, when a required key or setting is missing.
 * @example new Anthropic({ ...(await adapterConfig("anthropic", { manager: hush })) })
 */
export async function adapterConfig<O extends Record<string, unknown> = Record<never, never>>(
  provider: string,
  options: AdapterConfigOptions<O> = {},
): Promise<AdapterConfig & O> {
  const resolution = await resolveAdapter(provider, options);
  return resolution.config as AdapterConfig & O;
}

/**
 * Like {@link adapterConfig}, and also says which name and source supplied the key and each
 * setting. Throws as `adapterConfig` does.
 */
export async function resolveAdapter(provider: string, options: AdapterConfigOptions = {}): Promise<AdapterResolution> {
  const p = findProvider(provider);
  const overrides = options.gateway ? { ...gatewayFields(p, options.gateway), ...options.overrides } : (options.overrides ?? {});
  return withReader(options.manager, (reader) => resolveWith(p, reader, overrides, warner(options.onWarning)));
}

/**
 * Fills in the keys of several adapter configs at once. An adapter with no key gets a warning
 * and its config back without one (no throw); everything else throws as `adapterConfig` does.
 * @example
 * const cfg = await injectAdapterSecrets({ openai: { maxRetries: 2 }, anthropic: {} });
 * const openai = new OpenAI(cfg.openai);
 */
export async function injectAdapterSecrets<T extends Record<string, Record<string, unknown>>>(
  adapters: T,
  options: InjectAdapterSecretsOptions = {},
): Promise<{ [K in keyof T]: T[K] & AdapterConfig }> {
  const warn = warner(options.onWarning);
  for (const id of Object.keys(adapters)) findProvider(id); // unknown ids fail before any lookup
  return withReader(options.manager, async (reader) => {
    const out: Record<string, object> = {};
    for (const [id, overrides] of Object.entries(adapters)) {
      try {
        out[id] = (await resolveWith(findProvider(id), reader, overrides, warn)).config;
      } catch (e) {
        // Only a missing key is downgraded to a warning; denied, unreachable or corrupt sources still throw.
        if (!isHushError(e, "NOT_FOUND")) throw e;
        warn(`${id}: ${e.message} The adapter config is returned without a key.`);
        out[id] = { ...overrides };
      }
    }
    return out as { [K in keyof T]: T[K] & AdapterConfig };
  });
}

// --- internal ---

/** The handle (as the key) and the gateway's base URL of the provider's route. */
function gatewayFields(p: ProviderEntry, gateway: Pick<Gateway, "clientSettings">): Record<string, string> {
  const settings = gateway.clientSettings(p.id);
  if (!settings) throw new HushError("NOT_FOUND", `The gateway has no active route for ${p.displayName} ("${p.id}"): its key was not found when the gateway started, or the route was left out.`, { hint: "`hush gateway routes` lists the routes and whether each key is found." });
  const fields: Record<string, string> = { [p.keyField]: settings.handle };
  const base = p.settings.find((s) => s.field === "baseURL" || s.field === "serverURL");
  if (base && settings.baseUrl !== undefined) fields[base.field] = settings.baseUrl;
  return fields;
}

async function resolveWith(p: ProviderEntry, reader: SecretReader, overrides: Record<string, unknown>, warn: (m: string) => void): Promise<AdapterResolution> {
  const config: Record<string, unknown> = {};
  const explicitKey = overrides[p.keyField] !== undefined;
  const key = explicitKey ? explicitKeyResolution(p) : await resolveProviderKey(p, reader);
  for (const w of key.warnings) warn(w);
  if (key.record) config[p.keyField] = key.record.value;
  else if (!explicitKey) {
    if (p.keyRequired) throw missingKeyError(key);
    if (p.keyPlaceholder !== undefined) config[p.keyField] = p.keyPlaceholder;
  }
  const settings: SettingResolution[] = [];
  for (const setting of p.settings) {
    if (overrides[setting.field] !== undefined) continue;
    const s = await resolveSetting(setting, reader);
    if (s.value === undefined && setting.required) throw missingSettingError(p, setting, key.sources);
    if (s.value !== undefined) config[setting.field] = s.value;
    settings.push(s);
  }
  for (const [field, value] of Object.entries(overrides)) if (value !== undefined) config[field] = value;
  return { provider: p, config: config as AdapterConfig, key: withoutValue(key), settings };
}

function withoutValue(key: KeyResolution): KeyProvenance {
  if (!key.record) return { ...key, record: undefined };
  const { value: _value, ...record } = key.record;
  return { ...key, record };
}

function explicitKeyResolution(p: ProviderEntry): KeyResolution {
  return { provider: p.id, record: undefined, name: undefined, source: "overrides", lookedFor: [], sources: [], collisions: [], warnings: [] };
}

function warner(onWarning: ((m: string) => void) | undefined): (m: string) => void {
  return onWarning ?? ((m) => process.stderr.write(`hush: warning: ${m}\n`));
}

/** Runs `fn` with the given reader, or with a default manager opened and disposed around it. */
async function withReader<T>(reader: SecretReader | undefined, fn: (reader: SecretReader) => Promise<T>): Promise<T> {
  if (reader) return fn(reader);
  // Loaded lazily so importing the adapters does not open a store.
  const { createSecretsManager } = await import("../manager.js");
  const manager: SecretsManager = createSecretsManager();
  try {
    return await fn(manager);
  } finally {
    await manager.dispose();
  }
}
