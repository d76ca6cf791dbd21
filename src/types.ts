/**
 * The shared types of hush: sources, records, the manager and its access events.
 * Kept in one place so sources, the manager, audit and the CLI agree on one contract.
 */

/** A resolved secret and where it came from. Never log it whole: `value` is the secret. */
export interface SecretRecord {
  /** Canonical name as the source holds it (`openai_api_key`, `database.config`). */
  name: string;
  /** The value. A non-string JSON value from the Python layout arrives as its JSON text. */
  value: string;
  /** Name of the source that served it (`env`, `dotenv`, `local`, `mallku`, ...). */
  source: string;
  /** Version number, for versioned sources. */
  version?: number;
  /** When this version was written, for sources that know. */
  updatedAt?: Date;
  /** Where exactly inside the source (a file path, a variable name), for `explain`. Never a value. */
  location?: string;
  /** `json` when the stored value was not a string and `value` is its JSON text. */
  encoding?: "string" | "json";
  /**
   * True when the backend was unreachable and this is a last-known-good copy read earlier (see
   * src/sources/remote/last-known-good.ts): served with a warning, and audit marks the access stale.
   */
  stale?: boolean;
}

/** One stored version of a secret, as `versions()` returns it (no value). */
export interface SecretVersionInfo {
  version: number;
  createdAt: Date;
  /** Labels such as `current`, `previous`, `pending`. */
  labels?: string[];
}

/** What a live `check()` found, for `hush doctor`. */
export interface SourceCheck {
  ok: boolean;
  /** One line, never a value. */
  detail: string;
  /** Problems with their fix, e.g. a `chmod` command. */
  problems?: { message: string; fix: string }[];
}

/** Where a remote source keeps a name: `secrets.NAME.remote` from hush.yaml, or the name under the source's prefix. */
export interface RemoteLocationInfo {
  /** The remote key (a Vault path under the mount, a secret's name, a Kubernetes Secret). */
  key: string;
  /** The field of a JSON or multi-field value, when one is picked. */
  property?: string;
  /** The version pinned in hush.yaml, when one is; else the latest is read. */
  version?: string;
  /** True when hush.yaml's `secrets.NAME.remote` says so; false when derived from the name. */
  mapped: boolean;
  /** The full address as the backend names it (`secret/data/apps/llm#openai`). */
  address: string;
}

/** A change notification from `watch()`. */
export interface SourceChange {
  source: string;
  /** Names that changed, when known; undefined means "anything may have changed". */
  names?: string[];
}

/**
 * A source of secrets: a plain object made by a factory. `name`, `get` and `list` are
 * required; every other method is optional, and its presence is the capability.
 * "Not here" is `undefined`; every other failure throws a HushError.
 */
export interface SecretSource {
  /** The source's name as configured (`env`, `dotenv`, `local`, ...). */
  readonly name: string;
  /** The record for `name` (canonical form), or undefined when this source does not have it. */
  get(name: string): Promise<SecretRecord | undefined>;
  /**
   * `get` for many names in one call (same records, in the order asked); optional. When it
   * throws, the manager asks name by name, so one bad name does not fail the others.
   */
  getMany?(names: readonly string[]): Promise<(SecretRecord | undefined)[]>;
  /** Names held, without values. */
  list(): Promise<string[]>;
  /** Writes a new value (a new version, for versioned sources). Present together with `delete`. */
  set?(name: string, value: string): Promise<SecretRecord>;
  /**
   * Writes many values at once, all or nothing: one lock, one rewrite (a new version of each, for
   * versioned sources); optional, and only with `set`. Records come back in the order given. A
   * name given twice (in either spelling) is an INVALID_ARGUMENT and nothing is written.
   */
  setMany?(entries: readonly (readonly [name: string, value: string])[]): Promise<SecretRecord[]>;
  /** Removes a secret; returns false when it was not there. Present together with `set`. */
  delete?(name: string): Promise<boolean>;
  /** Stored versions, newest first, without values. */
  versions?(name: string): Promise<SecretVersionInfo[]>;
  /** A given version's record. */
  getVersion?(name: string, version: number): Promise<SecretRecord | undefined>;
  /** Makes a new version equal to an old one; returns the new record. */
  rollback?(name: string, toVersion: number): Promise<SecretRecord>;
  /**
   * Rotation staging (docs/rotation.md): writes `value` as a new version labelled `pending`
   * WITHOUT moving `current`, so readers keep the current value while a rotator applies and tests
   * the new one. Check-and-set: when `name` already has a pending version (another rotation is
   * under way, or one was interrupted) it throws ROTATION_IN_PROGRESS and writes nothing. Present
   * together with `getPending`, `promote` and `discardPending`; the capability of a versioned source.
   */
  stage?(name: string, value: string): Promise<SecretRecord>;
  /** The pending version of `name` (from `stage`), or undefined when there is none. */
  getPending?(name: string): Promise<SecretRecord | undefined>;
  /**
   * Finishes a rotation atomically: pending version `version` becomes `current`, the old current
   * becomes `previous`. Throws ROTATION_IN_PROGRESS when `version` is not the pending one (another
   * rotation finished or replaced it) and CONCURRENT_MODIFICATION when `current` was written since
   * the version was staged (its number is no longer the newest); nothing changes then.
   */
  promote?(name: string, version: number): Promise<SecretRecord>;
  /** Drops pending version `version` (an abandoned rotation); false when it is not the pending one. */
  discardPending?(name: string, version: number): Promise<boolean>;
  /**
   * Where this source keeps `name` in its backend (remote sources: the mapping model), without a
   * network call; for `hush list --explain`. Optional; never a value.
   */
  remoteLocation?(name: string): RemoteLocationInfo;
  /**
   * True when `watch` is a cheap push channel (the postgres source's LISTEN): the manager then
   * subscribes from its creation and drops changed names from its cache.
   */
  readonly liveChanges?: boolean;
  /** Calls `onChange` when the source changes; returns a function that stops watching. */
  watch?(onChange: (change: SourceChange) => void): () => void;
  /** Live health check for `hush doctor`. */
  check?(): Promise<SourceCheck>;
  /** Releases connections and watchers. Idempotent. */
  dispose?(): Promise<void>;
}

/**
 * How the audit trail treats an access: `best-effort` serves it even when its record cannot be
 * written (and warns); `required` (fail-closed) serves it only once the record is kept. The one
 * definition: the manager's hook, the auditor and hush.yaml's `audit:` (which adds `off`) use it.
 */
export type AuditMode = "best-effort" | "required";

/** Outcome of one access, as audit records it. */
export type AccessOutcome = "served" | "missing" | "denied" | "error";

/**
 * What an access did. The `rotate-*` actions are the steps of `hush rotate` (docs/rotation.md;
 * `rotate-discard`: `hush rotate NAME --discard`);
 * `gateway-request` is one request through `hush gateway` with the secret's key (docs/gateway.md);
 * `mark-compromised` and `incident-close` are `hush incident` and `hush incident close` (docs/rotation.md).
 */
export type AccessAction = "read" | "write" | "delete" | "rollback" | "rotate-create" | "rotate-set" | "rotate-test" | "rotate-finish" | "rotate-revoke" | "rotate-discard" | "mark-compromised" | "incident-close" | "gateway-request";

/** What a `gateway-request` record adds: never a body, a query string, a header or a key. */
export interface GatewayRequestDetail {
  route: string;
  method: string;
  /** The path without its query, ids collapsed to `:id` (`/v1/charges/:id`). */
  path: string;
  /** The status the client got (the upstream's, or the gateway's refusal). */
  status: number;
  bytesIn: number;
  bytesOut: number;
  latencyMs: number;
  /** The gateway run (random, not secret). */
  runId: string;
  via: "http" | "mcp";
  /** Tokens the reply counted for, on a route with `maxTokens` or `maxSpend` (absent elsewhere). */
  inputTokens?: number;
  outputTokens?: number;
  /** True when the reply's usage could not be read and the tokens are the request's upper bound. */
  tokensEstimated?: boolean;
}

/** Who accessed. */
export interface AccessActor {
  user: string;
  host: string;
  pid: number;
  /** The command line's program and sub-command, never its arguments' values. */
  command: string;
}

/** One access event: emitted by the manager for each resolution and each write. */
export interface AccessEvent {
  time: Date;
  environment: string;
  /** Canonical secret name. Audit sinks replace it by a keyed id before writing. */
  name: string;
  action: AccessAction;
  outcome: AccessOutcome;
  /** The source that served or took it, when one did. */
  source?: string;
  version?: number;
  /** Error code, for `denied` / `error`. */
  errorCode?: string;
  actor: AccessActor;
  /** True for a read served from the manager's cache (the auditor rolls these up, see docs/audit.md). */
  cached?: boolean;
  /** The facts of a `gateway-request`. */
  detail?: GatewayRequestDetail;
}

/** Access tracking per secret, as the reference design's `get_access_report`. */
export interface AccessStats {
  name: string;
  source: string | undefined;
  count: number;
  firstAccess: Date;
  lastAccess: Date;
}

/** A name with where it is provided, for `list()` and `explain()`. Never values. */
export interface SecretListing {
  name: string;
  /** The env-var form (`OPENAI_API_KEY`). */
  envName: string;
  /** The source that wins. */
  source: string;
  /** Sources further down the chain that also hold it, and are shadowed. */
  shadowed: string[];
  version?: number;
  updatedAt?: Date;
  /** Where the winning source keeps it, when that source is a remote one (see `SecretSource.remoteLocation`). */
  remote?: RemoteLocationInfo;
}

/** `explain(name)`: every source in order and what it holds for that name. */
export interface SecretExplanation {
  name: string;
  envName: string;
  winner: string | undefined;
  sources: { source: string; found: boolean; version?: number; updatedAt?: Date; location?: string; error?: string; remote?: RemoteLocationInfo }[];
  /** What a reader should know about this name: where hush and the Python layout map it differently. */
  notes?: string[];
}

/** A problem met while resolving many names. */
export interface ResolveIssue {
  name: string;
  code: string;
  message: string;
}

/** `resolve(names)`: the values found and the problems, so callers can apply `--strict`. */
export interface ResolveResult {
  secrets: Record<string, SecretRecord>;
  issues: ResolveIssue[];
}
