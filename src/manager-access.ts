/**
 * Access tracking for the manager: per-secret counts (as the reference design's
 * `get_access_report`) and one access event per read or write, handed to listeners and to the
 * audit hook. Two entry points: `read` for every read (served, missing, denied, error) and
 * `write` for every write. In fail-closed audit mode an access is served only once recorded.
 */
import { basename } from "node:path";
import { hostname, userInfo } from "node:os";
import { errorCodeOf, HushError } from "./errors.js";
import type { AccessAction, AccessActor, AccessEvent, AccessStats, SecretRecord } from "./types.js";
import type { AuditHook } from "./manager-types.js";

/** What one read came to: the facts of its access event (the tracker adds time, environment, actor). */
export interface ReadAccess extends Readonly<Pick<AccessEvent, "name" | "outcome" | "source" | "version" | "errorCode" | "cached">> {
  /**
   * The tracker's counter of `name`, which the tracker keeps on this object at its first read,
   * so that reading the same object again (a cache entry's) skips the lookup. Callers leave it.
   */
  counter?: AccessCounter;
}

/** Access counts of one name (opaque outside the tracker). */
export interface AccessCounter {
  source: string | undefined;
  count: number;
  first: number;
  last: number;
}

/** What one write came to. */
export type WriteAccess = ReadAccess & { readonly action: Exclude<AccessAction, "read"> };

/** The tracker: see the module comment. */
export interface AccessTracker {
  /** True when accesses wait for the audit record (the cached read has no synchronous path). */
  readonly failClosed: boolean;
  /**
   * Counts a read and emits its event. Returns undefined when there is nothing to wait for (not
   * fail-closed); in fail-closed mode a promise that rejects with AUDIT_FAILED if not recorded.
   */
  read(access: ReadAccess, now?: number): Promise<void> | undefined;
  /** Emits the event of a write; in fail-closed mode resolves once recorded. */
  write(access: WriteAccess): Promise<void>;
  /**
   * Emits the event of a write and resolves once a persistent audit sink kept it, in any mode;
   * rejects with AUDIT_FAILED when it was not (a failing sink, no audit hook): never a silent loss.
   */
  writeConfirmed(access: WriteAccess): Promise<void>;
  report(): AccessStats[];
  subscribe(listener: AccessListener): () => void;
  /** Waits for listeners and best-effort records still running. */
  flush(): Promise<void>;
}

/** A listener of access events (`manager.onAccess`). */
export type AccessListener = (event: AccessEvent) => void | Promise<void>;

/** A served read of `record`. */
export function servedRead(record: SecretRecord): ReadAccess {
  return { name: record.name, outcome: "served", source: record.source, version: record.version };
}

/** A served read of `record` from the manager's cache. */
export function cachedRead(record: SecretRecord): ReadAccess {
  return { name: record.name, outcome: "served", source: record.source, version: record.version, cached: true };
}

/** A read that no source could answer. */
export function missingRead(name: string): ReadAccess {
  return { name, outcome: "missing" };
}

/** A read that `source` failed: "denied" for ACCESS_DENIED, else "error", with the failure's code. */
export function failedRead(name: string, source: string, e: unknown): ReadAccess {
  return { name, outcome: e instanceof HushError && e.code === "ACCESS_DENIED" ? "denied" : "error", source, errorCode: errorCodeOf(e) };
}

/** Creates the tracker of one manager. */
export function createAccessTracker(environment: string, actorOverride: Partial<AccessActor> | undefined, audit: AuditHook | undefined, onWarning: (m: string) => void): AccessTracker {
  const stats = new Map<string, AccessCounter>();
  const listeners: AccessListener[] = [];
  const failClosed = audit?.mode === "required";
  const background = createBackground(onWarning);
  let actor: AccessActor | undefined;

  function eventOf(action: AccessAction, access: ReadAccess, now: number): AccessEvent {
    actor ??= currentActor(actorOverride);
    const event: AccessEvent = { time: new Date(now), environment, name: access.name, action, outcome: access.outcome, source: access.source, version: access.version, errorCode: access.errorCode, actor };
    if (access.cached === true) event.cached = true;
    return event;
  }

  function dispatch(action: AccessAction, access: ReadAccess, now: number): Promise<void> | undefined {
    const event = eventOf(action, access, now);
    notify(listeners, event, background);
    if (!audit) return undefined;
    if (failClosed) return recordOrDeny(audit, event);
    recordBestEffort(audit, event, background);
    return undefined;
  }

  return {
    failClosed,
    read(access, now = Date.now()) {
      count(stats, access, now);
      return listeners.length > 0 || audit ? dispatch("read", access, now) : undefined;
    },
    async write(access) {
      if (listeners.length > 0 || audit) await dispatch(access.action, access, Date.now());
    },
    async writeConfirmed(access) {
      const event = eventOf(access.action, access, Date.now());
      notify(listeners, event, background);
      await recordConfirmed(audit, event);
    },
    report: () => [...stats].map(([name, s]) => ({ name, source: s.source, count: s.count, firstAccess: new Date(s.first), lastAccess: new Date(s.last) })),
    subscribe(listener) {
      listeners.push(listener);
      return () => {
        const i = listeners.indexOf(listener);
        if (i >= 0) listeners.splice(i, 1);
      };
    },
    flush: () => background.flush(),
  };
}

// --- internal ---

/** How long a fail-closed audit record may take before the access is denied. */
const AUDIT_TIMEOUT_MS = 5_000;
const LISTENER_FAILED = "an access listener failed; the access was served.";
const RECORD_FAILED = "the audit record could not be written; the access was served (best-effort audit).";

function count(stats: Map<string, AccessCounter>, access: ReadAccess, now: number): void {
  let s = access.counter;
  if (s === undefined) {
    s = stats.get(access.name);
    if (s === undefined) stats.set(access.name, (s = { source: access.source, count: 0, first: now, last: now }));
    access.counter = s;
  }
  s.count++;
  s.last = now;
  s.source = access.source;
}

/** Promises of listeners and best-effort records still running; a failure becomes a warning. */
function createBackground(onWarning: (m: string) => void): { track(p: Promise<unknown>, warning: string): void; warn(m: string): void; flush(): Promise<void> } {
  const pending = new Set<Promise<unknown>>();
  return {
    warn: onWarning,
    track(p, warning) {
      const settled: Promise<unknown> = p.catch(() => onWarning(warning)).finally(() => pending.delete(settled));
      pending.add(settled);
    },
    async flush() {
      await Promise.all([...pending]);
    },
  };
}

type Background = ReturnType<typeof createBackground>;

/** A listener's failure must not change what the caller gets; it is said once per call. */
function notify(listeners: readonly AccessListener[], event: AccessEvent, background: Background): void {
  for (const l of listeners) {
    try {
      const r = l(event);
      if (r) background.track(r, LISTENER_FAILED);
    } catch (_e) {
      background.warn(LISTENER_FAILED);
    }
  }
}

function recordBestEffort(audit: AuditHook, event: AccessEvent, background: Background): void {
  try {
    const r = audit.record(event);
    if (r) background.track(r, RECORD_FAILED);
  } catch (_e) {
    background.warn(RECORD_FAILED);
  }
}

/** Fail-closed: awaits the audit record and denies the access on failure or timeout. */
async function recordOrDeny(audit: AuditHook, event: AccessEvent): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const recording = audit.record(event);
    // Nothing to wait for: the auditor already holds a durable record covering this access
    // (a cached read counted into a roll-up whose first read was written durably).
    if (recording === undefined) return;
    await Promise.race([
      recording,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), AUDIT_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    // A HushError from the auditor is ours and value-free: its message is the reason (e.g. ENOSPC), its hint the fix.
    const ours = err instanceof HushError ? err : undefined;
    const why = (err as Error)?.message === "timeout" ? "the audit sink did not answer in time" : ours ? ours.message.replace(/\.$/, "") : "the audit hook failed";
    throw new HushError("AUDIT_FAILED", `Access to "${event.name}" denied (fail-closed audit): ${why}.`, { cause: err, secret: event.name, hint: ours?.code === "AUDIT_FAILED" ? ours.hint : undefined });
  } finally {
    clearTimeout(timer);
  }
}

/** Awaits a record the caller must confirm (recordNow, else record's promise); AUDIT_FAILED when not kept. */
async function recordConfirmed(audit: AuditHook | undefined, event: AccessEvent): Promise<void> {
  if (!audit) throw new HushError("AUDIT_FAILED", "audit is off (hush.yaml `audit: off`), so there is no audit trail to record it in");
  try {
    const recording = audit.recordNow ? audit.recordNow(event) : audit.record(event);
    if (recording === undefined) throw new HushError("AUDIT_FAILED", "the audit hook does not say whether it kept the record");
    await recording;
  } catch (err) {
    if (err instanceof HushError && err.code === "AUDIT_FAILED") throw err;
    throw new HushError("AUDIT_FAILED", `the audit hook failed (${errorCodeOf(err) ?? "unknown error"})`, { cause: err, secret: event.name });
  }
}

function currentActor(override: Partial<AccessActor> | undefined): AccessActor {
  let user = process.env.USER ?? "unknown";
  try {
    user = userInfo().username;
  } catch (_e) {
    // No passwd entry (common in containers): keep $USER or the uid.
    user = process.env.USER ?? `uid:${process.getuid?.() ?? "?"}`;
  }
  const program = basename(process.argv[1] ?? process.argv0);
  const actor = { user, host: hostname(), pid: process.pid, command: program, ...override };
  return { ...actor, user: capActorField(actor.user), host: capActorField(actor.host), command: capActorField(actor.command) };
}

/** Longest user, host or command an audit record keeps: a record stays far below the readers' 4 MiB line limit. */
export const MAX_ACTOR_FIELD = 1024;

function capActorField(text: string): string {
  return text.length > MAX_ACTOR_FIELD ? `${text.slice(0, MAX_ACTOR_FIELD - 1)}…` : text;
}
