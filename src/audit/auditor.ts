/**
 * The auditor: takes the manager's access events, replaces names by keyed ids and hands the
 * entries to sinks, in one of two modes.
 *
 * - `best-effort` (default): `record` only queues the event (no I/O on the access path); the
 *   queue is written in batches: at `batchSize` events, every `flushIntervalMs`, on `flush()`,
 *   `close()` and when the process is about to exit normally (`beforeExit`). A failing sink is
 *   warned about once per failure burst, and once more when it works again; accesses are served.
 *   Records still queued when the process is killed, or exits on an explicit exit call, are lost.
 * - `required` (fail-closed, `audit: required`): `record` resolves only once at least one
 *   persistent sink has written the record durably (fsync), and rejects with AUDIT_FAILED when
 *   none has within `timeoutMs`; the manager then denies the access. Records that arrive while
 *   a write is in progress are written together next (group commit).
 *
 * Cached reads are rolled up (src/audit/rollup.ts): one record per process, secret, version,
 * source and outcome per `rollupWindowMs` (60 s), with the count and the first and last time.
 * Queued records and roll-ups are also written when the process exits by `process.exit()`:
 * synchronously, to the sinks that can (the JSONL file). A SIGKILL loses what is queued and
 * the counts of the window in progress.
 *
 * It implements the manager's `AuditHook` ({ mode, record }). The batches, ids and sink health
 * are src/audit/auditor-writer.ts.
 *
 * @example
 * const auditor = createAuditor({ secretsDir: ".secrets", environment: "dev", mode: "required" });
 * const hush = createSecretsManager({ audit: auditor });
 * ...; await auditor.close();
 */
import { HushError } from "../errors.js";
import type { AccessEvent, AuditMode } from "../types.js";
import { createAuditWriter, type AuditWriter } from "./auditor-writer.js";
import { createJsonlSink, jsonlLogPath } from "./jsonl-sink.js";
import { createRollup, type Rollup } from "./rollup.js";
import { createSecretIdMapper, loadAuditKeys, type AuditKeys, type SecretIdMapper } from "./secret-id.js";
import type { AuditSink } from "./sink.js";
import { chooseKeyProvider, loadedKeyProvider, type KeySettings } from "../keys/environment-key.js";
import { createStderrSink } from "./stderr-sink.js";

export type { AuditMode } from "../types.js";

/** Options of {@link createAuditor}. */
export interface AuditorOptions {
  /** Environment whose key derives the ids and whose log is written. */
  environment: string;
  /** The secrets folder: the key file, and the default log `audit.<env>.jsonl`. Needed unless `keys` and `sinks` are given. */
  secretsDir?: string;
  /** @default "best-effort" */
  mode?: AuditMode;
  /** Where records go. @default [the JSONL file sink in secretsDir] */
  sinks?: AuditSink[];
  /** Sinks written besides the default JSONL file (when `sinks` is not given). @default none */
  addSinks?: AuditSink[];
  /** Also write each access to stderr (`{ names: true }` shows names). @default false */
  stderr?: boolean | { names?: boolean };
  /** The id and anchor keys. @default derived from the environment's key, got at the first write */
  keys?: AuditKeys;
  /** hush.yaml's `project:` and `keys:` (where the environment's key lives). @default the key file in secretsDir */
  keySettings?: KeySettings & { env?: NodeJS.ProcessEnv; root?: string };
  /** Longest wait for a sink (and, in required mode, for a record) before it counts as failed. @default 3000 */
  timeoutMs?: number;
  /** Best-effort: write when this many events are queued. @default 1024 */
  batchSize?: number;
  /** Best-effort: write queued events at least this often, in ms. @default 200 */
  flushIntervalMs?: number;
  /** Best-effort: events queued beyond this are dropped (and counted in a warning). @default 262144 */
  maxQueued?: number;
  /** Where warnings go (never values, never names). @default a line on stderr */
  onWarning?: (message: string) => void;
  /**
   * Cached reads are rolled up into one record per process, secret, version, source and outcome
   * per window of this many ms, with the count and the first and last time; 0: one record per
   * cached read. hush.yaml: `audit: { rollupWindow: 60s }`. @default 60000
   */
  rollupWindowMs?: number;
}

/** Default length of the roll-up window of cached reads, in ms. */
export const DEFAULT_ROLLUP_WINDOW_MS = 60_000;

/** The auditor; pass it as the manager's `audit` option. */
export interface Auditor {
  readonly mode: AuditMode;
  readonly sinks: readonly AuditSink[];
  /** Best-effort: queues and returns nothing. Required: resolves once persisted, rejects AUDIT_FAILED. */
  record(event: AccessEvent): Promise<void> | void;
  /**
   * Writes `event` now (with whatever is queued) and resolves once a persistent sink kept it
   * durably, in either mode; rejects with AUDIT_FAILED (the sinks' error codes, no value) when
   * none did within `timeoutMs`. For records whose caller must say whether they were made
   * (`hush incident`'s mark-compromised); accesses use `record`.
   */
  recordNow(event: AccessEvent): Promise<void>;
  /** The keyed id of a name (loads the key if needed). */
  secretId(name: string): string;
  /** Writes everything queued; resolves when done (never rejects in best-effort mode). */
  flush(): Promise<void>;
  /** Flushes, closes the sinks and stops the timer. Idempotent. */
  close(): Promise<void>;
}

/** Creates an auditor. Nothing is read or written until the first event. */
export function createAuditor(options: AuditorOptions): Auditor {
  const mode = options.mode ?? "best-effort";
  const timeoutMs = options.timeoutMs ?? 3_000;
  const warn = options.onWarning ?? ((m: string) => process.stderr.write(`hush: warning: ${m}\n`));
  const keys = lazyKeys(options);
  const sinks = auditSinks(options, mode, () => keys.get().anchorKey, warn);
  const writer = createAuditWriter({ sinks, required: mode === "required", timeoutMs, flushIntervalMs: options.flushIntervalMs ?? 200, ids: keys.ids, loadedIds: keys.loadedIds, warn });
  const recordNow = durableRecorder(writer, timeoutMs);
  const queueEvent = mode === "required" ? recordNow : bestEffortRecorder(writer, options, warn);
  const rollup = rollupOf(options, mode, writer, timeoutMs, warn);
  let closed = false;

  const auditor: Auditor = {
    mode,
    sinks,
    record(event) {
      if (!closed) return rollup && event.cached === true && event.action === "read" ? rollup.add(event) : queueEvent(event);
      if (mode === "required") return Promise.reject(new HushError("AUDIT_FAILED", "the auditor is closed, so the access was not recorded"));
    },
    recordNow: (event) => (closed ? Promise.reject(new HushError("AUDIT_FAILED", "the auditor is closed, so the record was not written")) : recordNow(event)),
    secretId: (name) => keys.ids().idOf(name),
    async flush() {
      writer.writeNow();
      await writer.settled(); // first reads still being made durable join their roll-up
      rollup?.drain();
      writer.writeNow();
      await writer.settled();
    },
    async close() {
      if (closed) return;
      closed = true;
      live.delete(auditor);
      if (live.size === 0) {
        process.off("beforeExit", flushAllOnExit);
        process.off("exit", writeAllAtExit);
      }
      await auditor.flush();
      rollup?.stop();
      await Promise.allSettled(sinks.map((s) => s.close?.()));
    },
  };
  if (live.size === 0) {
    process.on("beforeExit", flushAllOnExit);
    process.on("exit", writeAllAtExit);
  }
  live.set(auditor, {
    flushIfQueued() {
      if (rollup && rollup.size > 0) rollup.drain();
      if (writer.queued > 0) writer.writeNow();
    },
    writeAtExit() {
      rollup?.drain();
      writer.writeSync();
    },
  });
  return auditor;
}

export { toEntry } from "./auditor-writer.js";

// --- internal ---

/** Open auditors, each with how to flush it when the loop is empty, and at `exit`. */
const live = new Map<Auditor, { flushIfQueued(): void; writeAtExit(): void }>();

function flushAllOnExit(): void {
  // Runs when the event loop is empty. Only auditors with queued events or roll-ups write, so
  // once they are empty no new work is scheduled and the process exits.
  for (const a of live.values()) a.flushIfQueued();
}

function writeAllAtExit(): void {
  // `process.exit()` (or the end after beforeExit): only synchronous work runs now.
  for (const a of live.values()) a.writeAtExit();
}

/** The roll-up of cached reads, unless the window is 0. */
function rollupOf(options: AuditorOptions, mode: AuditMode, writer: AuditWriter, timeoutMs: number, warn: (m: string) => void): Rollup | undefined {
  const windowMs = options.rollupWindowMs ?? DEFAULT_ROLLUP_WINDOW_MS;
  if (!(windowMs > 0)) return undefined;
  const required = mode === "required";
  const recordFirst = durableRecorder(writer, timeoutMs);
  let failing = false;
  return createRollup({
    windowMs,
    required,
    recordFirst,
    emit(event) {
      if (!required) {
        writer.push(event);
        writer.writeSoon();
        return;
      }
      // The reads it counts were served (their first read is durable); a failure here loses the count only.
      writer.push(event, {
        resolve: () => (failing = false),
        reject: (e) => {
          if (!failing) warn(`audit: a roll-up of ${event.count} cached reads could not be written durably (${e.code}); the first read of each is recorded.`);
          failing = true;
        },
      });
      writer.writeNow();
    },
  });
}

/** The id and anchor keys, read at the first use (unless given), and the id mapper over them. */
function lazyKeys(options: AuditorOptions): { get(): AuditKeys; ids(): SecretIdMapper; loadedIds(): SecretIdMapper | undefined } {
  let loaded: AuditKeys | undefined = options.keys;
  let ids: SecretIdMapper | undefined;
  const get = (): AuditKeys => {
    if (loaded === undefined) {
      if (options.secretsDir === undefined) throw new HushError("CONFIG_INVALID", "The auditor needs `secretsDir` (for the environment's key) or `keys`.");
      loaded = loadAuditKeys(options.secretsDir, options.environment, options.keySettings);
    }
    return loaded;
  };
  return { get, ids: () => (ids ??= createSecretIdMapper(get().idKey)), loadedIds: () => ids };
}

/** The sinks: those given, else the JSONL file; plus stderr when asked. Required mode needs a persistent one. */
function auditSinks(options: AuditorOptions, mode: AuditMode, anchorKey: () => Buffer, warn: (m: string) => void): AuditSink[] {
  const sinks = options.sinks ? [...options.sinks] : [defaultJsonlSink(options, anchorKey, warn), ...(options.addSinks ?? [])];
  if (options.stderr) sinks.push(createStderrSink({ names: typeof options.stderr === "object" && options.stderr.names === true }));
  if (mode === "required" && !sinks.some((s) => s.persistent)) {
    throw new HushError("CONFIG_INVALID", "Fail-closed audit (`audit: required`) needs at least one persistent sink (the JSONL file or a database); stderr does not keep records.");
  }
  return sinks;
}

/** Best-effort: queues (no I/O on the access path) and drops beyond `maxQueued`, counted in a warning. */
function bestEffortRecorder(writer: AuditWriter, options: AuditorOptions, warn: (m: string) => void): (event: AccessEvent) => undefined {
  const batchSize = options.batchSize ?? 1024;
  const maxQueued = options.maxQueued ?? 262_144;
  let dropped = 0;
  return (event) => {
    if (writer.queued >= maxQueued) {
      if (dropped++ === 0) warn(`audit: ${maxQueued} access records are waiting to be written; further records are dropped until the queue drains (best-effort).`);
      return undefined;
    }
    if (dropped > 0 && writer.queued === 0) {
      warn(`audit: ${dropped} access records were dropped while the queue was full.`);
      dropped = 0;
    }
    writer.push(event);
    if (writer.queued >= batchSize) writer.writeNow();
    else writer.writeSoon();
    return undefined;
  };
}

/** Required: resolves once a persistent sink kept the record; AUDIT_FAILED after `timeoutMs`. */
function durableRecorder(writer: AuditWriter, timeoutMs: number): (event: AccessEvent) => Promise<void> {
  return (event) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new HushError("AUDIT_FAILED", `no audit sink persisted the record within ${timeoutMs} ms`)), timeoutMs);
      writer.push(event, { resolve: () => (clearTimeout(t), resolve()), reject: (e) => (clearTimeout(t), reject(e)) });
      writer.writeNow();
    });
}

function defaultJsonlSink(options: AuditorOptions, anchorKey: () => Buffer, warn: (m: string) => void): AuditSink {
  if (options.secretsDir === undefined) throw new HushError("CONFIG_INVALID", "The auditor needs `secretsDir` for its default log, or explicit `sinks`.");
  // The anchor key is read lazily, with the id key, at the first write.
  const { secretsDir, environment, keySettings } = options;
  // Which provider gave the key: the one that loaded it in this process, else the one hush.yaml names.
  const keyProvider = () => loadedKeyProvider({ secretsDir, environment }) ?? (keySettings ? chooseKeyProvider({ ...keySettings, secretsDir, environment, onWarning: () => undefined }).provider : undefined);
  return createJsonlSink({ path: jsonlLogPath(secretsDir, environment), environment, anchorKey, keyProvider, onWarning: (m) => warn(`audit: ${m}`) });
}
