/**
 * hush — the public API, and the CLI's only door into the library (eslint.config.js enforces
 * it). Only re-exports, grouped below; see the README for a tour. Every module reached from
 * here is free of top-level side effects, so a bundle keeps only what it uses.
 *
 * @example
 * import { createSecretsManager, getSecret, HushError } from "hush-secrets";
 * const apiKey = await getSecret("openai_api_key", { required: true });
 */

// --- Reading and writing secrets: the manager, names, errors, the source contract ---
export { createSecretsManager, getSecret } from "./manager.js";
export type { SecretsManager, SecretsManagerOptions, GetOptions, WriteOptions, AuditHook } from "./manager.js";
export { HushError, isHushError, hintFor, ERROR_CODES } from "./errors.js";
export type { HushErrorCode, HushErrorOptions } from "./errors.js";
export { canonicalName, envName, findCollisions } from "./names.js";
export type * from "./types.js";
export { VERSION } from "./version.js";
/** hush's per-user cache folder (0700, verified before use): the parse cache and the CLI's Node compile cache live there. */
export { userCacheDir } from "./fs/user-cache-dir.js";

// --- Sources ---
export { createEnvSource } from "./sources/env.js";
export type { EnvSourceOptions } from "./sources/env.js";
export { createDotenvSource } from "./sources/dotenv.js";
export type { DotenvSourceOptions } from "./sources/dotenv.js";
export { createLocalSource } from "./sources/local.js";
export type { LocalSourceOptions } from "./sources/local.js";
export { createMallkuSource } from "./sources/mallku.js";
export type { MallkuSourceOptions } from "./sources/mallku.js";
export { createAwsSource } from "./sources/aws.js";
export type { AwsSourceOptions } from "./sources/aws.js";
export { createVaultSource } from "./sources/vault/create.js";
export type { VaultSourceOptions } from "./sources/vault.js";
export { createGcpSource } from "./sources/gcp.js";
export type { GcpSourceOptions } from "./sources/gcp.js";
export { createKubernetesSource } from "./sources/kubernetes.js";
export type { KubernetesSourceOptions } from "./sources/kubernetes.js";
export { createPostgresSource } from "./sources/postgres.js";
export type { PostgresSourceOptions, PostgresSource, PostgresExtras } from "./sources/postgres.js";

// --- Fernet: for programs that share tokens with a Python service using `cryptography.fernet`
// (the Mallku layout's format): encrypt and decrypt under the same key file. Nothing in hush's
// CLI calls these; they are here for that interop.
export { fernetEncrypt, fernetDecrypt, generateFernetKey, parseFernetKey } from "./crypto/fernet.js";
export type { FernetKey, FernetEncryptOptions, FernetDecryptOptions } from "./crypto/fernet.js";

// --- hush.yaml and the project ---
export { loadConfig, findConfigFile, CONFIG_FILE } from "./config/load.js";
export type { LoadConfigOptions } from "./config/load.js";
export { validateConfig, checkConfig } from "./config/validate.js";
export { openConfiguredManager } from "./config/open.js";
export type { OpenConfiguredManagerOptions, ConfiguredManager } from "./config/open.js";
export type { HushConfig, LoadedConfig, SourceConfig, SecretPolicy, SecretType, RemoteRef, ConfigProblem, EnvironmentOrigin } from "./config/types.js";
export type { ProjectOptions } from "./workflows/project.js";

// --- Workflows: what `hush init|doctor|check|env-example|import|export|hook|incident` do ---
export { initProject } from "./config/init-project.js";
export type { InitProjectOptions, InitResult } from "./config/init-project.js";
export { diagnoseProject } from "./workflows/doctor.js";
export type { DiagnoseProjectOptions } from "./workflows/doctor.js";
export type { DoctorReport, DoctorProblem, DoctorSource } from "./config/doctor.js";
export type { DoctorKey } from "./config/doctor-keys.js";
export { checkRequired } from "./workflows/check.js";
export type { CheckRequiredOptions, RequiredCheckResult } from "./workflows/check.js";
export type { RequiredSecret } from "./config/required.js";
export { writeEnvExample } from "./workflows/env-example.js";
export type { WriteEnvExampleOptions, EnvExampleResult } from "./workflows/env-example.js";
export { copySecrets, diffSources } from "./workflows/copy.js";
export type { CopySecretsOptions, CopySecretsResult, CopyProgress, DiffSourcesOptions, DiffSourcesResult } from "./workflows/copy.js";
export { importSecrets } from "./workflows/import.js";
export type { ImportFormat, ImportOptions, ImportResult } from "./workflows/import.js";
export { exportSecrets } from "./export/export-secrets.js";
export type { ExportSecretsOptions, ExportResult } from "./export/export-secrets.js";
export { exportManifest, MANIFEST_FORMATS, SEALING_SCOPES, STORE_TYPES } from "./export/export-manifest.js";
export type { ExportManifestOptions, ManifestFormat, SealingScope } from "./export/export-manifest.js";
export { EXPORT_FORMATS } from "./export/format.js";
export type { ExportFormat } from "./export/format.js";
export { openIncident, listIncidents } from "./workflows/incident.js";
export type { OpenIncidentOptions, ListIncidentsOptions } from "./workflows/incident.js";
export { closeIncident } from "./workflows/incident-close.js";
export type { CloseIncidentOptions } from "./workflows/incident-close.js";
export { markIncidentCompromised } from "./workflows/incident-mark.js";
export type { MarkIncidentOptions } from "./workflows/incident-mark.js";
export type { IncidentRecord, IncidentListing, ChecklistItem } from "./workflows/incident-record.js";
export type { IncidentLeak, IncidentLeakReport } from "./workflows/incident-leaks.js";
export type { IncidentImpact, IncidentReader } from "./workflows/incident-impact.js";
export { installHook, uninstallHook } from "./workflows/hook.js";
export type { InstallHookOptions, UninstallHookOptions, HookResult } from "./workflows/hook.js";

// --- `hush run`: a child process with the secrets in its environment only ---
export { runWithSecrets } from "./run/spawn-with-secrets.js";
export type { RunWithSecretsOptions, RunResult } from "./run/spawn-with-secrets.js";
export { buildChildEnv, CLEAN_ENV_VARIABLES } from "./run/child-env.js";
export type { ChildEnvOptions } from "./run/child-env.js";
export { spawnFailureExitCode } from "./run/spawn-child.js";

// --- The gateway: agents use keys without holding them (docs/gateway.md) ---
export { startGateway } from "./gateway/start.js";
export type { StartGatewayOptions } from "./gateway/start.js";
export { revokeGatewayRoute, listGatewayRoutes } from "./gateway/workflows.js";
export type { GatewayRouteListing, RevokeGatewayRouteOptions, ListGatewayRoutesOptions } from "./gateway/workflows.js";
export { runWithGateway } from "./gateway/run-with-gateway.js";
export type { RunWithGatewayOptions } from "./gateway/run-with-gateway.js";
export { DEFAULT_MAX_REQUEST_BYTES } from "./gateway/types.js";
export type { Gateway, GatewayRoute, GatewayRouteSummary, RoutePolicy, RouteAuth, GatewayCallRequest, GatewayCallResponse } from "./gateway/types.js";
export type { GatewayConfig, GatewayRouteConfig } from "./gateway/config-types.js";

// --- LLM provider adapters ---
export { adapterConfig, resolveAdapter, injectAdapterSecrets } from "./adapters/inject.js";
export type { AdapterConfig, AdapterConfigOptions, AdapterResolution, InjectAdapterSecretsOptions } from "./adapters/inject.js";
export { PROVIDERS } from "./adapters/registry.js";
export type { ProviderEntry, ProviderSetting, ProviderGateway, KeyFormat, LlmRotationPolicy } from "./adapters/registry.js";
export { findProvider, keyLookupNames, resolveProviderKey } from "./adapters/lookup.js";
export type { KeyResolution, KeyCollision, SettingResolution, SecretReader } from "./adapters/lookup.js";
export { checkKeyFormat, formatWarningFor, maskKey } from "./adapters/format-check.js";
export type { FormatCheck } from "./adapters/format-check.js";
export { providerChecks } from "./adapters/checks.js";
export type { ProviderCheck } from "./adapters/checks.js";

// --- Leak scanning and redaction ---
export { scan, createRedactStream, redact, toSarif, PATTERN_RULES, ruleSeverity, SEVERITIES } from "./scan/index.js";
export type { ScanOptions, ScanResult, ScanFinding, ScanIssue, ScanProgress, ScanAllowOptions, RedactOptions, RedactValues, PatternRule, SarifLog, Severity } from "./scan/index.js";
export { scanProject } from "./scan/scan-project.js";
export type { ScanProjectOptions } from "./scan/scan-project.js";
export { listScanRules } from "./scan/run-rules.js";
export type { ListScanRulesOptions, ScanRuleListing } from "./scan/run-rules.js";

// --- Audit: the trail (auditor, sinks) and reading it back (log, report, verify, review) ---
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
export type { ReadAuditRecordsOptions } from "./audit/read.js";
export { createUnreadableTally, describeUnreadableLines } from "./audit/unreadable-lines.js";
export type { UnreadableAuditLine, UnreadableAuditLines, UnreadableTally } from "./audit/unreadable-lines.js";
export { verifyAuditLog } from "./audit/verify.js";
export type { AuditVerifyResult, AuditProblem, AuditProblemKind, VerifyAuditLogOptions } from "./audit/verify.js";
export { buildAccessReport, formatAccessReport } from "./audit/report.js";
export type { SecretAccessSummary, GatewayUse } from "./audit/report.js";
export { reviewAccess } from "./audit/review.js";
export type { AccessReview, AccessReviewOptions, SecretMeta, UnusualAccess } from "./audit/review.js";
export { formatReviewText, formatReviewMarkdown } from "./audit/review-format.js";
export { readProjectAuditLog, reportProjectAccess, verifyProjectAuditLog, reviewProjectAccess } from "./audit/project-audit.js";
export type { ReadProjectAuditLogOptions, NamedAuditRecord, ReportProjectAccessOptions, ReviewProjectAccessOptions, ProjectAuditVerifyResult, UnreadableLinesOptions } from "./audit/project-audit.js";

// --- Keys: the registry of key providers (hush.yaml's `keys.<env>.provider`), and how to define one ---
export { registerKeyProviderType, listKeyProviderTypes, findKeyProviderType } from "./keys/registry.js";
export { defineKeyProviderType } from "./keys/provider.js";
export type { KeyProvider, KeyProviderDescriptor, KeyProviderContext, KeyLocation, KeyProviderCheck } from "./keys/provider.js";
export type { KeyConfig } from "./config/types.js";
export { moveKey, rotateKey } from "./workflows/key-custody.js";
export type { MoveKeyOptions, MoveKeyResult, RotateKeyOptions } from "./workflows/key-custody.js";
export type { LocalRotationResult } from "./keys/rotate-local.js";

// --- Key custody: team members and moving a key (docs/team.md); the passphrase and team providers are in the key-provider registry ---
export { generateMemberIdentity } from "./keys/member-identity.js";
export type { MemberIdentityInfo } from "./keys/member-identity.js";
export type { MemberInfo, MemberList } from "./keys/members.js";
export { addProjectMember, listProjectMembers, removeProjectMember } from "./workflows/members.js";
export type { AddProjectMemberOptions, RemoveProjectMemberOptions, MemberChange, MemberRemoval } from "./workflows/members.js";
export { exportEnvironmentKey, importEnvironmentKey } from "./workflows/key-transfer.js";
export type { ExportEnvironmentKeyOptions, ImportEnvironmentKeyOptions, KeyExportResult, KeyImportResult } from "./workflows/key-transfer.js";
export type { ScryptParams } from "./keys/passphrase-wrap.js";

// --- Sources: the registry of source types (hush.yaml's `type:`), and how to define one ---
export { registerSourceType, listSourceTypes, findSourceType } from "./sources/registry.js";
export { defineSourceType } from "./sources/descriptor.js";
export { rotateSecret, DEFAULT_GRACE_MS } from "./workflows/rotate.js";
export type { RotateOptions, RotateResult } from "./workflows/rotate.js";
export { rotateDue } from "./workflows/rotate-due.js";
export type { RotateDueOptions, RotateDueResult } from "./workflows/rotate-due.js";
export { discardPendingRotation } from "./workflows/rotate-discard.js";
export type { DiscardPendingOptions, DiscardPendingResult, PendingSetStatus } from "./workflows/rotate-discard.js";
export { registerRotatorType, listRotatorTypes, findRotatorType } from "./rotation/registry.js";
export { defineRotatorType, ROTATION_STEPS } from "./rotation/rotator.js";
export type { Rotator, RotatorDescriptor, RotatorContext, RotationValues, RotationStep } from "./rotation/rotator.js";
export type { SourceDescriptor, SourceContext } from "./sources/descriptor.js";
export { option } from "./config/options-schema.js";
export type { OptionField, OptionsSchema, InferOptions, FieldSpec, ConfigPath, AddProblem } from "./config/options-schema.js";

// --- PostgreSQL: the shared production store's schema (`hush db migrate|status|grant`) ---
export { migrateDatabase, databaseStatus, grantDatabaseAccess } from "./workflows/db.js";
export type { DatabaseOptions, GrantDatabaseAccessOptions, GrantResult } from "./workflows/db.js";
export type { MigrateResult } from "./sources/postgres/migrate.js";
export { restoreSecret, destroySecret } from "./workflows/restore.js";
export type { SoftDeleteOptions, SoftDeleteResult } from "./workflows/restore.js";
export type { DbStatus, DbAccess } from "./sources/postgres/admin.js";

// --- Rotators: the postgres-role rotator (docs/rotation.md, "The postgres-role rotator") ---
export { postgresRoleRotatorType, createPostgresRoleRotator } from "./rotation/postgres-role.js";
export type { PostgresRoleOptions } from "./rotation/postgres-role.js";

// --- MCP: `hush mcp`, the gateway's routes as tools for an AI agent (docs/mcp.md); the SDK is an optional peer, loaded on first use ---
export { createMcpServer } from "./mcp/server.js";
export type { CreateMcpServerOptions, HushMcpServer, McpTransport } from "./mcp/server.js";
export { serveMcpStdio } from "./mcp/serve-stdio.js";
export type { ServeMcpStdioOptions } from "./mcp/serve-stdio.js";
export { serveGatewayMcp } from "./mcp/serve-gateway.js";
export type { ServeGatewayMcpOptions } from "./mcp/serve-gateway.js";
