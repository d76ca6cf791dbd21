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
export { createAuditor } from "./audit/auditor.js";
export type { Auditor, AuditorOptions, AuditMode } from "./audit/auditor.js";
export { attachAudit } from "./audit/attach.js";
export type { AttachAuditOptions, AuditableManager } from "./audit/attach.js";
export { createJsonlSink, jsonlLogPath } from "./audit/jsonl-sink.js";
export type { JsonlSink, JsonlSinkOptions } from "./audit/jsonl-sink.js";
export { createStderrSink } from "./audit/stderr-sink.js";
export type { StderrSinkOptions } from "./audit/stderr-sink.js";
export type { AuditSink, AuditAppendContext } from "./audit/sink.js";
export type { AuditEntry, AuditRecord } from "./audit/record.js";
export { deriveAuditKeys, loadAuditKeys, createSecretIdMapper } from "./audit/secret-id.js";
export type { AuditKeys, SecretIdMapper } from "./audit/secret-id.js";
export { readAuditRecords } from "./audit/read.js";
export { verifyAuditLog } from "./audit/verify.js";
export type { AuditVerifyResult, AuditProblem, AuditProblemKind, VerifyAuditLogOptions } from "./audit/verify.js";
export { buildAccessReport } from "./audit/report.js";
export type { SecretAccessSummary } from "./audit/report.js";
export { reviewAccess } from "./audit/review.js";
export type { AccessReview, AccessReviewOptions, SecretMeta, UnusualAccess } from "./audit/review.js";
