/**
 * Access tracking for the manager: per-secret counts (as the reference design's
 * `get_access_report`) and one access event per resolution or write, handed to listeners and
 * to the audit hook. In fail-closed audit mode an access is served only once recorded.
 */
import { basename } from "node:path";
import { hostname, userInfo } from "node:os";
import { errorCodeOf, HushError } from "./errors.js";
import type { AccessAction, AccessActor, AccessEvent, AccessOutcome, AccessStats, SecretRecord } from "./types.js";
import type { AuditHook } from "./manager.js";

/** How long a fail-closed audit record may take before the access is denied. */
const AUDIT_TIMEOUT_MS = 5_000;

export interface AccessTracker {
  /** True when accesses wait for the audit record (no synchronous fast path). */
  readonly failClosed: boolean;
  /** A read served from the cache, without fail-closed audit; `stats` is the record's counter. */
  servedSync(record: SecretRecord, stats: Stats, now: number): void;
  /** The counter of a name, for the cache to keep beside the record. */
  statsOf(name: string, source: string | undefined): Stats;
  /** A read served; in fail-closed mode resolves only once recorded. */
  served(record: SecretRecord): Promise<void>;
  /** A read served at `now`, without waiting (only when not fail-closed: nothing to wait for). */
  servedNow(record: SecretRecord, now: number): void;
  emit(name: string, action: AccessAction, outcome: AccessOutcome, source?: string, version?: number, errorCode?: string): Promise<void>;
  /** A read that `source` failed: "denied" for ACCESS_DENIED, else "error", with the failure's code. */
  readFailed(name: string, source: string, e: unknown): Promise<void>;
  report(): AccessStats[];
  subscribe(listener: (event: AccessEvent) => void | Promise<void>): () => void;
  flush(): Promise<void>;
}

export interface Stats {
  source: string | undefined;
  count: number;
  first: number;
  last: number;
}

export function createAccessTracker(environment: string, actorOverride: Partial<AccessActor> | undefined, audit: AuditHook | undefined, onWarning: (m: string) => void): AccessTracker {
  const stats = new Map<string, Stats>();
  const listeners: ((event: AccessEvent) => void | Promise<void>)[] = [];
  const failClosed = audit?.mode === "required";
  let actor: AccessActor | undefined;
  const pending = new Set<Promise<unknown>>();

  function track(p: Promise<unknown>, warning: string): void {
    const settled: Promise<unknown> = p.catch(() => onWarning(warning)).finally(() => pending.delete(settled));
    pending.add(settled);
  }

  function count(name: string, source: string | undefined, now: number): void {
    const s = stats.get(name);
    if (s === undefined) stats.set(name, { source, count: 1, first: now, last: now });
    else {
      if (s.count === 0) s.first = now;
      s.count++;
      s.last = now;
      s.source = source;
    }
  }

  function event(name: string, action: AccessAction, outcome: AccessOutcome, time: number, source?: string, version?: number, errorCode?: string): AccessEvent {
    actor ??= currentActor(actorOverride);
    return { time: new Date(time), environment, name, action, outcome, source, version, errorCode, actor };
  }

  /** Hands the event on. Fail-closed: awaits the audit record and denies on failure. */
  async function dispatch(e: AccessEvent): Promise<void> {
    for (const l of listeners) {
      try {
        const r = l(e);
        if (r) track(r, "an access listener failed; the access was served.");
      } catch (_e) {
        // A listener's failure must not change what the caller gets; say so once per call.
        onWarning("an access listener failed; the access was served.");
      }
    }
    if (!audit) return;
    if (!failClosed) {
      try {
        const r = audit.record(e);
        if (r) track(r, "the audit record could not be written; the access was served (best-effort audit).");
      } catch (_e) {
        onWarning("the audit record could not be written; the access was served (best-effort audit).");
      }
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve(audit.record(e)),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("timeout")), AUDIT_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      // A HushError from the audit sink is ours and value-free: keep its detail (e.g. ENOSPC).
      const why = (err as Error)?.message === "timeout" ? "the sink did not answer in time" : err instanceof HushError ? err.message : "the sink failed";
      throw new HushError("AUDIT_FAILED", `Access to "${e.name}" denied: the audit record could not be persisted (${why}).`, { cause: err, secret: e.name });
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    failClosed,
    statsOf(name, source) {
      let s = stats.get(name);
      if (s === undefined) stats.set(name, (s = { source, count: 0, first: Date.now(), last: Date.now() }));
      return s;
    },
    servedSync(record, s, now) {
      s.count++;
      s.last = now;
      s.source = record.source;
      if (listeners.length > 0 || audit) void dispatch(event(record.name, "read", "served", now, record.source, record.version));
    },
    servedNow(record, now) {
      count(record.name, record.source, now);
      if (listeners.length > 0 || audit) void dispatch(event(record.name, "read", "served", now, record.source, record.version));
    },
    async served(record) {
      const now = Date.now();
      count(record.name, record.source, now);
      if (listeners.length > 0 || audit) await dispatch(event(record.name, "read", "served", now, record.source, record.version));
    },
    async emit(name, action, outcome, source, version, errorCode) {
      if (action === "read" && outcome !== "served") count(name, source, Date.now());
      if (listeners.length > 0 || audit) await dispatch(event(name, action, outcome, Date.now(), source, version, errorCode));
    },
    readFailed(name, source, e) {
      return this.emit(name, "read", e instanceof HushError && e.code === "ACCESS_DENIED" ? "denied" : "error", source, undefined, errorCodeOf(e));
    },
    report() {
      return [...stats].map(([name, s]) => ({ name, source: s.source, count: s.count, firstAccess: new Date(s.first), lastAccess: new Date(s.last) }));
    },
    subscribe(listener) {
      listeners.push(listener);
      return () => {
        const i = listeners.indexOf(listener);
        if (i >= 0) listeners.splice(i, 1);
      };
    },
    async flush() {
      await Promise.all([...pending]);
    },
  };
}

// --- internal ---

function currentActor(override: Partial<AccessActor> | undefined): AccessActor {
  let user = process.env.USER ?? "unknown";
  try {
    user = userInfo().username;
  } catch (_e) {
    // No passwd entry (common in containers): keep $USER or the uid.
    user = process.env.USER ?? `uid:${process.getuid?.() ?? "?"}`;
  }
  const program = basename(process.argv[1] ?? process.argv0);
  return { user, host: hostname(), pid: process.pid, command: program, ...override };
}
