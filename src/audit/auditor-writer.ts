/**
 * The auditor's writer: queues access events and writes them to the sinks in batches (one write
 * at a time; events that arrive meanwhile go in the next: group commit). Names become keyed ids
 * here. A failing sink is warned about once per failure burst, and once more when it works
 * again. In required mode each event has a waiter, settled once a persistent sink kept it; in
 * best-effort mode only events written by `Auditor.recordNow` have one (their batch is durable).
 */
import { HushError } from "../errors.js";
import type { AccessEvent } from "../types.js";
import type { AuditEntry } from "./record.js";
import type { SecretIdMapper } from "./secret-id.js";
import type { RolledUpEvent } from "./rollup.js";
import type { AuditAppendContext, AuditSink } from "./sink.js";

/** Settles one fail-closed access. */
export interface Waiter {
  resolve(): void;
  reject(e: HushError): void;
}

/** Options of {@link createAuditWriter}. */
export interface AuditWriterOptions {
  sinks: readonly AuditSink[];
  /** Fail-closed: durable appends, and a batch no persistent sink kept rejects its waiters. */
  required: boolean;
  timeoutMs: number;
  /** How long a queued event may wait for its batch (best-effort). */
  flushIntervalMs: number;
  /** The id mapper (loads the key at the first use; may throw). */
  ids(): SecretIdMapper;
  /** The id mapper if already loaded, for sinks that map ids back. */
  loadedIds(): SecretIdMapper | undefined;
  warn(message: string): void;
}

/** See the module comment. */
export interface AuditWriter {
  /** Events waiting for their batch. */
  readonly queued: number;
  push(event: AccessEvent, waiter?: Waiter): void;
  /** Writes the queue as soon as the write in progress (if any) is done. */
  writeNow(): void;
  /** Writes the queue within `flushIntervalMs` (a timer, unless one is set or a write is due). */
  writeSoon(): void;
  /** Resolves once every write scheduled so far is done. */
  settled(): Promise<void>;
  /**
   * Writes the queue now, synchronously, to the sinks that can (`appendSync`), for a process's
   * `exit` event. A batch already handed to a sink asynchronously is not written again.
   */
  writeSync(): void;
}

/** Creates the writer of one auditor. */
export function createAuditWriter(options: AuditWriterOptions): AuditWriter {
  let queue: AccessEvent[] = [];
  let waiters: Waiter[] = [];
  let chain: Promise<void> = Promise.resolve();
  let scheduled = false;
  let timer: NodeJS.Timeout | undefined;
  const write = createBatchWrite(options);

  function writeNow(): void {
    clearTimeout(timer);
    timer = undefined;
    if (scheduled) return;
    scheduled = true;
    chain = chain.then(() => {
      scheduled = false;
      const batch = { events: queue, waiters };
      queue = [];
      waiters = [];
      return write(batch.events, batch.waiters);
    });
  }

  return {
    get queued() {
      return queue.length;
    },
    push(event, waiter) {
      queue.push(event);
      if (waiter) waiters.push(waiter);
    },
    writeNow,
    writeSoon() {
      if (timer !== undefined || scheduled) return;
      timer = setTimeout(writeNow, options.flushIntervalMs);
      timer.unref();
    },
    settled: () => chain,
    writeSync() {
      clearTimeout(timer);
      timer = undefined;
      const events = queue;
      const held = waiters;
      queue = [];
      waiters = [];
      writeSyncBatch(options, events, held);
    },
  };
}

/** Turns an access event into a sink entry: the name becomes its id; nothing else of it is kept. */
export function toEntry(e: AccessEvent | RolledUpEvent, ids: Pick<SecretIdMapper, "idOf">): AuditEntry {
  const entry: AuditEntry = {
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
  if ("detail" in e && e.detail !== undefined) entry.detail = e.detail;
  if ("count" in e && typeof e.count === "number") {
    entry.count = e.count;
    entry.last = isoTime(e.last);
  }
  return entry;
}

/** A failure's code for messages: `WRITE_FAILED/ENOSPC`, `TIMEOUT`; never a foreign message. */
export function codeOf(e: unknown): string {
  if (e instanceof HushError) {
    if (e.causeCode === "TIMEOUT") return "TIMEOUT";
    return e.causeCode ? `${e.code}/${e.causeCode}` : e.code;
  }
  const c = e as { code?: unknown; name?: unknown } | undefined;
  if (typeof c?.code === "string") return c.code;
  if (typeof c?.name === "string") return c.name;
  return "unknown error";
}

// --- internal ---

interface SinkHealth {
  failing: boolean;
  /** Records not written since the burst began. */
  lost: number;
}

/** The write of one batch: ids, every sink at once (each within the timeout), health, waiters. */
function createBatchWrite(options: AuditWriterOptions): (events: AccessEvent[], waiters: Waiter[]) => Promise<void> {
  const { sinks, required, warn } = options;
  const health = new Map<AuditSink, SinkHealth>(sinks.map((s) => [s, { failing: false, lost: 0 }]));
  const nameOf = (id: string) => options.loadedIds()?.nameOf(id);
  const context: AuditAppendContext = { durable: required, nameOf };
  // A best-effort batch that someone waits for (Auditor.recordNow) is written durably too.
  const durableContext: AuditAppendContext = { durable: true, nameOf };
  let keyFailing = false;

  function entriesOf(events: AccessEvent[]): AuditEntry[] | HushError {
    try {
      const ids = options.ids();
      const entries = events.map((e) => toEntry(e, ids));
      keyFailing = false;
      return entries;
    } catch (e) {
      const why = idFailure(e);
      if (!keyFailing && !required) warn(`audit: ${events.length} access record${events.length === 1 ? " was" : "s were"} not written: ${why.message} (best-effort: accesses are still served). ${why.hint}`);
      keyFailing = true;
      return why;
    }
  }

  /** Notes each sink's result; true when a persistent sink kept the batch. */
  function noteResults(results: PromiseSettledResult<void>[], count: number, failures: string[]): boolean {
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
      h.lost += count;
    });
    return kept;
  }

  return async (events, waiters) => {
    if (events.length === 0) return settle(waiters, undefined);
    const entries = entriesOf(events);
    if (entries instanceof HushError) return settle(waiters, entries);
    const batchContext = waiters.length > 0 ? durableContext : context;
    const results = await Promise.allSettled(sinks.map((s) => withTimeout(s.append(entries, batchContext), options.timeoutMs)));
    const failures: string[] = [];
    settle(waiters, noteResults(results, entries.length, failures) ? undefined : denial(failures));
  };
}

/** The `exit`-event write: every sink with `appendSync`, errors swallowed (there is no one left to tell but stderr). */
function writeSyncBatch(options: AuditWriterOptions, events: AccessEvent[], waiters: Waiter[]): void {
  if (events.length === 0) return settle(waiters, undefined);
  let entries: AuditEntry[];
  try {
    const ids = options.ids();
    entries = events.map((e) => toEntry(e, ids));
  } catch (e) {
    return settle(waiters, idFailure(e));
  }
  const context: AuditAppendContext = { durable: options.required, nameOf: (id) => options.loadedIds()?.nameOf(id) };
  let kept = false;
  const failures: string[] = [];
  for (const sink of options.sinks) {
    if (!sink.appendSync) {
      failures.push(`${sink.name}: cannot write at exit`);
      continue;
    }
    try {
      sink.appendSync(entries, context);
      if (sink.persistent) kept = true;
    } catch (e) {
      failures.push(`${sink.name}: ${codeOf(e)}`);
    }
  }
  if (!kept) options.warn(`audit: ${entries.length} access record${entries.length === 1 ? " was" : "s were"} not written at exit (${failures.join("; ")}).`);
  settle(waiters, kept ? undefined : denial(failures));
}

function settle(list: Waiter[], error: HushError | undefined): void {
  for (const w of list) {
    if (error) w.reject(error);
    else w.resolve();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new HushError("AUDIT_FAILED", `The sink did not answer within ${ms} ms.`, { cause: { code: "TIMEOUT" } })), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

function denial(failures: string[]): HushError {
  return new HushError("AUDIT_FAILED", `no audit sink persisted the record (${failures.join("; ") || "no persistent sink"})`);
}

/**
 * Why the secret ids could not be computed, as an AUDIT_FAILED whose message is a clause (the
 * manager puts it after "Access to ... denied:"). Before the environment's first key exists the
 * fix is to create one, not to weaken the audit.
 */
function idFailure(e: unknown): HushError {
  if (e instanceof HushError && e.code === "KEY_MISSING") {
    const path = /^No key file at (.*)\.$/.exec(e.message)?.[1];
    return new HushError("AUDIT_FAILED", `${path ? `no key file at ${path} yet` : "the environment has no key yet"}, and audit ids are keyed by it`, {
      hint: "Create the key with `hush init` (or a first `hush set`); if a store exists without its key, restore the key from backup instead.",
    });
  }
  return new HushError("AUDIT_FAILED", `the audit ids could not be computed (${codeOf(e)})`);
}

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
