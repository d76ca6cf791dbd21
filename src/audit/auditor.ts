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
 * It implements the manager's `AuditHook` ({ mode, record }).
 *
 * @example
 * const auditor = createAuditor({ secretsDir: ".secrets", environment: "dev", mode: "required" });
 * const hush = createSecretsManager({ audit: auditor });
 * ...; await auditor.close();
 */
import { HushError } from "../errors.js";
import type { AccessEvent, AuditMode } from "../types.js";
import { createJsonlSink, jsonlLogPath } from "./jsonl-sink.js";
import type { AuditEntry } from "./record.js";
import { createSecretIdMapper, loadAuditKeys, type AuditKeys, type SecretIdMapper } from "./secret-id.js";
import type { AuditAppendContext, AuditSink } from "./sink.js";
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
  /** Also write each access to stderr (`{ names: true }` shows names). @default false */
  stderr?: boolean | { names?: boolean };
  /** The id and anchor keys. @default derived from the environment's key file, read at the first write */
  keys?: AuditKeys;
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
}

/** The auditor; pass it as the manager's `audit` option. */
export interface Auditor {
  readonly mode: AuditMode;
  readonly sinks: readonly AuditSink[];
  /** Best-effort: queues and returns nothing. Required: resolves once persisted, rejects AUDIT_FAILED. */
  record(event: AccessEvent): Promise<void> | void;
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
  const required = mode === "required";
  const timeoutMs = options.timeoutMs ?? 3_000;
  const batchSize = options.batchSize ?? 1024;
  const flushIntervalMs = options.flushIntervalMs ?? 200;
  const maxQueued = options.maxQueued ?? 262_144;
  const warn = options.onWarning ?? ((m: string) => process.stderr.write(`hush: warning: ${m}\n`));
  const sinks = options.sinks ? [...options.sinks] : [defaultJsonlSink(options, () => keys().anchorKey, warn)];
  if (options.stderr) sinks.push(createStderrSink({ names: typeof options.stderr === "object" && options.stderr.names === true }));
  if (required && !sinks.some((s) => s.persistent)) {
    throw new HushError("CONFIG_INVALID", "Fail-closed audit (`audit: required`) needs at least one persistent sink (the JSONL file or a database); stderr does not keep records.");
  }

  let loadedKeys: AuditKeys | undefined = options.keys;
  let ids: SecretIdMapper | undefined;
  function keys(): AuditKeys {
    if (loadedKeys === undefined) {
      if (options.secretsDir === undefined) throw new HushError("CONFIG_INVALID", "The auditor needs `secretsDir` (for the environment's key) or `keys`.");
      loadedKeys = loadAuditKeys(options.secretsDir, options.environment);
    }
    return loadedKeys;
  }
  function mapper(): SecretIdMapper {
    return (ids ??= createSecretIdMapper(keys().idKey));
  }

  let queue: AccessEvent[] = [];
  let waiters: Waiter[] = [];
  let chain: Promise<void> = Promise.resolve();
  let scheduled = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let dropped = 0;
  const health = new Map<AuditSink, SinkHealth>();
  for (const s of sinks) health.set(s, { failing: false, lost: 0 });
  let keyFailing = false;

  function schedule(): void {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (scheduled) return;
    scheduled = true;
    chain = chain.then(() => {
      scheduled = false;
      const events = queue;
      const batchWaiters = waiters;
      queue = [];
      waiters = [];
      return writeBatch(events, batchWaiters);
    });
  }

  async function writeBatch(events: AccessEvent[], batchWaiters: Waiter[]): Promise<void> {
    if (events.length === 0) return settle(batchWaiters, undefined);
    let entries: AuditEntry[];
    try {
      const m = mapper();
      entries = events.map((e) => toEntry(e, m));
      if (keyFailing) keyFailing = false;
    } catch (e) {
      if (!keyFailing && !required) warn(`audit: cannot compute secret ids (${codeOf(e)}); ${events.length} access records were not written. Accesses are still served (best-effort).`);
      keyFailing = true;
      return settle(batchWaiters, denial([`secret ids: ${codeOf(e)}`]));
    }
    const context: AuditAppendContext = { durable: required, nameOf: (id) => ids?.nameOf(id) };
    const results = await Promise.allSettled(sinks.map((s) => withTimeout(s.append(entries, context), timeoutMs)));
    const failures: string[] = [];
    let kept = false;
    results.forEach((r, i) => {
      const sink = sinks[i]!;
      const h = health.get(sink)!;
      if (r.status === "fulfilled") {
        if (sink.persistent) kept = true;
        if (h.failing) warn(`audit: the ${sink.name} sink works again; ${h.lost} access records were not written while it failed.`);
        h.failing = false;
        h.lost = 0;
        return;
      }
      const why = codeOf(r.reason);
      failures.push(`${sink.name}: ${why}`);
      if (!h.failing) warn(`audit: the ${sink.name} sink failed (${why}); ${required ? "accesses are denied until a persistent sink works (fail-closed)" : "accesses are still served (best-effort)"}. Further failures stay quiet until it works again.`);
      h.failing = true;
      h.lost += entries.length;
    });
    settle(batchWaiters, kept ? undefined : denial(failures));
  }

  function settle(list: Waiter[], error: HushError | undefined): void {
    for (const w of list) {
      if (error) w.reject(error);
      else w.resolve();
    }
  }

  const auditor: Auditor = {
    mode,
    sinks,
    record(event) {
      if (closed) {
        if (required) return Promise.reject(new HushError("AUDIT_FAILED", "The auditor is closed; the access was not recorded."));
        return;
      }
      if (!required) {
        if (queue.length >= maxQueued) {
          if (dropped++ === 0) warn(`audit: ${maxQueued} access records are waiting to be written; further records are dropped until the queue drains (best-effort).`);
          return;
        }
        if (dropped > 0 && queue.length === 0) {
          warn(`audit: ${dropped} access records were dropped while the queue was full.`);
          dropped = 0;
        }
        queue.push(event);
        if (queue.length >= batchSize) schedule();
        else if (timer === undefined && !scheduled) {
          timer = setTimeout(schedule, flushIntervalMs);
          timer.unref();
        }
        return;
      }
      return new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new HushError("AUDIT_FAILED", `No audit sink persisted the record within ${timeoutMs} ms; the access was denied (fail-closed).`)), timeoutMs);
        queue.push(event);
        waiters.push({ resolve: () => (clearTimeout(t), resolve()), reject: (e) => (clearTimeout(t), reject(e)) });
        schedule();
      });
    },
    secretId: (name) => mapper().idOf(name),
    async flush() {
      schedule();
      await chain;
    },
    async close() {
      if (closed) return;
      closed = true;
      live.delete(auditor);
      if (live.size === 0) process.off("beforeExit", flushAllOnExit);
      await auditor.flush();
      await Promise.allSettled(sinks.map((s) => s.close?.()));
    },
  };
  if (live.size === 0) process.on("beforeExit", flushAllOnExit);
  live.set(auditor, () => {
    if (queue.length > 0) schedule();
  });
  return auditor;
}

/** Turns an access event into a sink entry: the name becomes its id; nothing else of it is kept. */
export function toEntry(e: AccessEvent, ids: Pick<SecretIdMapper, "idOf">): AuditEntry {
  return {
    time: isoTime(e.time),
    env: e.environment,
    secretId: ids.idOf(e.name),
    action: e.action,
    outcome: e.outcome,
    source: e.source ?? null,
    version: e.version ?? null,
    errorCode: e.errorCode ?? null,
    actor: e.actor, // shared, not copied: sinks only read it
  };
}

// --- internal ---

interface Waiter {
  resolve(): void;
  reject(e: HushError): void;
}

interface SinkHealth {
  failing: boolean;
  /** Records not written since the burst began. */
  lost: number;
}

/** Open auditors, each with a function that flushes it when it has events queued. */
const live = new Map<Auditor, () => void>();

let lastTimeMs = NaN;
let lastIso = "";

/** toISOString, memoised for the last millisecond (the cached read path uses a coarse clock). */
function isoTime(d: Date): string {
  const t = d.getTime();
  if (t !== lastTimeMs) {
    lastTimeMs = t;
    lastIso = d.toISOString();
  }
  return lastIso;
}

function flushAllOnExit(): void {
  // Runs when the event loop is empty. Only auditors with queued events write, so once the
  // queues are empty no new work is scheduled and the process exits.
  for (const flushIfQueued of live.values()) flushIfQueued();
}

function defaultJsonlSink(options: AuditorOptions, anchorKey: () => Buffer, warn: (m: string) => void): AuditSink {
  if (options.secretsDir === undefined) throw new HushError("CONFIG_INVALID", "The auditor needs `secretsDir` for its default log, or explicit `sinks`.");
  // The anchor key is read lazily, with the id key, at the first write.
  return createJsonlSink({ path: jsonlLogPath(options.secretsDir, options.environment), environment: options.environment, anchorKey, onWarning: (m) => warn(`audit: ${m}`) });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new HushError("AUDIT_FAILED", `The sink did not answer within ${ms} ms.`, { cause: { code: "TIMEOUT" } })), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

function denial(failures: string[]): HushError {
  return new HushError("AUDIT_FAILED", `No audit sink persisted the record, so the access was denied (fail-closed): ${failures.join("; ") || "no persistent sink"}.`);
}

/** A failure's code for messages: `WRITE_FAILED/ENOSPC`, `TIMEOUT`; never a foreign message. */
function codeOf(e: unknown): string {
  if (e instanceof HushError) {
    if (e.causeCode === "TIMEOUT") return "TIMEOUT";
    return e.causeCode ? `${e.code}/${e.causeCode}` : e.code;
  }
  const c = e as { code?: unknown; name?: unknown } | undefined;
  if (typeof c?.code === "string") return c.code;
  if (typeof c?.name === "string") return c.name;
  return "unknown error";
}
