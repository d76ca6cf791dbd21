/**
 * The manager's public types: its options, the options of its calls, and the interface itself.
 * See src/manager.ts for the implementation.
 */
import type {
  AccessActor, AccessEvent, AuditMode, AccessStats, ResolveResult, SecretExplanation, SecretListing, SecretRecord, SecretSource,
  SecretVersionInfo,
} from "./types.js";

/** How the manager hands access events to an audit trail. */
export interface AuditHook {
  /** `required`: a value is served only after `record` resolved (fail-closed). @default "best-effort" */
  mode?: AuditMode;
  /**
   * Persists one event. In required mode its rejection denies the access; returning undefined
   * (not a promise) says a durable record already covers it (a cached read in a roll-up).
   */
  record(event: AccessEvent): Promise<void> | void;
  /**
   * Persists one event now and resolves once a persistent sink kept it, in any mode; rejects
   * (AUDIT_FAILED) otherwise. Used for records the caller must confirm (`recordCompromised`);
   * without it those await `record`'s promise. The auditor implements it.
   */
  recordNow?(event: AccessEvent): Promise<void>;
}

/** Options of {@link createSecretsManager}; every field is optional. */
export interface SecretsManagerOptions {
  /** Project folder: `.env` files and the default `.secrets/` are found here. @default process.cwd() */
  cwd?: string;
  /** The secrets folder. @default "<cwd>/.secrets" */
  secretsDir?: string;
  /** Environment name. @default $HUSH_ENV, else "dev" */
  environment?: string;
  /** The chain, in order. @default env -> dotenv -> local (-> mallku when that layout is present) */
  sources?: SecretSource[];
  /** What the `env` source reads. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Keep resolved values in memory. @default true */
  cache?: boolean;
  /** How long a cached value is served before the chain is walked again, in ms. @default 60000 */
  cacheTtlMs?: number;
  /** Where warnings go (never values). @default a line on stderr */
  onWarning?: (message: string) => void;
  /** Who is acting, for access events. @default the OS user, host, pid and program */
  actor?: Partial<AccessActor>;
  /** Audit trail hook. @default none */
  audit?: AuditHook;
}

/** Options of {@link SecretsManager.get}. */
export interface GetOptions {
  /** Throw NOT_FOUND (naming the sources looked in) instead of returning undefined. @default false */
  required?: boolean;
}

/** Options of writes. */
export interface WriteOptions {
  /** Name of the source to write to. @default the first writable source */
  source?: string;
}

/** The manager: see {@link createSecretsManager}. */
export interface SecretsManager {
  readonly cwd: string;
  readonly secretsDir: string;
  readonly environment: string;
  readonly sources: readonly SecretSource[];
  /** The value of `name` (either spelling), from the cache or the first source that has it. */
  get(name: string, options: GetOptions & { required: true }): Promise<string>;
  get(name: string, options?: GetOptions): Promise<string | undefined>;
  /**
   * The hot path: a value already resolved (by `get`, `resolve` or `preload`) and still fresh,
   * synchronously; undefined otherwise. Counted and audited like `get`. Always undefined in
   * fail-closed audit mode, where every access waits for its record (use `get`).
   */
  getCached(name: string): string | undefined;
  /** Resolves names (default: every listed name) into the cache; returns the issues. */
  preload(names?: string[]): Promise<ResolveResult["issues"]>;
  /** `get` with the record's provenance. `required`: NOT_FOUND after the one walk of the chain. */
  getRecord(name: string, options: GetOptions & { required: true }): Promise<SecretRecord>;
  getRecord(name: string, options?: GetOptions): Promise<SecretRecord | undefined>;
  /** Many names at once (default: every listed name): `{ secrets, issues }`, never throwing for one name. */
  resolve(names?: string[]): Promise<ResolveResult>;
  /** Every name the chain lists (canonical, sorted), without reading a value. */
  names(): Promise<string[]>;
  /** Every listed name with the source that wins and the ones it shadows (reads each source). */
  set(name: string, value: string, options?: WriteOptions): Promise<SecretRecord>;
  /**
   * Many values into one source, all or nothing when the source has `setMany` (one lock, one
   * rewrite), else one `set` per name. Records in the order given; one access event per name.
   */
  setMany(entries: readonly (readonly [name: string, value: string])[], options?: WriteOptions): Promise<SecretRecord[]>;
  delete(name: string, options?: WriteOptions): Promise<boolean>;
  list(): Promise<SecretListing[]>;
  explain(name: string): Promise<SecretExplanation>;
  versions(name: string, options?: WriteOptions): Promise<SecretVersionInfo[]>;
  rollback(name: string, toVersion: number, options?: WriteOptions): Promise<SecretRecord>;
  /**
   * Emits the access event (and so the audit record) of one step of a rotation: the rotate
   * workflow calls it for each step, `served` or `error` with the failure's code. Never a value.
   */
  recordRotationStep(name: string, step: RotationStepName, outcome: "served" | "error", details?: { source?: string; version?: number; errorCode?: string }): Promise<void>;
  /**
   * Records (an audit record, action `mark-compromised`) that a version of a secret is
   * compromised: `hush incident` calls it for the version it rotated away from. Never a value.
   * Resolves only once the record is kept by a persistent audit sink, in any audit mode (best-effort
   * too); rejects with AUDIT_FAILED (the reason, no value) when it was not, or when audit is off.
   */
  recordCompromised(name: string, details: { source: string; version?: number }): Promise<void>;
  /**
   * Records (an audit record, action `incident-close`) that an incident on a secret was closed
   * (`served`) or that closing it failed (`error` with the failure's code): `hush incident close`
   * calls it with the source and version the incident names. Never a value, never the note.
   */
  recordIncidentClosed(name: string, outcome: "served" | "error", details: { source: string; version?: number; errorCode?: string }): Promise<void>;
  accessReport(): AccessStats[];
  /**
   * Calls `callback` with the new record whenever the value `get(name)` serves changes (a
   * rotation's finish, a write), through the sources' `watch`; returns a function that stops it.
   * The first read is the baseline (no call). See src/manager-watch.ts.
   */
  onChange(name: string, callback: (record: SecretRecord | undefined) => void | Promise<void>): () => void;
  onAccess(listener: (event: AccessEvent) => void | Promise<void>): () => void;
  clearCache(): void;
  dispose(): Promise<void>;
}

/** The steps of a rotation as `recordRotationStep` takes them (src/rotation/rotator.ts), and `discard` (`hush rotate NAME --discard`). */
export type RotationStepName = "create" | "set" | "test" | "finish" | "revoke" | "discard";
