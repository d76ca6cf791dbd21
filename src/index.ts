/**
 * hush — the public API. Only re-exports; see the README for a tour.
 *
 * @example
 * import { createSecretsManager, getSecret, HushError } from "hush";
 * const apiKey = await getSecret("openai_api_key", { required: true });
 */
export { createSecretsManager, getSecret } from "./manager.js";
export type { SecretsManager, SecretsManagerOptions, GetOptions, WriteOptions, AuditHook } from "./manager.js";
export { HushError, isHushError, hintFor, ERROR_CODES } from "./errors.js";
export type { HushErrorCode, HushErrorOptions } from "./errors.js";
export { canonicalName, envName, findCollisions } from "./names.js";
export type * from "./types.js";
export { createEnvSource } from "./sources/env.js";
export type { EnvSourceOptions } from "./sources/env.js";
export { createDotenvSource } from "./sources/dotenv.js";
export type { DotenvSourceOptions } from "./sources/dotenv.js";
export { createLocalSource } from "./sources/local.js";
export type { LocalSourceOptions } from "./sources/local.js";
export { createMallkuSource } from "./sources/mallku.js";
export type { MallkuSourceOptions } from "./sources/mallku.js";
export { fernetEncrypt, fernetDecrypt, generateFernetKey, parseFernetKey } from "./crypto/fernet.js";
export type { FernetKey, FernetEncryptOptions, FernetDecryptOptions } from "./crypto/fernet.js";
export { adapterConfig, resolveAdapter, injectAdapterSecrets } from "./adapters/inject.js";
export type { AdapterConfig, AdapterConfigOptions, AdapterResolution, InjectAdapterSecretsOptions } from "./adapters/inject.js";
export { PROVIDERS } from "./adapters/registry.js";
export type { ProviderEntry, ProviderSetting, KeyFormat, LlmRotationPolicy } from "./adapters/registry.js";
export { findProvider, keyLookupNames, resolveProviderKey } from "./adapters/lookup.js";
export type { KeyResolution, KeyCollision, SettingResolution, SecretReader } from "./adapters/lookup.js";
export { checkKeyFormat, formatWarningFor, maskKey } from "./adapters/format-check.js";
export type { FormatCheck } from "./adapters/format-check.js";
export { providerChecks } from "./adapters/checks.js";
export type { ProviderCheck } from "./adapters/checks.js";
export { scan, createRedactStream, redact, toSarif, PATTERN_RULES } from "./scan/index.js";
export type { ScanOptions, ScanResult, ScanFinding, ScanIssue, ScanAllowOptions, RedactOptions, RedactValues, PatternRule, SarifLog } from "./scan/index.js";
export { runWithSecrets } from "./run/spawn-with-secrets.js";
export type { RunWithSecretsOptions, RunResult } from "./run/spawn-with-secrets.js";
export { buildChildEnv, CLEAN_ENV_VARIABLES } from "./run/child-env.js";
export type { ChildEnvOptions } from "./run/child-env.js";
