/**
 * What the project-level audit calls share: the project's manager, its audit log, the keys
 * derived from the environment's key, and an id mapper that knows every name the project has.
 * Records name secrets by keyed id; ids map back to names only by hashing names one knows (the
 * names the sources list, those hush.yaml declares, the LLM providers' key names), so only
 * someone holding the environment's key sees names.
 */
import { isHushError } from "../errors.js";
import type { SecretsManager } from "../manager.js";
import type { LoadedConfig } from "../config/types.js";
import { keySettingsOf, openConfiguredManager } from "../config/open.js";
import type { ProjectOptions } from "../workflows/project.js";
import { jsonlLogPath } from "./jsonl-sink.js";
import type { PostgresAuditSink } from "./postgres-sink.js";
import { readAuditRecords } from "./read.js";
import type { AuditRecord } from "./record.js";
import { createSecretIdMapper, deriveAuditKeys, type AuditKeys } from "./secret-id.js";
import { createUnreadableTally, type UnreadableTally } from "./unreadable-lines.js";
import { loadEnvironmentKey } from "../keys/environment-key.js";

/** An opened project, ready for its audit log to be read. */
export interface AuditScope {
  manager: SecretsManager;
  loaded: LoadedConfig;
  logPath: string;
  /** Undefined only when the key was optional and is missing. */
  keys: AuditKeys | undefined;
  ids: { idOf(name: string): string; nameOf(id: string): string | undefined };
  /** Names the sources list plus the names hush.yaml declares, sorted. */
  names: string[];
  /** The postgres sink, when hush.yaml's audit.sinks names it: the fleet's trail, read instead of the file. */
  postgres: PostgresAuditSink | undefined;
  /** Every record of the trail: the postgres sink's when configured, else the JSONL file's; lines or rows that are not records go to `unreadable`. */
  records(unreadable?: UnreadableTally): AsyncIterable<AuditRecord>;
  /** A tally for `records` (lines of the JSONL file, or rows of the postgres sink). */
  unreadableTally(): UnreadableTally;
  /** What the trail is, for messages: `postgres audit sink` or the JSONL file's path. */
  trail: string;
  /** Disposes the manager and closes the postgres sink. */
  close(): Promise<void>;
}

/** How the scope is opened. */
export interface AuditScopeOptions {
  /** A missing key is not an error (verify: the anchor's MAC is then not checked). */
  keyOptional?: boolean;
  /** Names to learn besides the project's (a name asked for). */
  extraNames?: string[];
  /** Learn no names (verify needs none). */
  noNames?: boolean;
}

/** Opens the project and its audit keys; the caller closes the scope. */
export async function openAuditScope(options: ProjectOptions, scope: AuditScopeOptions = {}): Promise<AuditScope> {
  const { manager, loaded } = await openConfiguredManager(options);
  try {
    let keys: AuditKeys | undefined;
    try {
      const settings = { ...keySettingsOf(loaded.config), env: options.env, root: loaded.root };
      keys = deriveAuditKeys(await loadEnvironmentKey({ ...settings, secretsDir: manager.secretsDir, environment: manager.environment, onWarning: () => undefined }));
    } catch (e) {
      if (!scope.keyOptional || !isHushError(e, "KEY_MISSING")) throw e;
    }
    const names = scope.noNames ? [] : await knownNames(manager, loaded, options.onWarning);
    const mapper = keys ? createSecretIdMapper(keys.idKey) : undefined;
    // Provider key names are learned too (a lookup of a missing one is an access record), but
    // they are not secrets of the project: the review does not list them.
    if (mapper && !scope.noNames) mapper.learn([...names, ...(scope.extraNames ?? []), ...(await providerNames())]);
    const ids = mapper ?? { idOf: () => "", nameOf: () => undefined };
    const logPath = jsonlLogPath(manager.secretsDir, manager.environment);
    const postgres = loaded.config.auditSettings?.sinks?.includes("postgres") ? (await import("./configured-sinks.js")).postgresAuditSinkOf(loaded, options.env ?? process.env) : undefined;
    const records = (unreadable?: UnreadableTally) => (postgres ? postgres.read!(unreadable) : readAuditRecords(logPath, { unreadable }));
    const unreadableTally = () => createUnreadableTally(postgres ? "row" : "line");
    const trail = postgres ? "postgres audit sink" : logPath;
    const close = async () => {
      try {
        await manager.dispose();
      } finally {
        await postgres?.close?.();
      }
    };
    return { manager, loaded, logPath, keys, ids, names, postgres, records, unreadableTally, trail, close };
  } catch (e) {
    await manager.dispose();
    throw e;
  }
}

/** Opens the scope, runs `fn`, and closes the scope whatever happens. */
export async function withAuditScope<T>(options: ProjectOptions, scope: AuditScopeOptions, fn: (s: AuditScope) => Promise<T>): Promise<T> {
  const s = await openAuditScope(options, scope);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

// --- internal ---

async function knownNames(manager: SecretsManager, loaded: LoadedConfig, onWarning: (m: string) => void = (m) => process.stderr.write(`hush: warning: ${m}\n`)): Promise<string[]> {
  let listed: string[] = [];
  try {
    listed = await manager.names(); // names only: list() would read every value of every source
  } catch (e) {
    // A source that cannot list (offline backend) only costs names; say which code.
    onWarning(`could not list every source (${isHushError(e) ? e.code : "error"}); some ids stay unnamed`);
  }
  return [...new Set([...listed, ...Object.keys(loaded.config.secrets)])].sort();
}

/**
 * The names `hush providers`, `doctor` and the adapters look up (keys, aliases, settings): a
 * missing one is still an access record, and its id should read as a name in the report.
 */
async function providerNames(): Promise<string[]> {
  const { PROVIDERS } = await import("../adapters/registry.js");
  const { keyLookupNames } = await import("../adapters/lookup.js");
  return PROVIDERS.flatMap((p) => [...keyLookupNames(p), ...p.settings.flatMap((s) => s.names)]).map((n) => n.toLowerCase());
}
